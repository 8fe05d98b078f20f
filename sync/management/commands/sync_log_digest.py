"""``manage.py sync_log_digest --node ward-01``: one line to compare a node's log on two sides."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from dossiers.models import DossierEvent


class Command(BaseCommand):
    help = "Print a node's event count and a digest of its events in sequence order."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--node", default=None, help="node id (this node's by default)")

    def handle(self, *args: Any, **options: Any) -> None:
        node = options["node"] or settings.NODE_ID
        digest = hashlib.sha256()
        count = 0
        rows = (
            DossierEvent.objects.filter(node_id=node)
            .order_by("seq")
            .values_list("seq", "dossier_id", "action", "at")
        )
        for seq, dossier_id, action, at in rows.iterator(chunk_size=5000):
            digest.update(f"{node}|{seq}|{dossier_id}|{action}|{at.isoformat()}\n".encode())
            count += 1
        self.stdout.write(f"{node} {count} {digest.hexdigest()}")
