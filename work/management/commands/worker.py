"""``manage.py worker``: the background jobs, in a process of their own.

Every ``--interval`` seconds it sends what the notification outbox holds;
every ``--watch-every`` seconds it runs the deadline watch and forgets the
citizens' unfinished uploads left for a day, the desk forms' expired
one-time keys and the rate limits' ended windows; on a ward node
with a hub it synchronises every ``SYNC_INTERVAL`` seconds (sync.loop). Both jobs keep
their state in the database, so the worker can be stopped, killed or run
twice without losing or repeating anything (docs/decisions/0005).
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.ratelimit import rate_counts_sweep
from desk.services import claims_sweep
from notify.delivery import Delivery, outbox_deliver
from portal.uploads import upload_sweep
from sync.log import syncing
from sync.loop import SyncLoop
from work.watch import WatchResult, deadline_watch


class Command(BaseCommand):
    help = "Send queued notifications and watch deadlines, until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one round of each job, then exit")
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between rounds")
        parser.add_argument(
            "--watch-every", type=float, default=600.0, help="seconds between deadline watches"
        )
        parser.add_argument("--batch", type=int, default=50, help="messages claimed at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        # On a ward node with a hub, the sync loop runs here too, between the other jobs.
        self.sync = (
            SyncLoop(interval=settings.SYNC_INTERVAL, say=self.stdout.write) if syncing() else None
        )
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        last_watch = float("-inf")
        while True:
            if time.monotonic() - last_watch >= options["watch_every"]:
                self._report_watch(deadline_watch())
                if swept := upload_sweep():
                    self.stdout.write(f"uploads: {swept} unfinished ones left for a day forgotten")
                if swept := claims_sweep():
                    self.stdout.write(f"desk forms: {swept} expired one-time keys forgotten")
                if swept := rate_counts_sweep():
                    self.stdout.write(f"rate limits: {swept} ended windows forgotten")
                last_watch = time.monotonic()
            self._deliver(options["batch"])
            if self.sync is not None:
                self.sync.tick()
            if options["once"] or self.stopping:
                return
            self._sleep(options["interval"])
            if self.stopping:
                return
            # A long-running process: drop connections the database closed or aged out.
            close_old_connections()

    def _deliver(self, batch: int) -> None:
        """Batch after batch while full ones come back: a backlog drains without sleeping."""
        total = Delivery()
        while not self.stopping:
            done = outbox_deliver(limit=batch)
            total += done
            if done.sent + done.retried + done.failed < batch:
                break
        if total.sent or total.retried or total.failed:
            self.stdout.write(
                f"outbox: {total.sent} sent, {total.retried} to retry, {total.failed} given up"
            )

    def _report_watch(self, result: WatchResult) -> None:
        self.stdout.write(
            f"deadline watch: {result.checked} dossiers checked, {result.warned} warnings, "
            f"{result.drafted} apologies drafted"
        )

    def _sleep(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < until:
            time.sleep(min(0.5, until - time.monotonic()))
            if self.sync is not None:
                self.sync.tick()

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True
