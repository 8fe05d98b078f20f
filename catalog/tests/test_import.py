from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError

from catalog.io import CatalogFileError, ImportReport, catalog_import, catalog_read, transfer
from catalog.models import Case, Fee, Field, Procedure, ProcedureVersion, Step, VersionLockedError
from catalog.services import version_document
from catalog.spec import document_hash
from catalog.tests.conftest import SAMPLE, catalog_rows, changed

pytestmark = pytest.mark.django_db


def _refused(text: str) -> list[str]:
    before = catalog_rows()
    with pytest.raises(CatalogFileError) as caught:
        catalog_import(text=text)
    assert catalog_rows() == before
    return caught.value.messages


def test_import_creates_fields_procedures_and_their_parts() -> None:
    report = catalog_import(path=SAMPLE)

    assert report == ImportReport(fields_created=3, created=4)
    assert catalog_rows() == {
        "Field": 3,
        "Procedure": 4,
        "ProcedureVersion": 4,
        "Case": 5,
        "Component": 8,
        "Fee": 4,
        "Step": 9,
    }
    procedure = Procedure.objects.get(code="1.001193")
    version = procedure.current_version
    assert version is not None
    assert (version.number, version.name_vi, version.level) == (1, "Đăng ký khai sinh", "ward")
    assert version.for_citizens and not version.for_businesses
    assert version.keywords == ["sinh con", "làm giấy khai sinh"]
    assert "dang ky khai sinh" in version.search_text
    late = version.cases.get(code="2")
    assert (late.time_value, late.time_unit) == (Decimal(3), "working_days")
    assert [(step.actor, step.days) for step in late.steps.all()] == [
        ("desk", Decimal("0.5")),
        ("agency", Decimal(2)),
        ("approver", Decimal("0.5")),
    ]
    on_time = version.cases.get(code="1")
    assert [component.name_vi for component in on_time.components.all()] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert on_time.components.get(position=1).note_vi == "do cơ sở y tế cấp"
    # The stored hash is the hash of what the database now holds.
    for stored in ProcedureVersion.objects.all():
        assert stored.content_hash == document_hash(version_document(stored))


def test_importing_the_same_file_again_changes_nothing(imported: ImportReport) -> None:
    before = catalog_rows()
    report = catalog_import(path=SAMPLE)
    assert report == ImportReport(unchanged=4)
    assert catalog_rows() == before


def test_a_change_makes_version_2_and_leaves_the_frozen_version_1_alone(
    imported: ImportReport, sample_text: str
) -> None:
    procedure = Procedure.objects.get(code="2.001234")
    first = procedure.current_version
    assert first is not None
    first.lock()  # as when a dossier is received under it
    first_document = version_document(first)

    text = changed(sample_text, 247, "70000", "80000")
    text = changed(text, 217, "Cấp lại thẻ căn cước", "Cấp lại thẻ Căn cước")
    report = catalog_import(text=text)

    assert report == ImportReport(new_versions=1, unchanged=3)
    procedure.refresh_from_db()
    second = procedure.current_version
    assert second is not None
    assert (second.number, second.is_locked, second.name_vi) == (2, False, "Cấp lại thẻ Căn cước")
    assert Fee.objects.get(case__version=second).amount == 80000
    first.refresh_from_db()
    assert first.is_locked
    assert version_document(first) == first_document
    assert Fee.objects.get(case__version=first).amount == 70000


def test_a_frozen_version_refuses_changes(imported: ImportReport) -> None:
    version = ProcedureVersion.objects.get(procedure__code="1.004227")
    version.lock()
    version.refresh_from_db()

    version.name_vi = "Đổi tên"
    with pytest.raises(VersionLockedError):
        version.save()
    with pytest.raises(VersionLockedError):
        version.delete()
    case = Case.objects.get(version=version)
    case.name_vi = "Đổi tên"
    with pytest.raises(VersionLockedError):
        case.save()
    step = Step.objects.filter(case=case).first()
    assert step is not None
    step.days = Decimal(3)
    with pytest.raises(VersionLockedError):
        step.save()
    with pytest.raises(VersionLockedError):
        Fee.objects.get(case=case).delete()


def test_a_dry_run_reports_but_saves_nothing(sample_text: str) -> None:
    report = catalog_import(text=sample_text, dry_run=True)
    assert report == ImportReport(fields_created=3, created=4, dry_run=True)
    assert set(catalog_rows().values()) == {0}


def test_a_moved_procedure_gets_a_new_version_in_its_new_field(
    imported: ImportReport, sample_text: str
) -> None:
    report = catalog_import(text=changed(sample_text, 287, '"HO_TICH"', '"CAN_CUOC"'))
    assert report == ImportReport(new_versions=1, unchanged=3)
    procedure = Procedure.objects.get(code="MC.0001")
    assert procedure.field.code == "CAN_CUOC"
    assert procedure.versions.count() == 2


def test_renamed_fields_are_renamed_in_place(imported: ImportReport, sample_text: str) -> None:
    report = catalog_import(text=changed(sample_text, 18, "Construction", "Building"))
    assert report == ImportReport(fields_renamed=1, unchanged=4)
    assert Field.objects.get(code="XAY_DUNG").name_en == "Building"


@pytest.mark.parametrize(
    ("line", "old", "new", "messages"),
    [
        pytest.param(
            62,
            '"originals": 1,',
            '"originals": 1',
            ["line 63, column 15: expected ',' or '}'"],
            id="syntax",
        ),
        pytest.param(
            160,
            '"amount": 75000',
            '"amount": 75000, "currency": "VND"',
            [
                "line 160: procedures[1].cases[0].fees[0].currency: "
                "unknown key (misspelt, or not part of this format)"
            ],
            id="unknown-key",
        ),
        pytest.param(
            241,
            '"working_days"',
            '"workdays"',
            [
                "line 241: procedures[2].cases[0].time.unit: "
                'must be one of working_days, calendar_days, same_day (got "workdays")'
            ],
            id="enum",
        ),
        pytest.param(
            174,
            '"days": 12',
            '"days": 11.5',
            [
                "line 163: procedures[1].cases[0].steps: "
                "the step days add up to 14.5, but the case time is 15"
            ],
            id="steps-total",
        ),
        pytest.param(
            286,
            '"MC.0001"',
            '"1.001193"',
            [
                'line 286: procedures[3].code: the procedure code "1.001193" is already used '
                "by procedures[0].code on line 23"
            ],
            id="duplicate-procedure",
        ),
        pytest.param(
            216,
            '"CAN_CUOC"',
            '"CAN_CUOC_2"',
            [
                'line 216: procedures[2].field: no field "CAN_CUOC_2" in this file\'s fields '
                "or in the database"
            ],
            id="unknown-field",
        ),
        pytest.param(
            3,
            "1",
            "2",
            ["line 3: format_version: format version 2 is not supported; MotCua reads version 1"],
            id="format-version",
        ),
        pytest.param(
            2,
            '"motcua.catalog"',
            '"other.catalog"',
            [
                'line 2: format: this is not a MotCua catalog file: expected "motcua.catalog" '
                '(got "other.catalog")'
            ],
            id="format",
        ),
        pytest.param(
            48,
            '"value": 0',
            '"value": 1',
            [
                "line 48: procedures[0].cases[0].time.value: "
                "must be 0 when the unit is same_day (got 1)"
            ],
            id="same-day",
        ),
        pytest.param(
            247,
            '"amount": 70000',
            '"amount": 70000.5',
            [
                "line 247: procedures[2].cases[0].fees[0].amount: "
                "must be a whole number (got 70000.5)"
            ],
            id="amount-whole",
        ),
        pytest.param(
            195,
            '"originals": 0',
            '"originals": -1',
            [
                "line 195: procedures[1].cases[0].components[1].originals: "
                "must be at least 0 (got -1)"
            ],
            id="originals-negative",
        ),
        pytest.param(
            286,
            '"MC.0001"',
            '"MC-0001"',
            [
                "line 286: procedures[3].code: must be written as d.dddddd (national code) "
                'or MC.nnnn (local code) (got "MC-0001")'
            ],
            id="code-pattern",
        ),
        pytest.param(
            76,
            "}",
            '}, {"name_vi": "Bản sao"}',
            [
                f"line 76: procedures[0].cases[0].components[2].{key}: is required but missing"
                for key in ["name_en", "originals", "copies", "mandatory", "reusable"]
            ],
            id="missing-keys",
        ),
    ],
)
def test_a_bad_file_is_refused_with_its_line_and_nothing_changes(
    imported: ImportReport, sample_text: str, line: int, old: str, new: str, messages: list[str]
) -> None:
    assert _refused(changed(sample_text, line, old, new)) == messages


def test_every_problem_is_reported_at_once_in_line_order(sample_text: str) -> None:
    text = changed(sample_text, 286, '"MC.0001"', '"1.001193"')
    text = changed(text, 241, '"working_days"', '"workdays"')
    text = changed(text, 174, '"days": 12', '"days": 11')
    text = changed(text, 32, '"targets": [', '"targets": [], "target": [')
    messages = _refused(text)
    assert [message.split(":")[0] for message in messages] == [
        "line 32",
        "line 32",
        "line 163",
        "line 241",
        "line 286",
    ]
    assert messages[0] == "line 32: procedures[0].targets: must not be empty"
    assert messages[1].startswith("line 32: procedures[0].target: unknown key")


def test_the_list_of_problems_is_capped(sample_text: str) -> None:
    # 60 more copies of the first procedure (lines 22-126), each with a bad
    # level and a repeated code: 120 problems.
    procedure = "\n".join(sample_text.split("\n")[21:126]).replace('"ward"', '"village"')
    copies = "\n".join([procedure] * 60)
    text = sample_text.replace('  "procedures": [\n', '  "procedures": [\n' + copies + "\n", 1)
    messages = _refused(text)
    assert len(messages) == 51
    assert messages[0].startswith("line 27: procedures[0].level: must be one of")
    assert messages[-1] == "... and 70 more problems."


def test_a_field_already_in_the_database_may_be_referenced(sample_text: str) -> None:
    Field.objects.create(code="CAN_CUOC_2", name_vi="Căn cước (2)")
    report = catalog_import(text=changed(sample_text, 216, '"CAN_CUOC"', '"CAN_CUOC_2"'))
    assert report.created == 4
    assert Procedure.objects.get(code="2.001234").field.code == "CAN_CUOC_2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "line 1: a catalog file holds one JSON object"),
        (
            '{\n"procedures": []}',
            'line 1: "format" is missing; a catalog file starts with "format": "motcua.catalog"',
        ),
        (
            '{"format": "motcua.catalog",\n "format_version": 1.0, "procedures": []}',
            "line 2: format_version: format version 1 is not supported; MotCua reads version 1",
        ),
        (
            '{"format": "motcua.catalog",\n "format_version": true, "procedures": []}',
            "line 2: format_version: format version true is not supported; MotCua reads version 1",
        ),
    ],
)
def test_header_problems(db: None, text: str, message: str) -> None:
    assert message in _refused(text)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Any, sample_text: str) -> None:
    path = tmp_path / "catalog.json"
    # "Căn cước" on line 7 in a legacy 8-bit encoding
    path.write_bytes(sample_text.encode().replace("Căn cước".encode(), b"C\xe3n c\xfd\xf4c", 1))
    with pytest.raises(CatalogFileError) as caught:
        catalog_read(path=path)
    assert caught.value.messages[0].startswith("line 7: the file is not UTF-8")


def test_a_database_error_half_way_rolls_everything_back(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = transfer.procedure_version_create

    def failing_on_the_third(**kwargs: Any) -> ProcedureVersion:
        calls.append(kwargs["procedure_code"])
        if len(calls) == 3:
            raise IntegrityError("disk full, say")
        return real(**kwargs)

    monkeypatch.setattr(transfer, "procedure_version_create", failing_on_the_third)
    with pytest.raises(IntegrityError):
        catalog_import(path=SAMPLE)
    assert len(calls) == 3
    assert set(catalog_rows().values()) == {0}


def test_a_database_error_on_a_second_import_keeps_the_first(
    imported: ImportReport, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = catalog_rows()
    text = sample_text.replace('"amount": 0', '"amount": 1').replace("75000", "76000")
    text = text.replace('"name_en": "Civil status"', '"name_en": "Civil registry"')

    def failing(**kwargs: Any) -> ProcedureVersion:
        if kwargs["procedure_code"] == "1.004227":
            raise IntegrityError("boom")
        return real(**kwargs)

    real = transfer.procedure_version_create
    monkeypatch.setattr(transfer, "procedure_version_create", failing)
    with pytest.raises(IntegrityError):
        catalog_import(text=text)
    assert catalog_rows() == before
    assert Field.objects.get(code="HO_TICH").name_en == "Civil status"
    assert Procedure.objects.get(code="1.001193").versions.count() == 1


def test_progress_sees_every_procedure(db: None) -> None:
    seen: list[str] = []

    def progress(items: Any) -> Any:
        for item in items:
            seen.append(item.code)
            yield item

    catalog_import(path=SAMPLE, progress=progress)
    assert seen == ["1.001193", "1.004227", "2.001234", "MC.0001"]
