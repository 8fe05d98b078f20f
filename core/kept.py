"""Values a process keeps for a while: rows read often and changed rarely.

Saves in this process forget them at once (the owner connects the signals).
Other server processes of the node hear of it through a stamp file: every
forget moves the file's modification time, every read looks at it (one
``stat``) and drops what it kept when it moved. The reference rows a ward
takes from the hub are saved with their signals too. Rows changed without
one (by hand in the database) reach every process within the number of
seconds each reader gives.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

_UNSEEN = -1


class Kept:
    def __init__(self, stamp: str | None = None) -> None:
        """``stamp`` names the file shared with the node's other processes (in
        ``settings.KEPT_DIR``); without it, a forget reaches only this process."""
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        # Bumped by every forget, so a value read before it is not kept after it.
        self._generation = 0
        self._stamp_name = stamp
        self._stamp_dir: object = None
        self._stamp_path: Path | None = None
        self._stamp_seen: int | None = _UNSEEN

    def get(
        self,
        key: Hashable,
        read: Callable[[], T],
        *,
        seconds: float,
        keep: Callable[[T], bool] = lambda _value: True,
    ) -> T:
        """The value kept under ``key``, or ``read()`` kept when ``keep`` allows (never None)."""
        stamp = self._stamp()
        if stamp != self._stamp_seen:
            with self._lock:
                self._stamp_seen = stamp
                self._generation += 1
                self._values.clear()
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
        """Forget the value under ``key``, or every value when no key is given; the node's
        other processes forget everything."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._values.clear()
            else:
                self._values.pop(key, None)
        self._stamp_move()

    # -- the stamp shared by the node's processes ---------------------------------------------

    def _path(self) -> Path | None:
        if self._stamp_name is None:
            return None
        directory = settings.KEPT_DIR  # read each time: tests point it elsewhere
        if directory != self._stamp_dir:
            self._stamp_dir = directory
            self._stamp_path = Path(directory) / self._stamp_name
        return self._stamp_path

    def _stamp(self) -> int | None:
        path = self._path()
        if path is None:
            return None
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def _stamp_move(self) -> None:
        # Set, not touched: the kernel stamps a touch with a clock that can stand still
        # for milliseconds, and a forget made just after another one must still show.
        path = self._path()
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
            moved = max(time.time_ns(), path.stat().st_mtime_ns + 1)
            os.utime(path, ns=(moved, moved))
        except OSError:
            pass  # the seconds given to get() still bound how stale the others get
