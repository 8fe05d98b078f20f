import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from catalog.io import ImportReport, catalog_dumps, catalog_export, catalog_import
from catalog.models import Field, Procedure, ProcedureVersion
from catalog.services import procedure_version_copy
from catalog.tests.conftest import SAMPLE, catalog_rows, changed

pytestmark = pytest.mark.django_db


def test_import_then_export_gives_back_the_same_file(
    imported: ImportReport, sample_text: str
) -> None:
    exported = catalog_export()
    assert exported == json.loads(sample_text)
    # Same text, too: the sample is written the way the exporter writes.
    assert catalog_dumps(exported) == sample_text


def test_export_then_import_is_a_no_op(imported: ImportReport) -> None:
    procedure_version_copy(version=ProcedureVersion.objects.get(procedure__code="MC.0001"))
    before = catalog_rows()
    report = catalog_import(text=catalog_dumps(catalog_export()))
    assert report == ImportReport(unchanged=4)
    assert catalog_rows() == before


def test_an_export_rebuilds_the_catalog_in_an_empty_database(imported: ImportReport) -> None:
    text = catalog_dumps(catalog_export())
    Procedure.objects.update(current_version=None)
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()

    assert catalog_import(text=text) == ImportReport(fields_created=3, created=4)
    assert catalog_dumps(catalog_export()) == text


def test_export_of_chosen_procedures_takes_only_their_fields(imported: ImportReport) -> None:
    exported = catalog_export(procedures=Procedure.objects.filter(code="2.001234"))
    assert [field["code"] for field in exported["fields"]] == ["CAN_CUOC"]
    assert [procedure["code"] for procedure in exported["procedures"]] == ["2.001234"]


def test_export_query_count_does_not_grow_with_the_catalog(
    imported: ImportReport, django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        catalog_export()


def test_import_command_reports(db: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog_import", str(SAMPLE), stdout=out, stderr=err)
    assert out.getvalue() == (
        "Fields: 3 created, 0 renamed.\nProcedures: 4 created, 0 with a new version, 0 unchanged.\n"
    )
    assert err.getvalue() == ""  # no progress bar when stderr is not a terminal


def test_import_command_dry_run(db: None) -> None:
    out = io.StringIO()
    call_command("catalog_import", str(SAMPLE), "--dry-run", "--no-progress", stdout=out)
    assert "Dry run: nothing was saved." in out.getvalue()
    assert not Procedure.objects.exists()


def test_import_command_refuses_a_bad_file_with_status_1(
    imported: ImportReport,
    sample_text: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A command run from the command line closes every connection at the end,
    # which on PostgreSQL would take the test's own connection with it.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    bad = tmp_path / "bad.json"
    bad.write_text(changed(sample_text, 241, '"working_days"', '"workdays"'), encoding="utf-8")
    before = catalog_rows()

    with pytest.raises(SystemExit) as caught:
        execute_from_command_line(["manage.py", "catalog_import", str(bad)])

    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert (
        "line 241: procedures[2].cases[0].time.unit: must be one of working_days, "
        'calendar_days, same_day (got "workdays")\n'
    ) in err
    assert "(1 problem); nothing was imported." in err
    assert catalog_rows() == before


def test_import_command_on_a_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("catalog_import", str(tmp_path / "nope.json"))


def test_export_command_writes_utf8_files(imported: ImportReport, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    call_command("catalog_export", str(target))
    text = target.read_text(encoding="utf-8")
    assert "Cấp lại thẻ căn cước" in text  # not \u escapes
    assert text == SAMPLE.read_text(encoding="utf-8")


def test_export_command_to_stdout_and_by_code(imported: ImportReport) -> None:
    out = io.StringIO()
    call_command("catalog_export", "-", "--code", "MC.0001", stdout=out)
    exported = json.loads(out.getvalue())
    assert [procedure["code"] for procedure in exported["procedures"]] == ["MC.0001"]
    with pytest.raises(CommandError, match=r"No procedure with code 9\.999999"):
        call_command("catalog_export", "-", "--code", "9.999999", stdout=io.StringIO())
