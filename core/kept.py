"""Values a process keeps for a while: rows read often and changed rarely.

Saves in this process forget them at once (the owner connects the signals);
other server processes never hear those signals, so every value also expires
after the number of seconds its reader gives, which bounds how stale they get.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Kept:
    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        # Bumped by every forget, so a value read before it is not kept after it.
        self._generation = 0

    def get(
        self,
        key: Hashable,
        read: Callable[[], T],
        *,
        seconds: float,
        keep: Callable[[T], bool] = lambda _value: True,
    ) -> T:
        """The value kept under ``key``, or ``read()`` kept when ``keep`` allows (never None)."""
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[no-any-return]
        generation = self._generation
        value = read()
        if value is not None and keep(value):
            with self._lock:
                if generation == self._generation:
                    self._values[key] = (now + seconds, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        """Forget the value under ``key``, or every value when no key is given."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._values.clear()
            else:
                self._values.pop(key, None)
