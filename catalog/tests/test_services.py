import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.io import ImportReport, catalog_read
from catalog.models import Case, Component, Field, Procedure, ProcedureVersion, Step
from catalog.services import (
    procedure_version_copy,
    procedure_version_create,
    procedure_version_refresh,
    version_document,
)
from catalog.spec import ProcedureSpec, compact_document, document_hash, procedure_document
from catalog.tests.conftest import SAMPLE

pytestmark = pytest.mark.django_db


def _spec(code: str) -> ProcedureSpec:
    return next(item for item in catalog_read(path=SAMPLE).procedures if item.code == code)


def test_create_numbers_versions_and_makes_the_last_current() -> None:
    field = Field.objects.create(code="HO_TICH", name_vi="Hộ tịch")
    spec = _spec("1.001193")

    first = procedure_version_create(procedure_code="1.001193", field=field, data=spec)
    second = procedure_version_create(procedure_code="1.001193", field=field, data=spec)

    assert (first.number, second.number) == (1, 2)
    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.current_version == second
    assert (
        first.content_hash
        == second.content_hash
        == document_hash(procedure_document(code="1.001193", field="HO_TICH", data=spec))
    )
    assert len(first.content_hash) == 64
    assert first.search_text == (
        "1.001193 dang ky khai sinh birth registration sinh con lam giay khai sinh"
    )


def test_the_hash_of_a_stored_version_matches_its_file() -> None:
    field = Field.objects.create(code="CAN_CUOC", name_vi="Căn cước")
    spec = _spec("2.001234")
    version = procedure_version_create(procedure_code="2.001234", field=field, data=spec)
    stored = version_document(version)
    assert stored == procedure_document(code="2.001234", field="CAN_CUOC", data=spec)
    # The hash is over sorted keys, so key order in a file does not matter.
    shuffled = dict(reversed(list(stored.items())))
    assert document_hash(shuffled) == version.content_hash
    # An exported (compact) document reads back to the same spec.
    again = ProcedureSpec.model_validate(json.loads(json.dumps(compact_document(stored))))
    assert again == spec


def test_create_refuses_a_malformed_code() -> None:
    field = Field.objects.create(code="HO_TICH", name_vi="Hộ tịch")
    with pytest.raises(ValidationError):
        procedure_version_create(procedure_code="1.23", field=field, data=_spec("1.001193"))
    assert not Procedure.objects.exists()


def test_copy_of_a_frozen_version_is_an_editable_current_version(imported: ImportReport) -> None:
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    version.lock()

    copy = procedure_version_copy(version=version)

    assert (copy.number, copy.is_locked) == (2, False)
    assert copy.procedure.current_version == copy
    assert version_document(copy) == version_document(version)
    assert copy.content_hash == version.content_hash
    assert copy.search_text == version.search_text
    assert Case.objects.filter(version=copy).count() == 2
    assert not set(Case.objects.filter(version=copy)) & set(Case.objects.filter(version=version))

    # The copy can change; the original cannot and does not.
    case = copy.cases.get(code="2")
    step = case.steps.get(actor="agency")
    step.days = Decimal("2.5")
    step.save()
    case.time_value = Decimal("3.5")
    case.save()
    assert version.cases.get(code="2").time_value == Decimal(3)
    assert Step.objects.get(case__version=version, actor="agency").days == Decimal(2)


def test_refresh_recomputes_search_and_hash_after_a_hand_edit(imported: ImportReport) -> None:
    version = ProcedureVersion.objects.get(procedure__code="MC.0001")
    old_hash = version.content_hash

    procedure_version_refresh(version=version)
    version.refresh_from_db()
    assert version.content_hash == old_hash

    version.name_en = "Marital status certificate"
    version.save()
    component = Component.objects.get(case__version=version)
    component.copies = 2
    component.save()
    procedure_version_refresh(version=version)

    version.refresh_from_db()
    assert version.content_hash != old_hash
    assert version.content_hash == document_hash(version_document(version))
    assert "marital status certificate" in version.search_text


def test_refresh_leaves_a_frozen_version_alone(imported: ImportReport) -> None:
    version = ProcedureVersion.objects.get(procedure__code="MC.0001")
    version.lock()
    ProcedureVersion.objects.filter(pk=version.pk).update(search_text="")
    procedure_version_refresh(version=version)
    version.refresh_from_db()
    assert version.search_text == ""
