"""How synchronisation is going, as the status line and the sync pages show it.

A ward node reads its own :class:`~sync.models.NodeState`; the hub counts its
nodes and the conflicts waiting for a manager. Both are read on every staff
page, so each costs a few indexed queries and nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from dossiers.models import Applicant
from sync.models import Conflict, ConflictState, Node, NodeState
from sync.node import waiting_count

# A node that has not called for this long is flagged on the hub's page.
SILENT_AFTER = dt.timedelta(hours=1)
# The loop answers "sync now" within a second: a request older than this went unheard.
UNHEARD_AFTER = dt.timedelta(seconds=30)
HUB_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


def is_hub() -> bool:
    return settings.NODE_ROLE == "hub"


def stale_after() -> dt.timedelta:
    """Without a success for this long, a ward node counts as offline."""
    return dt.timedelta(seconds=3 * settings.SYNC_INTERVAL)


@dataclass(frozen=True)
class WardStatus:
    state: NodeState
    waiting: int
    online: bool
    # "Sync now" asked long enough ago that the background loop should have answered.
    unheard: bool = False

    @property
    def requested(self) -> bool:
        return self.state.requested_at is not None


def ward_status(now: dt.datetime | None = None) -> WardStatus:
    """This node's link to the hub; online when the last round succeeded recently."""
    now = now or timezone.now()
    state = NodeState.get()
    last = state.last_success_at
    online = (
        not state.failures
        and not state.last_problem
        and not state.last_error
        and last is not None
        and now - last <= stale_after()
    )
    asked = state.requested_at
    return WardStatus(
        state=state,
        waiting=waiting_count(state),
        online=online,
        unheard=asked is not None and now - asked > UNHEARD_AFTER,
    )


@dataclass(frozen=True)
class HubStatus:
    nodes: int
    open_conflicts: int


def hub_status() -> HubStatus:
    return HubStatus(
        nodes=Node.objects.filter(is_active=True).count(),
        open_conflicts=Conflict.objects.filter(state=ConflictState.OPEN).count(),
    )


def round_request(*, at: dt.datetime | None = None) -> None:
    """ "Sync now": the background loop sees the request within a second and clears it."""
    NodeState.get()  # the row exists from here on
    NodeState.objects.filter(pk=1).update(requested_at=at or timezone.now())


# -- who may see the hub's pages, and what -------------------------------------------------------


def may_watch_hub(user: User) -> bool:
    return any(a.role in HUB_ROLES for a in user.assignments.all())


def nodes_for(user: User) -> QuerySet[Node]:
    """The nodes of the centers a manager runs; every node of the province for its admin."""
    from work.center import centers_for

    return Node.objects.filter(unit__in=centers_for(user))


def nodes_listed(nodes: QuerySet[Node], now: dt.datetime) -> list[dict[str, Any]]:
    rows = nodes.select_related("unit").annotate(
        open_conflicts=Count("conflicts", filter=Q(conflicts__state=ConflictState.OPEN))
    )
    return [
        {
            "node": node,
            "silent": node.is_active
            and (node.last_contact_at is None or now - node.last_contact_at > SILENT_AFTER),
        }
        for node in rows.order_by("node_id")
    ]


# -- a conflict, field by field ------------------------------------------------------------------

LABELLED: dict[str, Any] = {"applicant": Applicant}
NOT_SHOWN = {"id", "_base"}


@dataclass(frozen=True)
class Difference:
    name: str
    label: Any
    ours: Any
    theirs: Any


def differences(conflict: Conflict) -> list[Difference]:
    """The fields whose values differ, in the model's order; unknown fields last."""
    ours: dict[str, Any] = conflict.ours or {}
    theirs: dict[str, Any] = conflict.theirs or {}
    names = [n for n in dict.fromkeys([*ours, *theirs]) if n not in NOT_SHOWN]
    model = LABELLED.get(conflict.model)
    labels: dict[str, Any] = {}
    order: dict[str, int] = {}
    if model is not None:
        for index, field in enumerate(model._meta.concrete_fields):
            labels[field.attname] = field.verbose_name
            order[field.attname] = index
    names.sort(key=lambda n: order.get(n, len(order)))
    return [
        Difference(name=n, label=labels.get(n, n), ours=ours.get(n), theirs=theirs.get(n))
        for n in names
        if ours.get(n) != theirs.get(n)
    ]
