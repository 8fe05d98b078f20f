"""The public procedure catalog as JSON: what a desk client needs to file a dossier."""

import uuid
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from accounts.api_auth import ErrorOut, ValidationErrorOut
from catalog.models import Case, Component, Fee, Procedure, ProcedureQuerySet, ProcedureVersion
from core.models import in_language
from core.pages import Pages

router = Router(tags=["catalog"])


class ProcedureOut(Schema):
    """Built from a Procedure of ``published()``, whose current version is set."""

    code: str
    name: str
    field: str
    level: str
    agency_name: str
    online_level: str
    version: int

    @staticmethod
    def resolve_name(obj: Procedure) -> str:
        return _current(obj).name

    @staticmethod
    def resolve_field(obj: Procedure) -> str:
        return obj.field.name

    @staticmethod
    def resolve_level(obj: Procedure) -> str:
        return _current(obj).level

    @staticmethod
    def resolve_agency_name(obj: Procedure) -> str:
        return _current(obj).agency_name

    @staticmethod
    def resolve_online_level(obj: Procedure) -> str:
        return _current(obj).online_level

    @staticmethod
    def resolve_version(obj: Procedure) -> int:
        return _current(obj).number


class ComponentOut(Schema):
    id: uuid.UUID
    name: str
    originals: int
    copies: int
    mandatory: bool
    reusable: bool
    note: str


class FeeOut(Schema):
    name: str
    amount: int


class TimeOut(Schema):
    value: Decimal
    unit: str
    label: str


class CaseOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    time: TimeOut
    components: list[ComponentOut]
    fees: list[FeeOut]


class ProcedureDetailOut(ProcedureOut):
    legal_basis: str
    result: str
    for_citizens: bool
    for_businesses: bool
    cases: list[CaseOut]

    @staticmethod
    def resolve_legal_basis(obj: Procedure) -> str:
        return _current(obj).legal_basis

    @staticmethod
    def resolve_result(obj: Procedure) -> str:
        return _current(obj).result

    @staticmethod
    def resolve_for_citizens(obj: Procedure) -> bool:
        return _current(obj).for_citizens

    @staticmethod
    def resolve_for_businesses(obj: Procedure) -> bool:
        return _current(obj).for_businesses

    @staticmethod
    def resolve_cases(obj: Procedure) -> list[CaseOut]:
        cases = (
            Case.objects.filter(version=_current(obj))
            .prefetch_related(
                Prefetch("components", queryset=Component.objects.order_by("position")),
                Prefetch("fees", queryset=Fee.objects.order_by("position")),
            )
            .order_by("position")
        )
        return [_case(case) for case in cases]


def _current(procedure: Procedure) -> ProcedureVersion:
    if procedure.current_version is None:
        raise Http404
    return procedure.current_version


def _published() -> ProcedureQuerySet:
    return Procedure.objects.published().select_related("field", "current_version")


def _component(component: Component) -> ComponentOut:
    note = in_language(component.note_vi, component.note_en)
    return ComponentOut(
        id=component.pk,
        name=component.name,
        originals=component.originals,
        copies=component.copies,
        mandatory=component.mandatory,
        reusable=component.reusable,
        note=note,
    )


def _case(case: Case) -> CaseOut:
    return CaseOut(
        id=case.pk,
        code=case.code,
        name=case.name,
        time=TimeOut(value=case.time_value, unit=case.time_unit, label=case.time_label),
        components=[_component(c) for c in case.components.all()],
        fees=[FeeOut(name=fee.name, amount=fee.amount) for fee in case.fees.all()],
    )


@router.get("/procedures", response={200: list[ProcedureOut], 422: ValidationErrorOut})
@paginate(Pages)
def procedure_list(request: HttpRequest, q: str = "") -> ProcedureQuerySet:
    """Published procedures; ``q`` matches every word, with or without tone marks."""
    return _published().search(q[:200]).order_by("code")


@router.get(
    "/procedures/{code}",
    response={200: ProcedureDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def procedure_detail(request: HttpRequest, code: str) -> Procedure:
    """One published procedure with its cases: papers to hand in, fees and time."""
    procedure = _published().filter(code=code).first()
    if procedure is None:
        raise Http404
    return procedure
