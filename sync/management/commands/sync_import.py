"""``manage.py sync_import FILE``: at the hub, apply a log a ward node exported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sync.carry import ImportRefusedError, log_import


class Command(BaseCommand):
    help = "Apply a ward node's exported log, each entry once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.NODE_ROLE != "hub":
            raise CommandError("Import on the provincial hub (NODE_ROLE=hub).")
        try:
            done = log_import(options["file"])
        except (ImportRefusedError, OSError) as error:
            raise CommandError(f"Nothing more imported: {error}") from None
        self.stdout.write(
            f"node {done.node}: applied {done.applied}, already had {done.skipped}, "
            f"hub now at {done.acked}"
        )
