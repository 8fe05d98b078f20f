"""``manage.py sync``: push this ward node's log to the hub and pull back, in a loop.

``--once`` runs one round and exits 0 when it succeeded, 1 when it failed.
The loop waits ``SYNC_INTERVAL`` seconds between rounds, backing off up to
ten minutes while the hub cannot be reached, and runs at once when someone
presses "sync now" on a page.
"""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from sync.log import syncing
from sync.loop import SyncLoop
from sync.node import SyncError, sync_round


class Command(BaseCommand):
    help = "Synchronise this ward node with the provincial hub (one round with --once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if not syncing():
            raise CommandError("This node has no hub: set NODE_ROLE=ward and SYNC_HUB_URL.")
        if options["once"]:
            try:
                done = sync_round()
            except SyncError as error:
                self.stderr.write(f"sync failed: {error}")
                sys.exit(1)
            self.stdout.write(
                f"pushed {done.pushed} events, pulled {done.pulled}, waiting {done.waiting}"
            )
            return
        loop = SyncLoop(interval=settings.SYNC_INTERVAL, say=self.stdout.write)
        signal.signal(signal.SIGTERM, loop.stop)
        signal.signal(signal.SIGINT, loop.stop)
        while not loop.stopping:
            loop.tick()
            time.sleep(0.5)
            close_old_connections()
