"""Every change to a dossier: one function per transition of ``dossiers.workflow``.

Each runs in one transaction, locks the dossier row, checks the transition
table (status, role, unit), updates the projection on the dossier and appends
one event. Pages, the API, the admin and commands all call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from catalog.models import Case, Component, StepActor
from core.models import related_known
from core.rows import rows_insert
from core.uploads import UploadRejectedError, check_upload
from deadlines.calendar import calendar_for_unit
from deadlines.engine import due_at as engine_due_at
from deadlines.engine import due_with_pauses
from dossiers.codes import dossier_code_issue, lookup_secret_new, node_seq_next
from dossiers.kept import competent_unit_kept
from dossiers.models import (
    Action,
    Applicant,
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    ResultOutcome,
    ReturnChannel,
    Status,
)
from dossiers.papers import paper_digitise
from dossiers.workflow import TransitionError, check
from notify.dossier_messages import messages_for_event
from reports.counters import count_event
from sync.ownership import hub_issues_for_node, owner_after
from units.models import Unit, UnitKind


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


# -- helpers ---------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else timezone.now()


def _locked(dossier: Dossier) -> Dossier:
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


def _record(dossier: Dossier, *, seq: int | None = None, **fields: Any) -> DossierEvent:
    """Append one event (the fields of :func:`_event`); ``seq`` when the caller took
    its number already."""
    event = _event(dossier, seq=node_seq_next() if seq is None else seq, **fields)
    rows_insert([event])
    _booked(dossier, event)
    return event


def _event(
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


def _booked(dossier: Dossier, event: DossierEvent) -> None:
    """What follows an event once it is written: the counters and the applicant's messages."""
    count_event(dossier, event)
    messages_for_event(dossier, event)


def _save(dossier: Dossier, *fields: str) -> None:
    dossier.save(update_fields=["status", "last_seq", "owner_node", *fields])


def _paper_rows(
    dossier: Dossier, papers: Sequence[PaperIn], *, supplement: bool, at: dt.datetime
) -> list[Component]:
    """Save the papers handed over; answer the case's checklist, read once."""
    checklist = list(dossier.case.components.all())
    rows_insert(_paper_objects(dossier, papers, checklist, supplement=supplement, at=at))
    return checklist


def _paper_objects(
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


def _missing_mandatory(dossier: Dossier, checklist: list[Component]) -> list[str]:
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


# -- creation and reception ------------------------------------------------------------------


# Every intake at the desk asks this; written out, it costs a fraction of the ORM's query.
APPLICANT_SQL = (
    f"SELECT * FROM {Applicant._meta.db_table} WHERE kind = %s AND id_number = %s "
    "ORDER BY id LIMIT 1"
)


def applicant_find_or_create(*, data: ApplicantIn) -> Applicant:
    """The applicant with this id number, updated with fresher contact details, or a new one."""
    full_name = " ".join(data.full_name.split())
    if not full_name:
        raise DossierInputError("applicant.full_name", _("Write the applicant's full name."))
    if (
        data.kind == "citizen"
        and data.id_number
        and not (data.id_number.isdigit() and len(data.id_number) == 12)
    ):
        raise DossierInputError("applicant.id_number", _("A personal id number has 12 digits."))
    if data.id_number:
        applicant = next(
            iter(Applicant.objects.raw(APPLICANT_SQL, [data.kind, data.id_number])), None
        )
        if applicant is not None:
            changed = []
            for name in ["phone", "email", "address"]:
                value = getattr(data, name)
                if value and getattr(applicant, name) != value:
                    setattr(applicant, name, value)
                    changed.append(name)
            if changed:
                applicant.save(update_fields=[*changed, "updated_at"])
            return applicant
    return Applicant.objects.create(
        kind=data.kind,
        full_name=full_name,
        id_number=data.id_number,
        birth_date=data.birth_date,
        sex=data.sex,
        address=data.address,
        phone=data.phone,
        email=data.email,
        representative=data.representative,
    )


def _competent_unit(case: Case, filed_at: Unit, ward: Unit | None) -> Unit:
    if ward is not None and (
        ward.kind != UnitKind.WARD_COMMITTEE or ward.province_id != filed_at.province_id
    ):
        raise DossierInputError("ward", _("Choose a ward or commune of this province."))
    version = case.version
    unit = competent_unit_kept(filed_at, version, ward)
    if unit is None:
        raise DossierInputError(
            "ward",
            _("No %(agency)s is set up for this dossier; choose the applicant's ward.")
            % {"agency": version.agency_name},
        )
    return unit


@transaction.atomic
def dossier_create(
    *,
    actor: User | None,
    case: Case,
    applicant: Applicant,
    unit: Unit,
    channel: str,
    ward: Unit | None = None,
    authorised_name: str = "",
    authorised_id_number: str = "",
    authorised_phone: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """A draft: filled in online, or being filled in at the desk."""
    dossier = _create(
        actor=actor,
        case=case,
        applicant=applicant,
        unit=unit,
        channel=channel,
        ward=ward,
        authorised_name=authorised_name,
        authorised_id_number=authorised_id_number,
        authorised_phone=authorised_phone,
        at=_now(at),
    )
    _save(dossier)
    return dossier


def _draft(
    *,
    actor: User | None,
    case: Case,
    unit: Unit,
    channel: str,
    ward: Unit | None,
    authorised_name: str,
    authorised_id_number: str,
    authorised_phone: str,
    at: dt.datetime,
) -> Dossier:
    """A new dossier in memory, checked, routed to its competent agency; not saved."""
    if channel not in Channel.values:
        raise DossierInputError("channel", _("Unknown submission channel."))
    version = case.version
    if version.procedure.current_version_id != version.pk:
        raise DossierInputError("case", _("This case belongs to an outdated procedure version."))
    return Dossier(
        procedure_version=version,
        case=case,
        receiving_unit=unit,
        competent_unit=_competent_unit(case, unit, ward),
        ward=ward,
        channel=channel,
        authorised_name=authorised_name,
        authorised_id_number=authorised_id_number,
        authorised_phone=authorised_phone,
        owner_node=settings.NODE_ID,
        created_by=actor,
        created_at=at,
    )


def _create(
    *,
    actor: User | None,
    case: Case,
    applicant: Applicant,
    unit: Unit,
    channel: str,
    ward: Unit | None,
    authorised_name: str,
    authorised_id_number: str,
    authorised_phone: str,
    at: dt.datetime,
) -> Dossier:
    """Insert the draft and its first event; the caller saves the projection."""
    dossier = _draft(
        actor=actor,
        case=case,
        unit=unit,
        channel=channel,
        ward=ward,
        authorised_name=authorised_name,
        authorised_id_number=authorised_id_number,
        authorised_phone=authorised_phone,
        at=at,
    )
    dossier.applicant = applicant
    rows_insert([dossier])
    _record(
        dossier,
        action=Action.CREATE,
        to_status=Status.DRAFT,
        actor=actor,
        at=at,
        unit=unit,
        from_status="",
    )
    return dossier


def _issue_code(dossier: Dossier, at: dt.datetime) -> list[str]:
    if dossier.code:
        return []
    dossier.code = dossier_code_issue(
        unit_code=dossier.receiving_unit.code,
        at=at,
        hub_range=hub_issues_for_node(dossier.receiving_unit_id),
    )
    dossier.lookup_secret = lookup_secret_new()
    return ["code", "lookup_secret"]


@transaction.atomic
def dossier_submit(
    *,
    actor: User | None,
    dossier: Dossier,
    papers: Sequence[PaperIn] = (),
    at: dt.datetime | None = None,
) -> Dossier:
    """Filed online (status 1): the code is issued, the clock does not start yet."""
    at = _now(at)
    dossier = _locked(dossier)
    check(actor, Action.SUBMIT, dossier)
    checklist = _paper_rows(dossier, papers, supplement=False, at=at)
    missing = _missing_mandatory(dossier, checklist)
    if missing:
        raise DossierInputError(
            "papers", _("Papers still missing: %(names)s.") % {"names": "; ".join(missing)}
        )
    fields = _issue_code(dossier, at)
    dossier.submitted_at = at
    _record(
        dossier,
        action=Action.SUBMIT,
        to_status=Status.SUBMITTED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        data={"code": dossier.code},
    )
    _save(dossier, "submitted_at", *fields)
    return dossier


@transaction.atomic
def dossier_receive(
    *,
    actor: User,
    dossier: Dossier,
    papers: Sequence[PaperIn] = (),
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Accepted by the one-stop desk (status 2): code issued if new, the clock starts."""
    return _receive(actor=actor, dossier=_locked(dossier), papers=papers, note=note, at=_now(at))


def _receive(
    *, actor: User, dossier: Dossier, papers: Sequence[PaperIn], note: str, at: dt.datetime
) -> Dossier:
    """Receive a dossier the caller holds locked (or has just created)."""
    check(actor, Action.RECEIVE, dossier)
    checklist = _paper_rows(dossier, papers, supplement=False, at=at)
    missing = _missing_mandatory(dossier, checklist)
    if missing:
        raise DossierInputError(
            "papers",
            _("Papers still missing: %(names)s. Request a supplement or refuse instead.")
            % {"names": "; ".join(missing)},
        )
    fields = _issue_code(dossier, at)
    dossier.procedure_version.lock()
    dossier.received_at = at
    calendar = calendar_for_unit(dossier.receiving_unit)
    dossier.due_at = engine_due_at(at, dossier.case.time_value, dossier.case.time_unit, calendar)
    _record(
        dossier,
        action=Action.RECEIVE,
        to_status=Status.RECEIVED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note=note,
        data={
            "code": dossier.code,
            "due_at": dossier.due_at.isoformat(),
            "channel": dossier.channel,
        },
    )
    _save(dossier, "received_at", "due_at", *fields)
    return dossier


def dossier_intake(
    *,
    actor: User,
    unit: Unit,
    case: Case,
    applicant: ApplicantIn | Applicant,
    channel: str = Channel.DIRECT,
    papers: Sequence[PaperIn] = (),
    ward: Unit | None = None,
    authorised_name: str = "",
    authorised_id_number: str = "",
    authorised_phone: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Create and receive in one go: a dossier handed in at the desk or arriving by post.

    The same checks, rows and events as :func:`dossier_create` followed by
    :func:`dossier_receive`, written at once: this is what a desk does all
    day, so everything that can be checked is checked before the write lock
    is taken, and the dossier row is inserted in its received state.
    """
    at = _now(at)
    draft = _draft(
        actor=actor,
        case=case,
        unit=unit,
        channel=channel,
        ward=ward,
        authorised_name=authorised_name,
        authorised_id_number=authorised_id_number,
        authorised_phone=authorised_phone,
        at=at,
    )
    check(actor, Action.RECEIVE, draft)
    checklist = list(case.components.all())
    rows = _paper_objects(draft, papers, checklist, supplement=False, at=at)
    handed = {row.component_id for row in rows}
    missing = [c.name for c in checklist if c.mandatory and c.pk not in handed]
    if missing:
        raise DossierInputError(
            "papers",
            _("Papers still missing: %(names)s. Request a supplement or refuse instead.")
            % {"names": "; ".join(missing)},
        )
    calendar = calendar_for_unit(unit)
    due = engine_due_at(at, case.time_value, case.time_unit, calendar)
    with transaction.atomic():
        if isinstance(applicant, ApplicantIn):
            applicant = applicant_find_or_create(data=applicant)
        draft.applicant = applicant
        last = node_seq_next(2)
        fields = _issue_code(draft, at)
        draft.received_at = at
        draft.due_at = due
        draft.status = Status.RECEIVED
        draft.last_seq = last
        rows_insert([draft])
        rows_insert(rows)
        related_known(draft, "components", rows)
        draft.procedure_version.lock()
        draft.status = Status.DRAFT
        created = _event(
            draft,
            action=Action.CREATE,
            to_status=Status.DRAFT,
            actor=actor,
            at=at,
            unit=unit,
            from_status="",
            seq=last - 1,
        )
        received = _event(
            draft,
            action=Action.RECEIVE,
            to_status=Status.RECEIVED,
            actor=actor,
            at=at,
            unit=unit,
            data={"code": draft.code, "due_at": due.isoformat(), "channel": channel},
            seq=last,
        )
        rows_insert([created, received])
        _booked(draft, created)
        _booked(draft, received)
    assert fields, "a new dossier always gets its code"
    return draft


@transaction.atomic
def dossier_refuse(
    *, actor: User, dossier: Dossier, reasons: Sequence[str], at: dt.datetime | None = None
) -> Dossier:
    """Not accepted at reception (form 03), always with reasons."""
    at = _now(at)
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise DossierInputError("reasons", _("Give at least one reason for refusing."))
    dossier = _locked(dossier)
    check(actor, Action.REFUSE, dossier)
    fields = _issue_code(dossier, at)
    dossier.finished_at = at
    _record(
        dossier,
        action=Action.REFUSE,
        to_status=Status.NOT_ACCEPTED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note="\n".join(reasons),
        data={"reasons": reasons},
    )
    _save(dossier, "finished_at", *fields)
    return dossier


# -- processing ------------------------------------------------------------------------------


@transaction.atomic
def dossier_route(
    *, actor: User, dossier: Dossier, to_unit: Unit | None = None, at: dt.datetime | None = None
) -> Dossier:
    """Send to the competent agency (by default the one the catalog names)."""
    at = _now(at)
    dossier = _locked(dossier)
    check(actor, Action.ROUTE, dossier)
    if to_unit is not None:
        province = dossier.receiving_unit.province_id or dossier.receiving_unit.pk
        if to_unit.province_id != province:
            raise DossierInputError("to_unit", _("Route only to an agency of this province."))
        dossier.competent_unit = to_unit
    agency_step = _step_after(dossier, StepActor.AGENCY)
    dossier.step = dossier.step if agency_step is None else agency_step
    _record(
        dossier,
        action=Action.ROUTE,
        to_status=Status.PROCESSING,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        data={"to_unit": dossier.competent_unit.code, "step": dossier.step},
    )
    _save(dossier, "competent_unit", "step")
    return dossier


@transaction.atomic
def dossier_assign(
    *, actor: User, dossier: Dossier, assignee: User, at: dt.datetime | None = None
) -> Dossier:
    at = _now(at)
    dossier = _locked(dossier)
    check(actor, Action.ASSIGN, dossier)
    if not assignee.has_role(Role.SPECIALIST, dossier.competent_unit_id) and not assignee.has_role(
        Role.APPROVER, dossier.competent_unit_id
    ):
        raise DossierInputError(
            "assignee", _("Assign only to a specialist of the competent agency.")
        )
    dossier.assignee = assignee
    _record(
        dossier,
        action=Action.ASSIGN,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        data={"assignee": assignee.get_full_name()},
    )
    _save(dossier, "assignee")
    return dossier


# -- the agency's steps ----------------------------------------------------------------------
#
# Events that move a dossier between catalog steps or agencies carry ``step``
# (the position now holding it) and ``to_unit`` (the unit now holding it), so
# the time of each step can be charged to the agency that held it.


def _step_after(dossier: Dossier, actor: str) -> int | None:
    """Position of the first catalog step of ``actor`` after the current one."""
    positions = dossier.case.steps.filter(actor=actor, position__gt=dossier.step)
    return positions.order_by("position").values_list("position", flat=True).first()


def _agency_of_province(dossier: Dossier, unit: Unit) -> None:
    province = dossier.receiving_unit.province_id or dossier.receiving_unit.pk
    if unit.province_id != province or unit.kind in {UnitKind.CENTER, UnitKind.PROVINCE}:
        raise DossierInputError("to_unit", _("Choose an agency of this province."))


@transaction.atomic
def dossier_forward(
    *,
    actor: User,
    dossier: Dossier,
    to_unit: Unit | None = None,
    same_step: bool = False,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Hand the dossier on: to the catalog's next agency step, or to another agency."""
    at = _now(at)
    dossier = _locked(dossier)
    check(actor, Action.FORWARD, dossier)
    from_step, from_unit = dossier.step, dossier.competent_unit
    if same_step and (to_unit is None or to_unit.pk == from_unit.pk):
        raise DossierInputError("to_unit", _("Choose the agency to hand the dossier to."))
    if not same_step:
        step = _step_after(dossier, StepActor.AGENCY)
        if step is None:
            raise DossierInputError(
                "step", _("This is the last processing step: propose the result instead.")
            )
        dossier.step = step
    if to_unit is not None and to_unit.pk != from_unit.pk:
        _agency_of_province(dossier, to_unit)
        dossier.competent_unit = to_unit
        dossier.assignee = None  # the new agency assigns its own specialist
    _record(
        dossier,
        action=Action.FORWARD,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=from_unit,
        note=note.strip(),
        data={
            "from_step": from_step,
            "step": dossier.step,
            "from_unit": from_unit.code,
            "to_unit": dossier.competent_unit.code,
        },
    )
    _save(dossier, "competent_unit", "assignee", "step")
    return dossier


def _check_outcome(outcome: str, number: str, note: str) -> None:
    """A result is granted with its document's number, or refused with reasons."""
    if outcome not in ResultOutcome.values:
        raise DossierInputError("outcome", _("Unknown result."))
    if outcome == ResultOutcome.REFUSED and not note.strip():
        raise DossierInputError("note", _("A refusal must give its reasons."))
    if outcome == ResultOutcome.GRANTED and not number.strip():
        raise DossierInputError("number", _("Write the number of the result document."))


def _checked_document(document: UploadedFile | None, dossier: Dossier) -> UploadedFile | None:
    if document is None:
        return None
    try:
        checked = check_upload(document)
    except UploadRejectedError as exc:
        raise DossierInputError("document", str(exc)) from exc
    document.name = f"{dossier.pk}-{checked.sha256[:12]}.{checked.extension}"
    return document


@transaction.atomic
def dossier_propose(
    *,
    actor: User,
    dossier: Dossier,
    outcome: str = ResultOutcome.GRANTED,
    number: str = "",
    signer: str = "",
    signed_on: dt.date | None = None,
    note: str = "",
    document: UploadedFile | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The specialist's draft of the result, with its document, for the approver."""
    at = _now(at)
    _check_outcome(outcome, number, note)
    dossier = _locked(dossier)
    check(actor, Action.PROPOSE, dossier)
    # A document proposed earlier and sent back never stands for this proposal.
    dossier.result_file = _checked_document(document, dossier) or ""  # type: ignore[assignment]
    from_step = dossier.step
    approver_step = _step_after(dossier, StepActor.APPROVER)
    dossier.step = from_step if approver_step is None else approver_step
    dossier.result_proposed_at = at
    _record(
        dossier,
        action=Action.PROPOSE,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        note=note.strip(),
        data={
            "outcome": outcome,
            "number": number.strip(),
            "signer": signer.strip(),
            "signed_on": signed_on.isoformat() if signed_on else None,
            "document": bool(document),
            "from_step": from_step,
            "step": dossier.step,
            "to_unit": dossier.competent_unit.code,
        },
    )
    _save(dossier, "result_file", "result_proposed_at", "step")
    return dossier


def _last_proposal(dossier: Dossier) -> DossierEvent | None:
    return dossier.events.filter(action=Action.PROPOSE).order_by("-at", "-seq").first()


@transaction.atomic
def dossier_send_back(
    *, actor: User, dossier: Dossier, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """The approver returns the proposed result to the step that drafted it."""
    at = _now(at)
    if not reason.strip():
        raise DossierInputError("reason", _("Say what needs to change."))
    dossier = _locked(dossier)
    check(actor, Action.SEND_BACK, dossier)
    proposal = _last_proposal(dossier)
    from_step = dossier.step
    dossier.step = int(proposal.data.get("from_step", from_step)) if proposal else from_step
    dossier.result_proposed_at = None
    _record(
        dossier,
        action=Action.SEND_BACK,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        note=reason.strip(),
        data={"from_step": from_step, "step": dossier.step, "to_unit": dossier.competent_unit.code},
    )
    _save(dossier, "result_proposed_at", "step")
    return dossier


@transaction.atomic
def dossier_approve(*, actor: User, dossier: Dossier, at: dt.datetime | None = None) -> Dossier:
    """The approver signs off the proposed result: resolved, its document kept as a result."""
    locked = _locked(dossier)
    check(actor, Action.RESOLVE, locked)
    proposal = _last_proposal(locked) if locked.result_proposed_at else None
    if proposal is None:
        raise TransitionError(_("No result has been proposed for this dossier."), [])
    data = proposal.data
    signed_on = data.get("signed_on")
    done = dossier_resolve(
        actor=actor,
        dossier=locked,
        outcome=data["outcome"],
        number=data.get("number", ""),
        signer=data.get("signer", ""),
        signed_on=dt.date.fromisoformat(signed_on) if signed_on else None,
        note=proposal.note,
        at=at,
    )
    if done.result_file:
        with done.result_file.open("rb") as stored:
            content = stored.read()
        paper_digitise(
            applicant=done.applicant,
            name=done.procedure_version.result_vi or "Kết quả giải quyết hồ sơ",
            upload=SimpleUploadedFile(done.result_file.name.rsplit("/", 1)[-1], content),
            source=done,
            is_result=True,
        )
    return done


def _pause(
    dossier: Dossier,
    action: str,
    target: str,
    actor: User,
    at: dt.datetime,
    note: str,
    data: dict[str, Any],
) -> None:
    dossier.paused_at = at
    acting = (
        dossier.competent_unit if dossier.status == Status.PROCESSING else dossier.receiving_unit
    )
    _record(
        dossier,
        action=action,
        to_status=target,
        actor=actor,
        at=at,
        unit=acting,
        note=note,
        data={**data, "resume_to": dossier.status},
    )


def _resume(
    dossier: Dossier, action: str, actor: User, at: dt.datetime, data: dict[str, Any]
) -> None:
    last_pause = (
        dossier.events.filter(action__in=[Action.REQUEST_SUPPLEMENT, Action.REQUEST_FEES])
        .order_by("-at", "-seq")
        .values_list("data", flat=True)
        .first()
    )
    target = (last_pause or {}).get("resume_to", Status.PROCESSING)
    _record(
        dossier,
        action=action,
        to_status=target,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        data=data,
    )
    dossier.paused_at = None
    dossier.due_at = due_moment(dossier)


@transaction.atomic
def dossier_request_supplement(
    *,
    actor: User,
    dossier: Dossier,
    items: Sequence[str],
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Papers are missing (form 02): the clock stops until they arrive."""
    at = _now(at)
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise DossierInputError("items", _("Name the papers to add."))
    dossier = _locked(dossier)
    check(actor, Action.REQUEST_SUPPLEMENT, dossier)
    _pause(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        Status.SUPPLEMENT_REQUESTED,
        actor,
        at,
        note,
        {"items": items},
    )
    _save(dossier, "paused_at")
    return dossier


@transaction.atomic
def dossier_receive_supplement(
    *, actor: User, dossier: Dossier, papers: Sequence[PaperIn], at: dt.datetime | None = None
) -> Dossier:
    """The missing papers arrived: the clock runs again and the due moment moves."""
    at = _now(at)
    if not papers:
        raise DossierInputError("papers", _("Record the papers handed in."))
    dossier = _locked(dossier)
    check(actor, Action.RECEIVE_SUPPLEMENT, dossier)
    checklist = list(dossier.case.components.all())
    rows = _paper_objects(dossier, papers, checklist, supplement=True, at=at)
    rows_insert(_uploads_received(dossier, rows))
    _resume(dossier, Action.RECEIVE_SUPPLEMENT, actor, at, {"papers": [p.name for p in papers]})
    _save(dossier, "paused_at", "due_at")
    return dossier


def _uploads_received(dossier: Dossier, rows: list[DossierComponent]) -> list[DossierComponent]:
    """A paper the applicant already sent online is recorded on that upload, not again.

    Matched by name (and by file when the desk attached one); the rows left
    over are papers that came only to the counter.
    """
    waiting = supplement_uploads(dossier)
    fresh = []
    for row in rows:
        name = " ".join(row.name.split())
        upload = next(
            (
                u
                for u in waiting
                if " ".join(u.name.split()) == name and (not row.sha256 or row.sha256 == u.sha256)
            ),
            None,
        )
        if upload is None:
            fresh.append(row)
            continue
        waiting.remove(upload)
        upload.component = row.component
        upload.originals = row.originals
        upload.copies = row.copies
        upload.paper_id = row.paper_id or upload.paper_id
        upload.save(update_fields=["component", "originals", "copies", "paper"])
    return fresh


@transaction.atomic
def dossier_request_fees(
    *, actor: User, dossier: Dossier, amount: int, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    at = _now(at)
    if amount <= 0:
        raise DossierInputError("amount", _("The amount must be more than 0 đồng."))
    dossier = _locked(dossier)
    check(actor, Action.REQUEST_FEES, dossier)
    dossier.fees_due += amount
    _pause(dossier, Action.REQUEST_FEES, Status.FEES_REQUESTED, actor, at, note, {"amount": amount})
    _save(dossier, "paused_at", "fees_due")
    return dossier


@transaction.atomic
def dossier_record_payment(
    *,
    actor: User,
    dossier: Dossier,
    amount: int,
    receipt_number: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    at = _now(at)
    dossier = _locked(dossier)
    check(actor, Action.RECORD_PAYMENT, dossier)
    owed = dossier.fees_due - dossier.fees_paid
    if amount != owed:
        raise DossierInputError(
            "amount",
            _("The amount owed is %(owed)s đồng.") % {"owed": f"{owed:,}".replace(",", ".")},
        )
    dossier.fees_paid += amount
    _resume(
        dossier, Action.RECORD_PAYMENT, actor, at, {"amount": amount, "receipt": receipt_number}
    )
    _save(dossier, "paused_at", "due_at", "fees_paid")
    return dossier


@transaction.atomic
def dossier_extend(
    *,
    actor: User,
    dossier: Dossier,
    new_due: dt.datetime,
    reason: str,
    unit: Unit | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """A new date agreed with an apology (form 04); the status does not change.

    ``unit`` is the agency that apologises (the one whose step ran late), by
    default the competent agency.
    """
    at = _now(at)
    if not reason.strip():
        raise DossierInputError("reason", _("Say why the dossier needs more time."))
    dossier = _locked(dossier)
    check(actor, Action.EXTEND, dossier)
    if dossier.due_at and new_due <= dossier.due_at:
        raise DossierInputError(
            "new_due", _("The new date must be later than the current due date.")
        )
    _record(
        dossier,
        action=Action.EXTEND,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=unit or dossier.competent_unit,
        note=reason,
        data={
            "new_due": new_due.isoformat(),
            "old_due": dossier.due_at.isoformat() if dossier.due_at else None,
        },
    )
    dossier.due_at = due_moment(dossier) if dossier.paused_at is None else new_due
    _save(dossier, "due_at")
    return dossier


@transaction.atomic
def dossier_stop(
    *, actor: User, dossier: Dossier, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """Processing stopped (form 05)."""
    at = _now(at)
    if not reason.strip():
        raise DossierInputError("reason", _("Say why processing stops."))
    dossier = _locked(dossier)
    check(actor, Action.STOP, dossier)
    dossier.finished_at = at
    dossier.paused_at = None
    _record(
        dossier,
        action=Action.STOP,
        to_status=Status.STOPPED,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        note=reason,
    )
    _save(dossier, "finished_at", "paused_at")
    return dossier


@transaction.atomic
def dossier_withdraw(
    *, actor: User, dossier: Dossier, reason: str = "", at: dt.datetime | None = None
) -> Dossier:
    """The applicant asked to withdraw the dossier."""
    at = _now(at)
    dossier = _locked(dossier)
    check(actor, Action.WITHDRAW, dossier)
    dossier.finished_at = at
    dossier.paused_at = None
    _record(
        dossier,
        action=Action.WITHDRAW,
        to_status=Status.WITHDRAWN,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note=reason,
    )
    _save(dossier, "finished_at", "paused_at")
    return dossier


@transaction.atomic
def dossier_resolve(
    *,
    actor: User,
    dossier: Dossier,
    outcome: str = ResultOutcome.GRANTED,
    number: str = "",
    signer: str = "",
    signed_on: dt.date | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is ready at the desk: a granted document, or a refusal with reasons."""
    at = _now(at)
    _check_outcome(outcome, number, note)
    dossier = _locked(dossier)
    check(actor, Action.RESOLVE, dossier)
    dossier.result_outcome = outcome
    dossier.result_number = number.strip()
    dossier.result_signer = signer.strip() or actor.get_full_name()
    dossier.result_signed_on = signed_on or timezone.localdate(at)
    dossier.result_note = note.strip()
    dossier.finished_at = at
    dossier.result_proposed_at = None
    desk_step = _step_after(dossier, StepActor.DESK)
    dossier.step = dossier.step if desk_step is None else desk_step
    _record(
        dossier,
        action=Action.RESOLVE,
        to_status=Status.RESOLVED,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        note=note,
        data={
            "outcome": outcome,
            "number": dossier.result_number,
            "step": dossier.step,
            "to_unit": dossier.receiving_unit.code,
        },
    )
    _save(
        dossier,
        "result_outcome",
        "result_number",
        "result_signer",
        "result_signed_on",
        "result_note",
        "finished_at",
        "result_proposed_at",
        "step",
    )
    return dossier


@transaction.atomic
def dossier_return(
    *,
    actor: User,
    dossier: Dossier,
    channel: str = ReturnChannel.DIRECT,
    collected_by: str = "",
    collector_id_number: str = "",
    originals_returned: Sequence[str] = (),
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is handed over: at the desk, online or by post."""
    at = _now(at)
    if channel not in ReturnChannel.values:
        raise DossierInputError("channel", _("Unknown return channel."))
    if channel == ReturnChannel.DIRECT and not collected_by.strip():
        raise DossierInputError("collected_by", _("Write who collected the result."))
    dossier = _locked(dossier)
    check(actor, Action.RETURN, dossier)
    dossier.return_channel = channel
    dossier.returned_at = at
    _record(
        dossier,
        action=Action.RETURN,
        to_status=Status.RETURNED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note=note,
        data={
            "channel": channel,
            "collected_by": collected_by.strip(),
            "collector_id_number": collector_id_number.strip(),
            **({"originals_returned": list(originals_returned)} if originals_returned else {}),
        },
    )
    _save(dossier, "return_channel", "returned_at")
    return dossier


# -- papers the applicant sends online -------------------------------------------------------


def _applicant_owns(actor: User, dossier: Dossier) -> bool:
    filed_online = dossier.channel == Channel.ONLINE and dossier.created_by_id == actor.pk
    return filed_online or dossier.applicant.user_id == actor.pk


@transaction.atomic
def dossier_supplement_upload(
    *, actor: User, dossier: Dossier, upload: Any, name: str = "", at: dt.datetime | None = None
) -> DossierComponent:
    """A requested paper sent online by the applicant, kept for the desk to check.

    The scan is stored as a supplement paper of the dossier, once per sha256,
    so an upload retried on a weak line adds nothing. The status and the clock
    do not change here: the desk checks the papers and records them with
    :func:`dossier_receive_supplement`, which resumes the clock.
    Raises ``core.uploads.UploadRejectedError`` for a file that is not a scan.
    """
    # Imported here: this block was appended without touching the module's imports.
    from core.uploads import check_upload

    at = _now(at)
    dossier = _locked(dossier)
    if not _applicant_owns(actor, dossier):
        raise DossierInputError("dossier", _("Only the applicant may add papers to this dossier."))
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise DossierInputError("file", _("No papers are asked for on this dossier now."))
    checked = check_upload(upload)
    existing = dossier.components.filter(supplement=True, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    upload.name = f"{checked.sha256[:16]}.{checked.extension}"
    return DossierComponent.objects.create(
        dossier=dossier,
        name=" ".join(name.split())[:500] or _("Added paper"),
        file=upload,
        sha256=checked.sha256,
        supplement=True,
        received_at=at,
    )


def supplement_uploads(dossier: Dossier) -> list[DossierComponent]:
    """Papers the applicant sent online since the latest supplement request, for the desk."""
    asked = (
        dossier.events.filter(action=Action.REQUEST_SUPPLEMENT)
        .order_by("-at", "-seq")
        .values_list("at", flat=True)
        .first()
    )
    if asked is None:
        return []
    return list(
        dossier.components.filter(supplement=True, received_at__gte=asked)
        .exclude(file="")
        .order_by("received_at")
    )
