"""The catalog file format, version 1, as pydantic models.

These models are the one description of a valid procedure. The file importer
validates against them, and the services build versions only from them, so a
version in the database always passed the same rules as a version in a file.
Limits on text length come from the model columns, so a long name is refused
here with a line number instead of failing in PostgreSQL half-way through.

Errors raised by validators below carry a ``choices``/``got`` or ``at``
context: ``at`` names the key under the model that is to blame (a model
validator can only report at the model itself), so the importer can point at
the right line.
"""

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, get_args

from django.db import models
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic import Field as SpecField
from pydantic_core import PydanticCustomError

from catalog.models import Case, Component, Fee, ProcedureVersion, Step
from catalog.models import Field as CatalogField

FORMAT = "motcua.catalog"
FORMAT_VERSION = 1

# [0-9] rather than \d: \d also matches Arabic-Indic and other digits.
FIELD_CODE_RE = r"^[A-Z0-9_]{2,20}$"
PROCEDURE_CODE_RE = r"^([0-9]\.[0-9]{6}|MC\.[0-9]{4})$"
CASE_CODE_RE = r"^[A-Za-z0-9_.-]{1,10}$"

LevelName = Literal["province", "ward"]
AgencyName = Literal[
    "police",
    "justice",
    "finance",
    "construction",
    "agri_env",
    "health",
    "education",
    "home_affairs",
    "social_insurance",
    "tax",
    "ward_committee",
]
OnlineLevelName = Literal["full", "partial", "none"]
TargetName = Literal["citizen", "business"]
TimeUnitName = Literal["working_days", "calendar_days", "same_day"]
ActorName = Literal["desk", "agency", "approver"]

# Keys a file may leave out; the exporter leaves them out when empty, so an
# exported file reads like a hand-written one.
OPTIONAL_PROCEDURE_KEYS: dict[str, Any] = {"keywords": []}
OPTIONAL_CASE_KEYS: dict[str, Any] = {"steps": []}
OPTIONAL_COMPONENT_KEYS: dict[str, Any] = {"note_vi": "", "note_en": ""}


def _one_of(choices: Any) -> BeforeValidator:
    """Refuse a value outside a Literal with the whole list in the message."""
    allowed: tuple[str, ...] = get_args(choices)

    def check(value: object) -> object:
        if not isinstance(value, str) or value not in allowed:
            raise PydanticCustomError(
                "choice", "must be one of {choices}", {"choices": allowed, "got": value}
            )
        return value

    return BeforeValidator(check)


def _number(value: object) -> object:
    # Decimal would also take "1.5" as a string; the format wants a JSON number.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("number_type", "must be a number", {"got": value})
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def json_number(value: Decimal) -> int | float:
    """Whole numbers as integers, so 3, 3.0 and the stored 3.00 hash alike."""
    return int(value) if value == value.to_integral_value() else float(value)


def _length(model: type[models.Model], name: str) -> int:
    column = model._meta.get_field(name)
    assert isinstance(column, models.CharField) and column.max_length
    return column.max_length


def _text(model: type[models.Model], name: str, *, required: bool = True) -> StringConstraints:
    return StringConstraints(min_length=1 if required else 0, max_length=_length(model, name))


def _canonical_targets(targets: list[str]) -> list[str]:
    # Order and repeats carry no meaning; one spelling keeps the hash stable.
    return [target for target in get_args(TargetName) if target in targets]


Days = Annotated[
    Decimal,
    Strict(False),
    BeforeValidator(_number),
    SpecField(ge=0, max_digits=6, decimal_places=2),
    PlainSerializer(json_number, when_used="json"),
]
Count = Annotated[int, SpecField(ge=0, le=32767)]
Amount = Annotated[int, SpecField(ge=0, le=2**63 - 1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FieldSpec(_Spec):
    code: Annotated[str, StringConstraints(pattern=FIELD_CODE_RE)]
    name_vi: Annotated[str, _text(CatalogField, "name_vi")]
    name_en: Annotated[str, _text(CatalogField, "name_en", required=False)]


class TimeSpec(_Spec):
    value: Days
    unit: Annotated[TimeUnitName, _one_of(TimeUnitName)]

    @model_validator(mode="after")
    def _value_fits_unit(self) -> Self:
        if self.unit == "same_day" and self.value != 0:
            raise PydanticCustomError(
                "same_day_value", "write 0 for same_day", {"at": ("value",), "got": self.value}
            )
        if self.unit != "same_day" and self.value == 0:
            raise PydanticCustomError("time_zero", "must be more than 0", {"at": ("value",)})
        return self


class FeeSpec(_Spec):
    name_vi: Annotated[str, _text(Fee, "name_vi")]
    name_en: Annotated[str, _text(Fee, "name_en", required=False)]
    amount: Amount


class StepSpec(_Spec):
    name_vi: Annotated[str, _text(Step, "name_vi")]
    name_en: Annotated[str, _text(Step, "name_en", required=False)]
    actor: Annotated[ActorName, _one_of(ActorName)]
    days: Days


class ComponentSpec(_Spec):
    name_vi: Annotated[str, _text(Component, "name_vi")]
    name_en: Annotated[str, _text(Component, "name_en", required=False)]
    originals: Count
    copies: Count
    mandatory: bool
    reusable: bool
    note_vi: Annotated[str, _text(Component, "note_vi", required=False)] = ""
    note_en: Annotated[str, _text(Component, "note_en", required=False)] = ""


class CaseSpec(_Spec):
    code: Annotated[str, StringConstraints(pattern=CASE_CODE_RE)]
    name_vi: Annotated[str, _text(Case, "name_vi")]
    name_en: Annotated[str, _text(Case, "name_en", required=False)]
    time: TimeSpec
    fees: list[FeeSpec]
    steps: list[StepSpec] = []
    components: list[ComponentSpec]

    @model_validator(mode="after")
    def _steps_fill_the_time(self) -> Self:
        # The step budgets split the legal time between actors; if they did not
        # add up, reports would blame the wrong office for a late dossier.
        total = sum((step.days for step in self.steps), Decimal(0))
        if self.steps and total != self.time.value:
            raise PydanticCustomError(
                "steps_total",
                "steps add up to {total}, the case time is {expected}",
                {"at": ("steps",), "total": total, "expected": self.time.value},
            )
        return self


class VersionSpec(_Spec):
    """What a procedure version holds: everything but the procedure's identity."""

    name_vi: Annotated[str, _text(ProcedureVersion, "name_vi")]
    name_en: Annotated[str, _text(ProcedureVersion, "name_en", required=False)]
    level: Annotated[LevelName, _one_of(LevelName)]
    agency: Annotated[AgencyName, _one_of(AgencyName)]
    agency_name_vi: Annotated[str, _text(ProcedureVersion, "agency_name_vi")]
    agency_name_en: Annotated[str, _text(ProcedureVersion, "agency_name_en", required=False)]
    online_level: Annotated[OnlineLevelName, _one_of(OnlineLevelName)]
    targets: Annotated[
        list[Annotated[TargetName, _one_of(TargetName)]],
        SpecField(min_length=1),
        AfterValidator(_canonical_targets),
    ]
    legal_basis: str
    result_vi: Annotated[str, _text(ProcedureVersion, "result_vi", required=False)]
    result_en: Annotated[str, _text(ProcedureVersion, "result_en", required=False)]
    keywords: list[Annotated[str, StringConstraints(min_length=1)]] = []
    cases: Annotated[list[CaseSpec], SpecField(min_length=1)]

    @model_validator(mode="after")
    def _case_codes_unique(self) -> Self:
        seen: set[str] = set()
        for index, case in enumerate(self.cases):
            if case.code in seen:
                raise PydanticCustomError(
                    "duplicate_case",
                    "case code {got} is used twice",
                    {"at": ("cases", index, "code"), "got": case.code},
                )
            seen.add(case.code)
        return self


class ProcedureSpec(VersionSpec):
    code: Annotated[str, StringConstraints(pattern=PROCEDURE_CODE_RE)]
    field: Annotated[str, StringConstraints(pattern=FIELD_CODE_RE)]


class CatalogSpec(_Spec):
    format: Literal["motcua.catalog"]
    format_version: Literal[1]
    fields: list[FieldSpec] = []
    procedures: list[ProcedureSpec]


def procedure_document(*, code: str, field: str, data: VersionSpec) -> dict[str, Any]:
    """The full JSON form of one procedure, optional keys included."""
    document = data.model_dump(mode="json", exclude={"code", "field"})
    return {"code": code, "field": field, **document}


def document_hash(document: dict[str, Any]) -> str:
    """sha256 of the canonical JSON: sorted keys, no spaces, UTF-8."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def compact_document(document: dict[str, Any]) -> dict[str, Any]:
    """Leave out optional keys that hold their empty default."""

    def without(item: dict[str, Any], optional: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in item.items() if optional.get(key, ...) != value}

    procedure = without(document, OPTIONAL_PROCEDURE_KEYS)
    procedure["cases"] = [
        without(case, OPTIONAL_CASE_KEYS)
        | {
            "components": [
                without(component, OPTIONAL_COMPONENT_KEYS) for component in case["components"]
            ]
        }
        for case in document["cases"]
    ]
    return procedure
