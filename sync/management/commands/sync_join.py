"""``manage.py sync_join``: a new ward node takes units, catalog, calendar and staff."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sync.models import NodeState
from sync.node import Hub, SyncError, reference_pull


class Command(BaseCommand):
    help = "Take the hub's reference data (units, catalog, calendar, staff, queue set-up)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SYNC_HUB_URL or not settings.NODE_UNIT:
            raise CommandError("Set SYNC_HUB_URL, SYNC_SECRET, NODE_ID and NODE_UNIT first.")
        state = NodeState.get()
        state.reference_digest = ""
        try:
            rows = reference_pull(Hub(), state)
        except SyncError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Joined the hub as {settings.NODE_ID}: {rows} reference rows saved.")
