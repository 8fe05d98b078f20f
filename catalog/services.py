"""State changes of the catalog.

A version that a dossier was received under is frozen (``locked_at``), so
content never changes in place: an edit is a new version, made current, and
the old one stays as the dossiers knew it.
"""

import re
from collections.abc import Iterable
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from catalog.models import (
    Case,
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    Step,
    VersionLockedError,
)
from catalog.spec import (
    PROCEDURE_CODE_RE,
    VersionSpec,
    document_hash,
    json_number,
    procedure_document,
)
from catalog.text import fold

FieldOutcome = Literal["created", "renamed", "unchanged"]


def next_version_number(procedure: Procedure) -> int:
    """The number the next version of ``procedure`` gets.

    Callers hold a lock on the procedure row (or SQLite's write lock) so two
    editors cannot pick the same number; the unique constraint backs this up.
    """
    last = procedure.versions.aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def search_text_for(*, code: str, name_vi: str, name_en: str, keywords: Iterable[str]) -> str:
    return fold(" ".join([code, name_vi, name_en, *keywords]))


@transaction.atomic
def field_save(*, code: str, name_vi: str, name_en: str) -> tuple[Field, FieldOutcome]:
    """Create the field ``code`` or give it these names."""
    field = Field.objects.select_for_update().filter(code=code).first()
    if field is None:
        return Field.objects.create(code=code, name_vi=name_vi, name_en=name_en), "created"
    if (field.name_vi, field.name_en) == (name_vi, name_en):
        return field, "unchanged"
    field.name_vi, field.name_en = name_vi, name_en
    field.save(update_fields=["name_vi", "name_en"])
    return field, "renamed"


@transaction.atomic
def procedure_version_create(
    *, procedure_code: str, field: Field, data: VersionSpec
) -> ProcedureVersion:
    """Add a version built from ``data`` and make it current.

    The procedure is created on its first version; if it moved to another
    field, it moves (the field classifies the procedure, it is not content
    that dossiers depend on).
    """
    if not re.fullmatch(PROCEDURE_CODE_RE, procedure_code):
        raise ValidationError(
            _("%(code)s is not a procedure code; use d.dddddd or MC.nnnn.")
            % {"code": procedure_code}
        )
    procedure = Procedure.objects.select_for_update().filter(code=procedure_code).first()
    if procedure is None:
        procedure = Procedure.objects.create(code=procedure_code, field=field)
        number = 1
    else:
        number = next_version_number(procedure)
        if procedure.field_id != field.pk:
            procedure.field = field
            procedure.save(update_fields=["field"])

    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        name_vi=data.name_vi,
        name_en=data.name_en,
        level=data.level,
        agency=data.agency,
        agency_name_vi=data.agency_name_vi,
        agency_name_en=data.agency_name_en,
        online_level=data.online_level,
        for_citizens="citizen" in data.targets,
        for_businesses="business" in data.targets,
        legal_basis=data.legal_basis,
        result_vi=data.result_vi,
        result_en=data.result_en,
        keywords=list(data.keywords),
        search_text=search_text_for(
            code=procedure_code, name_vi=data.name_vi, name_en=data.name_en, keywords=data.keywords
        ),
        content_hash=document_hash(
            procedure_document(code=procedure_code, field=field.code, data=data)
        ),
    )

    # bulk_create skips VersionPart.save() and its lock check: the version was
    # created a moment ago in this transaction, so it cannot be locked, and a
    # province-wide import would otherwise cost a query per paper.
    cases = Case.objects.bulk_create(
        Case(
            version=version,
            code=case.code,
            position=position,
            name_vi=case.name_vi,
            name_en=case.name_en,
            time_value=case.time.value,
            time_unit=case.time.unit,
        )
        for position, case in enumerate(data.cases)
    )
    Component.objects.bulk_create(
        Component(
            case=case,
            position=position,
            name_vi=item.name_vi,
            name_en=item.name_en,
            originals=item.originals,
            copies=item.copies,
            mandatory=item.mandatory,
            reusable=item.reusable,
            note_vi=item.note_vi,
            note_en=item.note_en,
        )
        for case, spec in zip(cases, data.cases, strict=True)
        for position, item in enumerate(spec.components)
    )
    Fee.objects.bulk_create(
        Fee(
            case=case,
            position=position,
            name_vi=item.name_vi,
            name_en=item.name_en,
            amount=item.amount,
        )
        for case, spec in zip(cases, data.cases, strict=True)
        for position, item in enumerate(spec.fees)
    )
    Step.objects.bulk_create(
        Step(
            case=case,
            position=position,
            name_vi=item.name_vi,
            name_en=item.name_en,
            actor=item.actor,
            days=item.days,
        )
        for case, spec in zip(cases, data.cases, strict=True)
        for position, item in enumerate(spec.steps)
    )

    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    return version


def _copyable(instance: models.Model, *, skip: set[str]) -> dict[str, Any]:
    """Column values of ``instance`` for a copy, leaving out ``skip`` and the id."""
    return {
        column.attname: getattr(instance, column.attname)
        for column in instance._meta.concrete_fields
        if not column.primary_key and column.name not in skip
    }


_Part = TypeVar("_Part", Component, Fee, Step)


def _copy_parts(model: type[_Part], related: str, pairs: list[tuple[Case, Case]]) -> None:
    # Same reason as in procedure_version_create: the copy is new and unlocked.
    model.objects.bulk_create(
        model(**_copyable(part, skip={"case"}), case=new_case)
        for old_case, new_case in pairs
        for part in getattr(old_case, related).all()
    )


@transaction.atomic
def procedure_version_copy(*, version: ProcedureVersion) -> ProcedureVersion:
    """Copy ``version`` into a new, editable version and make the copy current.

    Meant for frozen versions, but any version may be copied, which also
    serves to bring back an older text.
    """
    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    copy = ProcedureVersion(
        **_copyable(version, skip={"procedure", "number", "locked_at", "created_at", "updated_at"}),
        procedure=procedure,
        number=next_version_number(procedure),
    )
    copy.keywords = list(version.keywords)
    copy.save(force_insert=True)

    old_cases = list(
        version.cases.order_by("position").prefetch_related("components", "fees", "steps")
    )
    new_cases = Case.objects.bulk_create(
        Case(**_copyable(case, skip={"version"}), version=copy) for case in old_cases
    )
    pairs = list(zip(old_cases, new_cases, strict=True))
    _copy_parts(Component, "components", pairs)
    _copy_parts(Fee, "fees", pairs)
    _copy_parts(Step, "steps", pairs)

    procedure.current_version = copy
    procedure.save(update_fields=["current_version"])
    return copy


@transaction.atomic
def procedure_version_refresh(*, version: ProcedureVersion) -> None:
    """Recompute the search text and content hash after an edit by hand."""
    version = ProcedureVersion.objects.select_related("procedure__field").get(pk=version.pk)
    if version.is_locked:
        # Nothing in a frozen version can have changed since it was computed.
        return
    version.search_text = search_text_for(
        code=version.procedure.code,
        name_vi=version.name_vi,
        name_en=version.name_en,
        keywords=version.keywords,
    )
    version.content_hash = document_hash(version_document(version))
    try:
        version.save(update_fields=["search_text", "content_hash"])
    except VersionLockedError:
        # A dossier froze it between our read and our write; its values
        # still describe it.
        return


def version_document(version: ProcedureVersion) -> dict[str, Any]:
    """The full catalog-file form of a stored version, optional keys included.

    It must equal ``procedure_document`` of the spec the version was made
    from, key for key, so the hash of a stored version and of its file agree.
    """
    targets = [
        target
        for target, wanted in (
            ("citizen", version.for_citizens),
            ("business", version.for_businesses),
        )
        if wanted
    ]
    # .all() keeps the models' ordering (by position) and uses rows a caller
    # prefetched, so exporting a whole catalog costs a handful of queries.
    return {
        "code": version.procedure.code,
        "field": version.procedure.field.code,
        "name_vi": version.name_vi,
        "name_en": version.name_en,
        "level": version.level,
        "agency": version.agency,
        "agency_name_vi": version.agency_name_vi,
        "agency_name_en": version.agency_name_en,
        "online_level": version.online_level,
        "targets": targets,
        "legal_basis": version.legal_basis,
        "result_vi": version.result_vi,
        "result_en": version.result_en,
        "keywords": list(version.keywords),
        "cases": [
            {
                "code": case.code,
                "name_vi": case.name_vi,
                "name_en": case.name_en,
                "time": {"value": json_number(case.time_value), "unit": case.time_unit},
                "fees": [
                    {"name_vi": fee.name_vi, "name_en": fee.name_en, "amount": fee.amount}
                    for fee in case.fees.all()
                ],
                "steps": [
                    {
                        "name_vi": step.name_vi,
                        "name_en": step.name_en,
                        "actor": step.actor,
                        "days": json_number(step.days),
                    }
                    for step in case.steps.all()
                ],
                "components": [
                    {
                        "name_vi": item.name_vi,
                        "name_en": item.name_en,
                        "originals": item.originals,
                        "copies": item.copies,
                        "mandatory": item.mandatory,
                        "reusable": item.reusable,
                        "note_vi": item.note_vi,
                        "note_en": item.note_en,
                    }
                    for item in case.components.all()
                ],
            }
            for case in version.cases.all()
        ],
    }
