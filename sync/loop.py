"""The background sync loop, run by ``manage.py sync`` and by the worker on a ward node."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sync.models import NodeState
from sync.node import SyncError, sync_round

MAX_BACKOFF_SECONDS = 600.0


class SyncLoop:
    """Rounds every ``interval`` seconds; after failures, waits twice as long each time."""

    def __init__(self, *, interval: float, say: Callable[[str], Any] = print) -> None:
        self.interval = interval
        self.say = say
        self.stopping = False
        self.failures = 0
        self.next_at = 0.0

    def stop(self, *args: object) -> None:
        self.stopping = True

    def due(self) -> bool:
        if time.monotonic() >= self.next_at:
            return True
        # "Sync now" on a page sets requested_at; the loop answers within a second.
        return NodeState.objects.filter(pk=1, requested_at__isnull=False).exists()

    def tick(self) -> None:
        if not self.due():
            return
        try:
            done = sync_round()
        except SyncError as error:
            self.failures += 1
            wait = min(MAX_BACKOFF_SECONDS, self.interval * 2 ** min(self.failures, 10))
            self.say(f"sync failed ({error}); next try in {wait:.0f} s")
            self.next_at = time.monotonic() + wait
            return
        self.failures = 0
        self.next_at = time.monotonic() + self.interval
        if done.pushed or done.pulled:
            self.say(
                f"sync: pushed {done.pushed} events, pulled {done.pulled}, waiting {done.waiting}"
            )
