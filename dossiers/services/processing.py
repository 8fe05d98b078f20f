"""Work after reception: routing to the competent agency, assignment, and the agency's
steps from a specialist's proposal to the result, granted or refused with reasons."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from catalog.models import StepActor
from core.uploads import UploadRejectedError, check_upload
from dossiers.models import (
    Action,
    Dossier,
    DossierEvent,
    ResultOutcome,
    Status,
)
from dossiers.papers import result_paper_keep
from dossiers.services.common import (
    DossierInputError,
    dossier_locked,
    event_append,
    moment_or_now,
    projection_save,
)
from dossiers.workflow import TransitionError, check
from units.models import Unit, UnitKind

# -- processing ------------------------------------------------------------------------------


@transaction.atomic
def dossier_route(
    *, actor: User, dossier: Dossier, to_unit: Unit | None = None, at: dt.datetime | None = None
) -> Dossier:
    """Send to the competent agency (by default the one the catalog names)."""
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.ROUTE, dossier)
    if to_unit is not None:
        province = dossier.receiving_unit.province_id or dossier.receiving_unit.pk
        if to_unit.province_id != province:
            raise DossierInputError("to_unit", _("Route only to an agency of this province."))
        dossier.competent_unit = to_unit
    agency_step = _step_after(dossier, StepActor.AGENCY)
    dossier.step = dossier.step if agency_step is None else agency_step
    event_append(
        dossier,
        action=Action.ROUTE,
        to_status=Status.PROCESSING,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        data={"to_unit": dossier.competent_unit.code, "step": dossier.step},
    )
    projection_save(dossier, "competent_unit", "step")
    return dossier


@transaction.atomic
def dossier_assign(
    *, actor: User, dossier: Dossier, assignee: User, at: dt.datetime | None = None
) -> Dossier:
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.ASSIGN, dossier)
    if not assignee.has_role(Role.SPECIALIST, dossier.competent_unit_id) and not assignee.has_role(
        Role.APPROVER, dossier.competent_unit_id
    ):
        raise DossierInputError(
            "assignee", _("Assign only to a specialist of the competent agency.")
        )
    dossier.assignee = assignee
    event_append(
        dossier,
        action=Action.ASSIGN,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        data={"assignee": assignee.get_full_name()},
    )
    projection_save(dossier, "assignee")
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
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
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
    event_append(
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
    projection_save(dossier, "competent_unit", "assignee", "step")
    return dossier


def result_problems(
    *,
    outcome: str,
    number: str,
    note: str,
    signer: str,
    signed_on: dt.date | None,
    received_at: dt.datetime | None,
    at: dt.datetime,
    proposal: bool,
) -> list[DossierInputError]:
    """Everything wrong with a result as written, each on its field; none read the database.

    A result is granted with its document's number, or refused with reasons; a proposal
    that grants names who signs it (a direct resolution is signed by the one resolving);
    a document is signed between the dossier's reception and today. The services raise
    the first; a page may show them all at once.
    """
    problems = []
    if outcome not in ResultOutcome.values:
        problems.append(DossierInputError("outcome", _("Unknown result.")))
    if outcome == ResultOutcome.REFUSED and not note.strip():
        problems.append(DossierInputError("note", _("A refusal must give its reasons.")))
    if outcome == ResultOutcome.GRANTED and not number.strip():
        problems.append(DossierInputError("number", _("Write the number of the result document.")))
    if proposal and outcome == ResultOutcome.GRANTED and not signer.strip():
        problems.append(DossierInputError("signer", _("Write who signs the result document.")))
    received = timezone.localdate(received_at) if received_at else None
    if signed_on is not None and signed_on > timezone.localdate(at):
        problems.append(
            DossierInputError("signed_on", _("The signing date cannot be in the future."))
        )
    elif signed_on is not None and received is not None and signed_on < received:
        problems.append(
            DossierInputError(
                "signed_on",
                _("The signing date cannot be before the dossier was received (%(date)s).")
                % {"date": received.strftime("%d/%m/%Y")},
            )
        )
    return problems


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
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.PROPOSE, dossier)
    problems = result_problems(
        outcome=outcome,
        number=number,
        note=note,
        signer=signer,
        signed_on=signed_on,
        received_at=dossier.received_at,
        at=at,
        proposal=True,
    )
    if problems:
        raise problems[0]
    # A document proposed earlier and sent back never stands for this proposal.
    dossier.result_file = _checked_document(document, dossier) or ""  # type: ignore[assignment]
    from_step = dossier.step
    approver_step = _step_after(dossier, StepActor.APPROVER)
    dossier.step = from_step if approver_step is None else approver_step
    dossier.result_proposed_at = at
    event_append(
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
    projection_save(dossier, "result_file", "result_proposed_at", "step")
    return dossier


def _last_proposal(dossier: Dossier) -> DossierEvent | None:
    return dossier.events.filter(action=Action.PROPOSE).order_by("-at", "-seq").first()


@transaction.atomic
def dossier_send_back(
    *, actor: User, dossier: Dossier, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """The approver returns the proposed result to the step that drafted it."""
    at = moment_or_now(at)
    if not reason.strip():
        raise DossierInputError("reason", _("Say what needs to change."))
    dossier = dossier_locked(dossier)
    check(actor, Action.SEND_BACK, dossier)
    proposal = _last_proposal(dossier)
    from_step = dossier.step
    dossier.step = int(proposal.data.get("from_step", from_step)) if proposal else from_step
    dossier.result_proposed_at = None
    event_append(
        dossier,
        action=Action.SEND_BACK,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=dossier.competent_unit,
        note=reason.strip(),
        data={"from_step": from_step, "step": dossier.step, "to_unit": dossier.competent_unit.code},
    )
    projection_save(dossier, "result_proposed_at", "step")
    return dossier


@transaction.atomic
def dossier_approve(*, actor: User, dossier: Dossier, at: dt.datetime | None = None) -> Dossier:
    """The approver signs off the proposed result: resolved, its document kept as a result."""
    locked = dossier_locked(dossier)
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
        name = done.result_file.name.rsplit("/", 1)[-1]
        result_paper_keep(done, SimpleUploadedFile(name, content))
    return done


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
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.RESOLVE, dossier)
    problems = result_problems(
        outcome=outcome,
        number=number,
        note=note,
        signer=signer,
        signed_on=signed_on,
        received_at=dossier.received_at,
        at=at,
        proposal=False,
    )
    if problems:
        raise problems[0]
    dossier.result_outcome = outcome
    dossier.result_number = number.strip()
    dossier.result_signer = signer.strip() or actor.get_full_name()
    dossier.result_signed_on = signed_on or timezone.localdate(at)
    dossier.result_note = note.strip()
    dossier.finished_at = at
    dossier.result_proposed_at = None
    desk_step = _step_after(dossier, StepActor.DESK)
    dossier.step = dossier.step if desk_step is None else desk_step
    event_append(
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
    projection_save(
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
