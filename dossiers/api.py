"""The dossier API: intake at the desk, every transition, scoped reads, and the public lookup.

Endpoints translate JSON into the arguments of ``dossiers.services`` and the
result back into JSON; the rules live in the services and in
``dossiers.workflow``. A staff member only ever sees dossiers received at or
decided by a unit where they hold a role; anything else answers 404, the same
as a dossier that does not exist.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.api_auth import STAFF_AUTH, ErrorOut, ValidationErrorOut, staff_of
from accounts.models import User
from catalog.models import Case
from core.pages import Pages
from core.ratelimit import rate_limit_hit
from dossiers import services
from dossiers.access import NOT_PUBLIC, dossier_for_lookup, dossier_for_staff, dossiers_for_staff
from dossiers.codes import SECRET_LENGTH
from dossiers.kept import case_kept, unit_kept
from dossiers.models import (
    AccessRecord,
    Action,
    Dossier,
    DossierEvent,
    DossierQuerySet,
)
from dossiers.models import Status as DossierStatus
from dossiers.schemas import (
    ApplicantBody,
    AssignBody,
    ConflictOut,
    DossierOut,
    DossierSummaryOut,
    DraftBody,
    EventOut,
    ExtendBody,
    ForwardBody,
    IntakeBody,
    LookupEventOut,
    LookupOut,
    PaperBody,
    ProposeBody,
    ReceiveBody,
    ReceiveSupplementBody,
    RecordPaymentBody,
    RefuseBody,
    RequestFeesBody,
    RequestSupplementBody,
    ResolveBody,
    ReturnBody,
    RouteBody,
    SendBackBody,
    StopBody,
    WithdrawBody,
)
from dossiers.services import ApplicantIn, DossierInputError, PaperIn
from units.models import Unit

router = Router(tags=["dossiers"], auth=STAFF_AUTH)
lookup_router = Router(tags=["public lookup"])

# The names the services give a field, where the API calls it differently.
API_FIELD_NAMES = {"case": "case_id"}

LOOKUP_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 60


# -- turning input into service arguments ------------------------------------------------------


def _unit_by_code(code: str, field_name: str) -> Unit:
    # The province and parent come along: routing the dossier reads both.
    units = Unit.objects.select_related("province", "parent")
    unit = units.filter(code=code.strip(), is_active=True).first()
    if unit is None:
        raise DossierInputError(field_name, _("No active unit has this electronic id."))
    return unit


def _ward(code: str | None) -> Unit | None:
    if code is None:
        return None
    # Whether it is a ward of this province is the service's rule.
    return _unit_by_code(code, "ward")


def _receiving_unit(user: User, code: str | None) -> Unit:
    if code is None:
        units = {a.unit_id for a in user.assignments.all()}
        only = unit_kept(units.pop()) if len(units) == 1 else None
        if only is None:
            raise DossierInputError("unit", _("Name the center that receives the dossier."))
        return only
    unit = _unit_by_code(code, "unit")
    if not user.roles_in(unit.pk):
        raise DossierInputError("unit", _("You hold no role in this unit."))
    return unit


def _case(case_id: uuid.UUID) -> Case:
    case = case_kept(case_id)
    if case is None:
        raise DossierInputError("case", _("The catalog has no case with this id."))
    return case


def _applicant(body: ApplicantBody) -> ApplicantIn:
    return ApplicantIn(**body.model_dump())


def _papers(papers: Sequence[PaperBody]) -> list[PaperIn]:
    return [PaperIn(**paper.model_dump()) for paper in papers]


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def input_error_body(error: DossierInputError) -> dict[str, Any]:
    """A service's refusal in the shape of the API's other 422 answers."""
    field_name = API_FIELD_NAMES.get(error.field, error.field)
    return {
        "detail": [
            {
                "field": field_name,
                "msg": str(error.message),
                "type": "invalid",
                "loc": ["body", *field_name.split(".")],
            }
        ]
    }


# -- staff endpoints -------------------------------------------------------------------------

READ = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
ACTION = {200: DossierOut, 409: ConflictOut, **READ}


@router.get("", response={200: list[DossierSummaryOut], 401: ErrorOut, 422: ValidationErrorOut})
@paginate(Pages)
def dossier_list(request: HttpRequest, status: DossierStatus | None = None) -> DossierQuerySet:
    """Dossiers of your units, newest first."""
    dossiers = dossiers_for_staff(staff_of(request)).select_related(
        "procedure_version__procedure", "case", "receiving_unit", "competent_unit"
    )
    if status is not None:
        dossiers = dossiers.filter(status=status)
    return dossiers.order_by("-created_at", "-id")


@router.post(
    "", response={201: DossierOut, 409: ConflictOut, 401: ErrorOut, 422: ValidationErrorOut}
)
def intake(request: HttpRequest, body: IntakeBody) -> Status[Dossier]:
    """Create and receive a dossier handed in at the desk or arriving by post.

    Answers with the code and lookup secret to print on the receipt, and the due moment.
    """
    user = staff_of(request)
    dossier = services.dossier_intake(
        actor=user,
        unit=_receiving_unit(user, body.unit),
        case=_case(body.case_id),
        applicant=_applicant(body.applicant),
        channel=body.channel,
        papers=_papers(body.papers),
        ward=_ward(body.ward),
        authorised_name=body.authorised_name,
        authorised_id_number=body.authorised_id_number,
        authorised_phone=body.authorised_phone,
    )
    return Status(201, dossier)


@router.post(
    "/drafts", response={201: DossierOut, 409: ConflictOut, 401: ErrorOut, 422: ValidationErrorOut}
)
def draft(request: HttpRequest, body: DraftBody) -> Status[Dossier]:
    """Open a draft at the desk, to receive or refuse it next (it has no code until then)."""
    user = staff_of(request)
    unit = _receiving_unit(user, body.unit)
    case = _case(body.case_id)
    ward = _ward(body.ward)
    # One transaction, as dossier_intake does: a draft refused for its ward
    # must not leave a new applicant behind.
    with transaction.atomic():
        dossier = services.dossier_create(
            actor=user,
            unit=unit,
            case=case,
            applicant=services.applicant_find_or_create(data=_applicant(body.applicant)),
            channel=body.channel,
            ward=ward,
            authorised_name=body.authorised_name,
            authorised_id_number=body.authorised_id_number,
            authorised_phone=body.authorised_phone,
        )
    return Status(201, dossier)


@router.get("/{ref}", response={200: DossierOut, **READ})
def dossier_detail(request: HttpRequest, ref: str) -> Dossier:
    """One dossier by its code (or its id while a draft)."""
    return dossier_for_staff(staff_of(request), ref, read=AccessRecord.Kind.API)


@router.get("/{ref}/events", response={200: list[EventOut], **READ})
def dossier_events(request: HttpRequest, ref: str) -> list[DossierEvent]:
    """Everything that happened to the dossier, oldest first."""
    dossier = dossier_for_staff(staff_of(request), ref, read=AccessRecord.Kind.API, detail="events")
    return list(dossier.events.select_related("unit").order_by("at", "seq"))


F = TypeVar("F", bound=Callable[..., Any])


def _action(action: str) -> Callable[[F], F]:
    return router.post(
        f"/{{ref}}/actions/{action}", response=ACTION, operation_id=f"dossier_{action}"
    )


def _target(request: HttpRequest, ref: str) -> tuple[User, Dossier]:
    user = staff_of(request)
    return user, dossier_for_staff(user, ref)


@_action(Action.RECEIVE)
def receive(request: HttpRequest, ref: str, body: ReceiveBody) -> Dossier:
    """Accept a draft or an online submission: the code is issued and the clock starts."""
    user, dossier = _target(request, ref)
    papers = _papers(body.papers)
    done = services.dossier_receive(actor=user, dossier=dossier, papers=papers, note=body.note)
    return done


@_action(Action.REFUSE)
def refuse(request: HttpRequest, ref: str, body: RefuseBody) -> Dossier:
    """Not accepted at reception (form 03), with reasons."""
    user, dossier = _target(request, ref)
    return services.dossier_refuse(actor=user, dossier=dossier, reasons=body.reasons)


@_action(Action.ROUTE)
def route(request: HttpRequest, ref: str, body: RouteBody) -> Dossier:
    """Send to the competent agency (by default the one the catalog names)."""
    user, dossier = _target(request, ref)
    to_unit = _unit_by_code(body.to_unit, "to_unit") if body.to_unit else None
    return services.dossier_route(actor=user, dossier=dossier, to_unit=to_unit)


@_action(Action.ASSIGN)
def assign(request: HttpRequest, ref: str, body: AssignBody) -> Dossier:
    """Give the dossier to a specialist of the competent agency."""
    user, dossier = _target(request, ref)
    assignee = User.objects.prefetch_related("assignments").filter(username=body.assignee).first()
    if assignee is None:
        raise DossierInputError("assignee", _("No staff member has this username."))
    return services.dossier_assign(actor=user, dossier=dossier, assignee=assignee)


@_action(Action.FORWARD)
def forward(request: HttpRequest, ref: str, body: ForwardBody) -> Dossier:
    """Hand on to the catalog's next agency step, or to another agency."""
    user, dossier = _target(request, ref)
    to_unit = _unit_by_code(body.to_unit, "to_unit") if body.to_unit else None
    return services.dossier_forward(
        actor=user, dossier=dossier, to_unit=to_unit, same_step=body.same_step, note=body.note
    )


@_action(Action.PROPOSE)
def propose(request: HttpRequest, ref: str, body: ProposeBody) -> Dossier:
    """Draft the result for the approver (the document is uploaded on the processing page)."""
    user, dossier = _target(request, ref)
    return services.dossier_propose(actor=user, dossier=dossier, **body.model_dump())


@_action(Action.SEND_BACK)
def send_back(request: HttpRequest, ref: str, body: SendBackBody) -> Dossier:
    """The approver returns the proposed result for rework."""
    user, dossier = _target(request, ref)
    return services.dossier_send_back(actor=user, dossier=dossier, reason=body.reason)


@_action(Action.REQUEST_SUPPLEMENT)
def request_supplement(request: HttpRequest, ref: str, body: RequestSupplementBody) -> Dossier:
    """Ask for missing papers (form 02); the clock stops."""
    user, dossier = _target(request, ref)
    done = services.dossier_request_supplement(
        actor=user, dossier=dossier, items=body.items, note=body.note
    )
    return done


@_action(Action.RECEIVE_SUPPLEMENT)
def receive_supplement(request: HttpRequest, ref: str, body: ReceiveSupplementBody) -> Dossier:
    """The missing papers arrived; the clock runs again."""
    user, dossier = _target(request, ref)
    papers = _papers(body.papers)
    return services.dossier_receive_supplement(actor=user, dossier=dossier, papers=papers)


@_action(Action.REQUEST_FEES)
def request_fees(request: HttpRequest, ref: str, body: RequestFeesBody) -> Dossier:
    """Ask for the applicant's financial obligation; the clock stops."""
    user, dossier = _target(request, ref)
    done = services.dossier_request_fees(
        actor=user, dossier=dossier, amount=body.amount, note=body.note
    )
    return done


@_action(Action.RECORD_PAYMENT)
def record_payment(request: HttpRequest, ref: str, body: RecordPaymentBody) -> Dossier:
    """The amount owed was paid; the clock runs again."""
    user, dossier = _target(request, ref)
    done = services.dossier_record_payment(
        actor=user, dossier=dossier, amount=body.amount, receipt_number=body.receipt_number
    )
    return done


@_action(Action.STOP)
def stop(request: HttpRequest, ref: str, body: StopBody) -> Dossier:
    """Stop processing (form 05)."""
    user, dossier = _target(request, ref)
    return services.dossier_stop(actor=user, dossier=dossier, reason=body.reason)


@_action(Action.WITHDRAW)
def withdraw(request: HttpRequest, ref: str, body: WithdrawBody) -> Dossier:
    """The applicant withdrew the dossier."""
    user, dossier = _target(request, ref)
    return services.dossier_withdraw(actor=user, dossier=dossier, reason=body.reason)


@_action(Action.RESOLVE)
def resolve(request: HttpRequest, ref: str, body: ResolveBody) -> Dossier:
    """The result is ready at the desk: granted, or refused with reasons."""
    user, dossier = _target(request, ref)
    return services.dossier_resolve(actor=user, dossier=dossier, **body.model_dump())


@_action(Action.EXTEND)
def extend(request: HttpRequest, ref: str, body: ExtendBody) -> Dossier:
    """A later due moment, agreed with an apology (form 04)."""
    user, dossier = _target(request, ref)
    done = services.dossier_extend(
        actor=user, dossier=dossier, new_due=_aware(body.new_due), reason=body.reason
    )
    return done


@_action(Action.RETURN)
def return_result(request: HttpRequest, ref: str, body: ReturnBody) -> Dossier:
    """The result is handed over: at the desk, online or by post."""
    user, dossier = _target(request, ref)
    done = services.dossier_return(
        actor=user,
        dossier=dossier,
        channel=body.channel,
        collected_by=body.collected_by,
        collector_id_number=body.collector_id_number,
    )
    return done


# -- public lookup ---------------------------------------------------------------------------


@lookup_router.get(
    "", response={200: LookupOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}
)
def lookup(
    request: HttpRequest,
    code: str = Query(..., max_length=40),
    secret: str = Query(..., max_length=SECRET_LENGTH * 2),
) -> Any:
    """Where a dossier stands, for whoever holds its receipt (code and secret).

    Limited to a few attempts a minute per address; a wrong secret and an
    unknown code answer alike.
    """
    client = request.META.get("REMOTE_ADDR", "")
    wait = rate_limit_hit(f"lookup:{client}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW_SECONDS)
    if wait is not None:
        response = JsonResponse({"detail": _("Too many attempts; try again later.")}, status=429)
        response["Retry-After"] = str(wait)
        return response
    dossier = dossier_for_lookup(code, secret)
    if dossier is None:
        return Status(404, {"detail": _("No dossier matches this code and secret.")})
    history = (
        dossier.events.exclude(action__in=NOT_PUBLIC)
        .order_by("at", "seq")
        .values_list("action", "at")
    )
    return LookupOut(
        code=dossier.code or "",
        status=dossier.status,
        status_label=str(DossierStatus(dossier.status).label),
        national_status=dossier.national_status,
        procedure_code=dossier.procedure_version.procedure.code,
        procedure_name=dossier.procedure_version.name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        history=[
            LookupEventOut(action=action, label=str(Action(action).label), at=at)
            for action, at in history
        ],
    )
