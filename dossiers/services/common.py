"""What every dossier service shares: the input types, the lock, events and papers, and the
due moment worked out from the log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Component
from core.rows import rows_insert
from deadlines.calendar import calendar_for_unit
from deadlines.engine import due_with_pauses
from dossiers.codes import node_seq_next
from dossiers.models import (
    Action,
    Dossier,
    DossierComponent,
    DossierEvent,
)
from dossiers.workflow import TransitionError
from notify.dossier_messages import messages_for_event
from reports.counters import count_event
from sync.ownership import owner_after
from units.models import Unit


class DossierInputError(ValueError):
    """Input a service refuses, with the field it is about."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class PaperIn:
    """A paper handed over at the desk or uploaded for one checklist item."""

    name: str = ""
    component_id: Any = None
    originals: int = 0
    copies: int = 0
    reused: bool = False
    file: Any = None
    sha256: str = ""
    # The applicant's digitised paper this row comes from (a scan kept, or one reused).
    paper_id: Any = None


@dataclass
class ApplicantIn:
    full_name: str
    id_number: str = ""
    kind: str = "citizen"
    birth_date: dt.date | None = None
    sex: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    representative: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# -- shared by the services ---------------------------------------------------------------


def moment_or_now(at: dt.datetime | None) -> dt.datetime:
    """The moment a service was given (the demo history and imports set it), or now."""
    return at if at is not None else timezone.now()


def dossier_locked(dossier: Dossier) -> Dossier:
    """The dossier read again and locked until the transaction ends; only its owner node
    may change it."""
    locked = (
        Dossier.objects.select_for_update()
        .select_related("case", "receiving_unit", "competent_unit", "procedure_version")
        .get(pk=dossier.pk)
    )
    if locked.owner_node != settings.NODE_ID:
        raise TransitionError(
            _("This dossier is owned by node %(node)s; change it there.")
            % {"node": locked.owner_node},
            [],
        )
    return locked


def event_append(dossier: Dossier, *, seq: int | None = None, **fields: Any) -> DossierEvent:
    """Append one event (the fields of :func:`event_new`); ``seq`` when the caller took
    its number already."""
    event = event_new(dossier, seq=node_seq_next() if seq is None else seq, **fields)
    rows_insert([event])
    event_booked(dossier, event)
    return event


def event_new(
    dossier: Dossier,
    *,
    action: str,
    to_status: str,
    actor: User | None,
    at: dt.datetime,
    unit: Unit | None,
    seq: int,
    note: str = "",
    data: dict[str, Any] | None = None,
    from_status: str | None = None,
) -> DossierEvent:
    """The event, not yet written, and the dossier moved to where it leads."""
    event = DossierEvent(
        dossier=dossier,
        node_id=settings.NODE_ID,
        seq=seq,
        action=action,
        from_status=dossier.status if from_status is None else from_status,
        to_status=to_status,
        at=at,
        actor=actor,
        actor_name=actor.get_full_name() if actor else "",
        unit=unit,
        note=note,
        data=data or {},
    )
    dossier.status = to_status
    dossier.last_seq = seq
    dossier.owner_node = owner_after(
        dossier.owner_node, action, dossier.receiving_unit_id, dossier.competent_unit_id
    )
    return event


def event_booked(dossier: Dossier, event: DossierEvent) -> None:
    """What follows an event once it is written: the counters and the applicant's messages."""
    count_event(dossier, event)
    messages_for_event(dossier, event)


def projection_save(dossier: Dossier, *fields: str) -> None:
    """Write the dossier's columns that follow its log: status, last event, owner, ``fields``."""
    dossier.save(update_fields=["status", "last_seq", "owner_node", *fields])


def papers_insert(
    dossier: Dossier, papers: Sequence[PaperIn], *, supplement: bool, at: dt.datetime
) -> list[Component]:
    """Save the papers handed over; answer the case's checklist, read once."""
    checklist = list(dossier.case.components.all())
    rows_insert(papers_checked(dossier, papers, checklist, supplement=supplement, at=at))
    return checklist


def papers_checked(
    dossier: Dossier,
    papers: Sequence[PaperIn],
    checklist: list[Component],
    *,
    supplement: bool,
    at: dt.datetime,
) -> list[DossierComponent]:
    """The rows for the papers handed over, checked against the case's checklist."""
    allowed = {c.pk: c for c in checklist}
    rows = []
    for paper in papers:
        component = allowed.get(paper.component_id) if paper.component_id else None
        if paper.component_id and component is None:
            raise DossierInputError(
                "papers", _("A paper does not belong to this case's checklist.")
            )
        name = paper.name or (component.name_vi if component else "")
        if not name:
            raise DossierInputError("papers", _("Every paper needs a name."))
        rows.append(
            DossierComponent(
                dossier=dossier,
                component=component,
                name=name,
                originals=paper.originals,
                copies=paper.copies,
                reused=paper.reused,
                file=paper.file or "",
                sha256=paper.sha256,
                paper_id=paper.paper_id,
                supplement=supplement,
                received_at=at,
            )
        )
    return rows


def mandatory_missing(dossier: Dossier, checklist: list[Component]) -> list[str]:
    # Read once: counting the reception reads the same papers again, from memory.
    prefetch_related_objects([dossier], "components")
    handed = {paper.component_id for paper in dossier.components.all()}
    return [c.name for c in checklist if c.mandatory and c.pk not in handed]


def pauses_of(dossier: Dossier) -> tuple[list[tuple[dt.datetime, dt.datetime]], dt.datetime | None]:
    """Closed pauses of the clock, and the start of a pause still open."""
    closed: list[tuple[dt.datetime, dt.datetime]] = []
    opened: dt.datetime | None = None
    starts = {Action.REQUEST_SUPPLEMENT, Action.REQUEST_FEES}
    ends = {Action.RECEIVE_SUPPLEMENT, Action.RECORD_PAYMENT}
    for action, at in dossier.events.order_by("at", "seq").values_list("action", "at"):
        if action in starts and opened is None:
            opened = at
        elif action in ends and opened is not None:
            closed.append((opened, at))
            opened = None
    return closed, opened


def due_moment(dossier: Dossier) -> dt.datetime | None:
    """The due moment from the log: legal time, plus closed pauses, or an extension."""
    if dossier.received_at is None:
        return None
    calendar = calendar_for_unit(dossier.receiving_unit)
    case = dossier.case
    closed, _open = pauses_of(dossier)
    extension = (
        dossier.events.filter(action=Action.EXTEND)
        .order_by("-at", "-seq")
        .values("at", "data")
        .first()
    )
    if extension is None:
        return due_with_pauses(
            dossier.received_at, case.time_value, case.time_unit, calendar, closed
        )
    new_due = dt.datetime.fromisoformat(extension["data"]["new_due"])
    later = [(a, b) for a, b in closed if a >= extension["at"]]
    paused = sum(calendar.working_minutes_between(a, b) for a, b in later)
    return calendar.add_working_minutes(new_due, paused) if paused else new_due
