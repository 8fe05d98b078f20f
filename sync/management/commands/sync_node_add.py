"""``manage.py sync_node_add ward-01 --unit 000.21.01.H57``: register a ward node at the hub."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sync.models import Node, new_secret
from units.models import Unit, UnitKind


class Command(BaseCommand):
    help = "Register a ward node at the hub (or give it a new secret); prints the secret last."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("node_id")
        parser.add_argument("--unit", required=True, help="electronic id of the node's center")
        parser.add_argument("--new-secret", action="store_true", help="replace the secret")

    def handle(self, *args: Any, node_id: str, unit: str, **options: Any) -> None:
        center = Unit.objects.filter(code=unit, kind=UnitKind.CENTER).first()
        if center is None:
            raise CommandError(f"No service center has the electronic id {unit}.")
        node, created = Node.objects.get_or_create(node_id=node_id, defaults={"unit": center})
        if not created and node.unit_id != center.pk:
            raise CommandError(f"Node {node_id} serves {node.unit.code}, not {unit}.")
        if options.get("new_secret"):
            node.secret = new_secret()
            node.save(update_fields=["secret"])
        self.stdout.write(
            f"{'Registered' if created else 'Known'} node {node_id} for {center.name_vi}. "
            "Give it these settings: NODE_ROLE=ward, "
            f"NODE_ID={node_id}, NODE_UNIT={unit}, SYNC_HUB_URL=<this hub's address>, SYNC_SECRET:"
        )
        self.stdout.write(node.secret)
