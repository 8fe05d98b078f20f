"""Dossiers made and received: drafts, online submission, the desk's reception and intake,
and refusal at reception."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Case
from core.models import related_known
from core.rows import rows_insert
from deadlines.calendar import calendar_for_unit
from deadlines.engine import due_at as engine_due_at
from dossiers.codes import dossier_code_issue, lookup_secret_new, node_seq_next
from dossiers.kept import competent_unit_kept
from dossiers.models import (
    Action,
    Applicant,
    Channel,
    Dossier,
    Status,
)
from dossiers.services.common import (
    ApplicantIn,
    DossierInputError,
    PaperIn,
    dossier_locked,
    event_append,
    event_booked,
    event_new,
    mandatory_missing,
    moment_or_now,
    papers_checked,
    papers_insert,
    projection_save,
)
from dossiers.workflow import check
from sync.ownership import hub_issues_for_node
from units.models import Unit, UnitKind

# -- creation and reception ------------------------------------------------------------------


# Every intake at the desk asks this; written out, it costs a fraction of the ORM's query.
APPLICANT_SQL = (
    f"SELECT * FROM {Applicant._meta.db_table} WHERE kind = %s AND id_number = %s "
    "ORDER BY id LIMIT 1"
)


SEXES = frozenset({"", "male", "female"})


def _contact_checked(data: ApplicantIn) -> None:
    """Refuse details that could not be true: messages go to the phone and email kept."""
    digits = "".join(ch for ch in data.phone if ch.isdigit())
    if data.phone.strip() and (
        not 9 <= len(digits) <= 15 or any(ch.isalpha() for ch in data.phone)
    ):
        raise DossierInputError(
            "applicant.phone", _("A phone number has 10 digits, e.g. 0905 123 456.")
        )
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            raise DossierInputError("applicant.email", _("This is not an email address.")) from None
    if data.sex not in SEXES:
        raise DossierInputError("applicant.sex", _("Sex is “male”, “female” or left empty."))
    if data.birth_date and data.birth_date > timezone.localdate():
        raise DossierInputError(
            "applicant.birth_date", _("The date of birth cannot be in the future.")
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
    _contact_checked(data)
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
    at = moment_or_now(at)
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
    event_append(
        dossier,
        action=Action.CREATE,
        to_status=Status.DRAFT,
        actor=actor,
        at=at,
        unit=unit,
        from_status="",
    )
    projection_save(dossier)
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
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.SUBMIT, dossier)
    checklist = papers_insert(dossier, papers, supplement=False, at=at)
    # Online, what is brought to the desk or only shown there needs no scan.
    level = dossier.procedure_version.online_level
    missing = mandatory_missing(dossier, [c for c in checklist if c.scan_required_online(level)])
    if missing:
        raise DossierInputError(
            "papers", _("Papers still missing: %(names)s.") % {"names": "; ".join(missing)}
        )
    fields = _issue_code(dossier, at)
    dossier.submitted_at = at
    event_append(
        dossier,
        action=Action.SUBMIT,
        to_status=Status.SUBMITTED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        data={"code": dossier.code},
    )
    projection_save(dossier, "submitted_at", *fields)
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
    return _receive(
        actor=actor, dossier=dossier_locked(dossier), papers=papers, note=note, at=moment_or_now(at)
    )


def _receive(
    *, actor: User, dossier: Dossier, papers: Sequence[PaperIn], note: str, at: dt.datetime
) -> Dossier:
    """Receive a dossier the caller holds locked (or has just created)."""
    check(actor, Action.RECEIVE, dossier)
    checklist = papers_insert(dossier, papers, supplement=False, at=at)
    missing = mandatory_missing(dossier, checklist)
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
    event_append(
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
    projection_save(dossier, "received_at", "due_at", *fields)
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
    at = moment_or_now(at)
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
    rows = papers_checked(draft, papers, checklist, supplement=False, at=at)
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
        created = event_new(
            draft,
            action=Action.CREATE,
            to_status=Status.DRAFT,
            actor=actor,
            at=at,
            unit=unit,
            from_status="",
            seq=last - 1,
        )
        received = event_new(
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
        event_booked(draft, created)
        event_booked(draft, received)
    assert fields, "a new dossier always gets its code"
    return draft


@transaction.atomic
def dossier_refuse(
    *, actor: User, dossier: Dossier, reasons: Sequence[str], at: dt.datetime | None = None
) -> Dossier:
    """Not accepted at reception (form 03), always with reasons."""
    at = moment_or_now(at)
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise DossierInputError("reasons", _("Give at least one reason for refusing."))
    dossier = dossier_locked(dossier)
    check(actor, Action.REFUSE, dossier)
    fields = _issue_code(dossier, at)
    dossier.finished_at = at
    event_append(
        dossier,
        action=Action.REFUSE,
        to_status=Status.NOT_ACCEPTED,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        note="\n".join(reasons),
        data={"reasons": reasons},
    )
    projection_save(dossier, "finished_at", *fields)
    return dossier
