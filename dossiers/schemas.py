"""What the dossier API reads and answers: the JSON bodies of intake and of every
transition, the dossier as staff see it, and the public lookup's answer."""

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import PlainSerializer

from accounts.models import User
from dossiers.models import (
    Action,
    Dossier,
    DossierComponent,
    DossierEvent,
)
from dossiers.models import Status as DossierStatus
from dossiers.workflow import allowed_actions


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


# A moment answered in the node's time zone, whether the service just made it or it was
# read back from a database that keeps UTC: the same moment always reads the same.
Moment = Annotated[dt.datetime, PlainSerializer(_local, return_type=str)]

# -- input -----------------------------------------------------------------------------------


class ApplicantBody(Schema):
    kind: Literal["citizen", "business"] = "citizen"
    full_name: str = Field(max_length=200)
    id_number: str = Field("", max_length=20)
    birth_date: dt.date | None = None
    sex: str = Field("", max_length=10)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    representative: str = Field("", max_length=200)


class PaperBody(Schema):
    """A paper handed over: a checklist item of the case (``component_id``) or a named one."""

    component_id: uuid.UUID | None = None
    name: str = Field("", max_length=500)
    originals: int = Field(0, ge=0, le=999)
    copies: int = Field(0, ge=0, le=999)
    reused: bool = False


class DraftBody(Schema):
    case_id: uuid.UUID
    applicant: ApplicantBody
    channel: Literal["direct", "post"] = "direct"
    unit: str | None = Field(
        None,
        max_length=20,
        description="Receiving center (e-id); optional for staff with roles in one unit only.",
    )
    ward: str | None = Field(None, max_length=20, description="The applicant's ward (e-id).")
    authorised_name: str = Field("", max_length=200)
    authorised_id_number: str = Field("", max_length=20)
    authorised_phone: str = Field("", max_length=20)


class IntakeBody(DraftBody):
    papers: list[PaperBody] = []


class ReceiveBody(Schema):
    papers: list[PaperBody] = []
    note: str = ""


class RefuseBody(Schema):
    reasons: list[str]


class RouteBody(Schema):
    to_unit: str | None = Field(None, max_length=20, description="Electronic id of the agency.")


class AssignBody(Schema):
    assignee: str = Field(description="Username of the specialist.")


class ForwardBody(Schema):
    to_unit: str | None = Field(None, max_length=20, description="Electronic id of the agency.")
    same_step: bool = Field(False, description="Hand over to another agency within this step.")
    note: str = ""


class SendBackBody(Schema):
    reason: str


class RequestSupplementBody(Schema):
    items: list[str]
    note: str = ""


class ReceiveSupplementBody(Schema):
    papers: list[PaperBody]


class RequestFeesBody(Schema):
    amount: int = Field(le=10**15, description="VND")
    note: str = ""


class RecordPaymentBody(Schema):
    amount: int = Field(le=10**15, description="VND")
    receipt_number: str = Field("", max_length=60)


class StopBody(Schema):
    reason: str


class WithdrawBody(Schema):
    reason: str = ""


class ResolveBody(Schema):
    outcome: Literal["granted", "refused"] = "granted"
    number: str = Field("", max_length=60)
    signer: str = Field("", max_length=200)
    signed_on: dt.date | None = None
    note: str = ""


# A proposal carries what the approved result will: the same fields.
ProposeBody = ResolveBody


class ExtendBody(Schema):
    new_due: dt.datetime
    reason: str


class ReturnBody(Schema):
    channel: Literal["direct", "online", "post"] = "direct"
    collected_by: str = Field("", max_length=200)
    collector_id_number: str = Field("", max_length=20)


# -- output ----------------------------------------------------------------------------------


class ConflictOut(Schema):
    detail: str
    allowed_actions: list[str]


class ApplicantOut(Schema):
    kind: str
    full_name: str
    id_number: str
    birth_date: dt.date | None
    sex: str
    address: str
    phone: str
    email: str
    representative: str


class PaperOut(Schema):
    id: uuid.UUID
    component_id: uuid.UUID | None
    name: str
    originals: int
    copies: int
    reused: bool
    supplement: bool
    received_at: Moment


class ResultOut(Schema):
    outcome: str
    number: str
    signer: str
    signed_on: dt.date | None
    note: str


class DossierSummaryOut(Schema):
    id: uuid.UUID
    code: str | None
    status: str
    status_label: str
    national_status: int | None
    procedure_code: str
    case_name: str
    receiving_unit: str
    competent_unit: str
    received_at: Moment | None
    due_at: Moment | None

    @staticmethod
    def resolve_status_label(obj: Dossier) -> str:
        return str(DossierStatus(obj.status).label)

    @staticmethod
    def resolve_procedure_code(obj: Dossier) -> str:
        return obj.procedure_version.procedure.code

    @staticmethod
    def resolve_case_name(obj: Dossier) -> str:
        return obj.case.name

    @staticmethod
    def resolve_receiving_unit(obj: Dossier) -> str:
        return obj.receiving_unit.code

    @staticmethod
    def resolve_competent_unit(obj: Dossier) -> str:
        return obj.competent_unit.code


class DossierOut(DossierSummaryOut):
    secret: str = Field(description="Lookup secret printed on the receipt.")
    procedure_name: str
    case_id: uuid.UUID
    channel: str
    applicant: ApplicantOut
    authorised_name: str
    authorised_id_number: str
    authorised_phone: str
    ward: str | None
    created_at: Moment
    submitted_at: Moment | None
    paused_at: Moment | None
    finished_at: Moment | None
    returned_at: Moment | None
    assignee: str | None
    fees_due: int
    fees_paid: int
    result: ResultOut | None
    papers: list[PaperOut]
    allowed_actions: list[str] = Field(description="What the caller may do next.")

    @staticmethod
    def resolve_secret(obj: Dossier) -> str:
        return obj.lookup_secret

    @staticmethod
    def resolve_procedure_name(obj: Dossier) -> str:
        return obj.procedure_version.name

    @staticmethod
    def resolve_ward(obj: Dossier) -> str | None:
        return obj.ward.code if obj.ward else None

    @staticmethod
    def resolve_assignee(obj: Dossier) -> str | None:
        return obj.assignee.get_full_name() if obj.assignee else None

    @staticmethod
    def resolve_result(obj: Dossier) -> dict[str, Any] | None:
        if not obj.result_outcome:
            return None
        return {
            "outcome": obj.result_outcome,
            "number": obj.result_number,
            "signer": obj.result_signer,
            "signed_on": obj.result_signed_on,
            "note": obj.result_note,
        }

    @staticmethod
    def resolve_papers(obj: Dossier) -> list[DossierComponent]:
        return list(obj.components.all())

    @staticmethod
    def resolve_allowed_actions(obj: Dossier, context: dict[str, Any] | None) -> list[str]:
        user = getattr((context or {}).get("request"), "auth", None)
        return allowed_actions(user, obj) if isinstance(user, User) else []


class EventOut(Schema):
    seq: int
    node_id: str
    action: str
    action_label: str
    from_status: str
    to_status: str
    at: Moment
    actor_name: str
    unit: str | None
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_action_label(obj: DossierEvent) -> str:
        return str(Action(obj.action).label)

    @staticmethod
    def resolve_unit(obj: DossierEvent) -> str | None:
        return obj.unit.code if obj.unit else None


class LookupEventOut(Schema):
    action: str
    label: str
    at: Moment


class LookupOut(Schema):
    """What anyone holding the receipt may see: no names, numbers, addresses or notes."""

    code: str
    status: str
    status_label: str
    national_status: int | None
    procedure_code: str
    procedure_name: str
    received_at: Moment | None
    due_at: Moment | None
    history: list[LookupEventOut]
