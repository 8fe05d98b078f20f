"""Which node may change a dossier.

A dossier has one owner node at a time and only the owner changes it
(``dossiers.services`` refuses otherwise). Ownership moves with the work:

- on a ward node, routing or forwarding to an agency the ward does not serve
  (a provincial department) hands the dossier to the hub;
- on the hub, a dossier filed online at a ward's center, or resolved or
  stopped for one, goes to that ward's node so its desk can accept it or
  hand the result over.
"""

from __future__ import annotations

import time
import uuid
from functools import lru_cache

from django.conf import settings

from units.models import Unit, UnitKind

_CACHE_SECONDS = 60.0
_nodes: tuple[float, dict[uuid.UUID, str]] = (0.0, {})


def served_units(center: Unit) -> set[uuid.UUID]:
    """The center, its ward committee and the agencies under that committee."""
    ids = {center.pk}
    committee = center.ward_committee() or (
        center.parent if center.parent and center.parent.kind == UnitKind.WARD_COMMITTEE else None
    )
    if committee is not None:
        ids.add(committee.pk)
        ids.update(Unit.objects.filter(parent=committee).values_list("pk", flat=True))
    ids.update(Unit.objects.filter(parent=center).values_list("pk", flat=True))
    return ids


@lru_cache(maxsize=4)
def _local_units(code: str) -> frozenset[uuid.UUID]:
    center = Unit.objects.filter(code=code).select_related("parent").first()
    return frozenset(served_units(center)) if center is not None else frozenset()


def node_for_unit(unit_id: uuid.UUID) -> str | None:
    """On the hub: the ward node serving this unit, if any (the hub serves the rest)."""
    global _nodes
    loaded, units = _nodes
    if time.monotonic() - loaded > _CACHE_SECONDS:
        from sync.models import Node

        units = {}
        for node in Node.objects.filter(is_active=True).select_related("unit__parent"):
            for unit in served_units(node.unit):
                units[unit] = node.node_id
        _nodes = (time.monotonic(), units)
    return units.get(unit_id)


def forget() -> None:
    """Drop what is cached (a node registered, tests)."""
    global _nodes
    _nodes = (0.0, {})
    _local_units.cache_clear()


def owner_after(
    owner: str, action: str, receiving_unit_id: uuid.UUID, competent_unit_id: uuid.UUID
) -> str:
    """The owner node of a dossier once ``action`` is taken on this node."""
    role = settings.NODE_ROLE
    if role == "ward" and settings.SYNC_HUB_URL and action in {"route", "forward"}:
        local = _local_units(settings.NODE_UNIT)
        return settings.NODE_ID if competent_unit_id in local else settings.HUB_NODE_ID
    if role == "hub" and action in {"submit", "resolve", "stop"}:
        return node_for_unit(receiving_unit_id) or owner
    return owner


def runs_own_node(unit_id: uuid.UUID) -> bool:
    """On the hub: whether a ward node serves this unit. Such a center's queue runs on its
    node, and the hub numbers its online filings in a range of its own."""
    return settings.NODE_ROLE == "hub" and node_for_unit(unit_id) is not None


def hub_issues_for_node(unit_id: uuid.UUID) -> bool:
    """On the hub, a code for a ward node's center comes from the hub's own range."""
    return runs_own_node(unit_id)
