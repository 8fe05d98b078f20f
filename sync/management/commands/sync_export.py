"""``manage.py sync_export FILE``: the unsent log and its files, to carry to the hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sync.carry import log_export
from sync.log import syncing
from sync.node import SyncError


class Command(BaseCommand):
    help = "Write the events the hub has not acknowledged, and their files, to one file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if not syncing():
            raise CommandError("This node has no hub: set NODE_ROLE=ward and SYNC_HUB_URL.")
        try:
            done = log_export(options["file"])
        except SyncError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"exported {done.entries} entries in {done.batches} batches "
            f"with {done.files} files to {options['file']}"
        )
