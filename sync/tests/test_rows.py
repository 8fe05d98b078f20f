"""Reading and writing records through the cursor gives what the model instances give."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from dossiers import services as s
from dossiers.models import Applicant, DigitisedPaper, Dossier, DossierComponent, DossierEvent
from dossiers.tests.fixtures import all_papers, at
from portal.models import Rating
from queueing.models import Appointment, ServiceArea, Slot, Ticket
from queueing.services import appointment_book, ticket_issue
from sync import rows
from sync.hub import records_upsert
from sync.wire import blob_name, instance, snapshot

pytestmark = pytest.mark.django_db(transaction=False)

MON = at(2026, 3, 2, 8, 0)
MODELS = (
    Applicant,
    Dossier,
    DossierComponent,
    DigitisedPaper,
    DossierEvent,
    Ticket,
    Rating,
    Slot,
    Appointment,
)


@pytest.fixture
def every_kind(desk_officer, ward_center, ward_case, applicant_in) -> Dossier:
    """A dossier with scans and a result file, its events, a paper, a ticket, a rating,
    and a booking with its slot."""
    dossier = s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=all_papers(ward_case),
        at=MON,
    )
    component = dossier.components.first()
    assert component is not None
    component.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=False)
    component.sha256 = ""  # an older row without its digest: it is computed from the file
    component.save()
    dossier.result_file.save("result.pdf", ContentFile(b"%PDF-1.4 result"), save=False)
    dossier.save()
    paper = DigitisedPaper(
        applicant=dossier.applicant,
        name="Giấy khai sinh",
        kind="giay khai sinh",
        sha256="ab" * 32,
        content_type="application/pdf",
        size=5,
        valid_until=dt.date(2031, 1, 1),
        source=dossier,
    )
    paper.file.save("paper.pdf", ContentFile(b"paper"), save=False)
    paper.save()
    area = ServiceArea.objects.create(
        center=ward_center, name_vi="Hộ tịch", name_en="Civil status", number_base=1000
    )
    slot = Slot.objects.create(
        area=area, day=MON.date(), starts_at=dt.time(9, 30), ends_at=dt.time(10), capacity=3
    )
    appointment_book(slot=slot, name="Lê Vĩnh Huỳnh", phone="0905123456", at=MON)
    ticket = ticket_issue(area=area, at=MON.replace(microsecond=250_000))
    ticket.dossier = dossier
    ticket.save()
    Rating.objects.create(
        dossier=dossier,
        level="very_satisfied",
        center=ward_center,
        agency=dossier.competent_unit or ward_center,
    )
    return dossier


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_read_rows_equal_the_instances_snapshots(every_kind, model) -> None:
    assert rows._fast(model), f"{model.__name__} has a field kind without a fast form"
    queryset = model.objects.order_by("pk")
    expected = [snapshot(obj) for obj in queryset]
    assert expected, f"no {model.__name__} rows to compare"
    files: dict[str, str] = {}
    got = rows.snapshots(queryset, files=files)
    assert got == expected
    assert [list(g) for g in got] == [list(e) for e in expected]  # the same field order
    if model in (Dossier, DossierComponent, DigitisedPaper):
        assert files, "the storage names of the files are handed back"


def test_an_empty_selection_reads_nothing(every_kind) -> None:
    assert rows.snapshots(Dossier.objects.filter(pk__in=[])) == []


def _tweak(model: Any) -> tuple[str, Any]:
    """A column to change and how: text gets a mark, a count goes up by one."""
    for f in model._meta.concrete_fields:
        if f.primary_key or f.is_relation or f.unique or f.choices:
            continue
        if f.attname in ("sha256", "node_id", "owner_node", "seq"):
            continue
        kind = f.get_internal_type()
        if kind in ("CharField", "TextField"):
            return f.attname, lambda v: (v or "") + "·"
        if kind.endswith("IntegerField"):
            return f.attname, lambda v: (v or 0) + 1
    raise AssertionError(f"{model.__name__}: nothing to change")


def _without_files(model: Any, snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "FileField"}
    return [{k: v for k, v in snap.items() if k not in names} for snap in snaps]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_written_rows_read_back_as_the_same_snapshots(every_kind, model) -> None:
    queryset = model.objects.order_by("pk")
    before = [snapshot(obj) for obj in queryset]
    name, change = _tweak(model)
    changed = [{**snap, name: change(snap[name])} for snap in before]
    rows.write(model, changed, update=True)
    assert [getattr(obj, name) for obj in queryset.all()] == [snap[name] for snap in changed]
    rows.write(model, before, update=True)
    after = [snapshot(obj) for obj in queryset.all()]
    assert _without_files(model, after) == _without_files(model, before)
    # A file is kept under its digest in the blob store, as the hub keeps it.
    for obj, snap in zip(queryset.all(), before, strict=True):
        for f in model._meta.concrete_fields:
            if f.get_internal_type() == "FileField" and snap[f.attname]:
                assert getattr(obj, f.attname).name == blob_name(snap[f.attname]["sha256"])


def test_a_written_row_equals_the_instance_the_slow_way_would_save(every_kind) -> None:
    snap = snapshot(Dossier.objects.get())
    model_row = instance(Dossier, snap)
    Dossier.objects.all().update(authorised_name="someone else")
    records_upsert(Dossier, [snap])
    saved = Dossier.objects.get()
    for f in Dossier._meta.concrete_fields:
        assert getattr(saved, f.attname) == getattr(model_row, f.attname), f.attname


def test_moments_keep_microseconds_and_come_back_in_utc(every_kind) -> None:
    ticket = Ticket.objects.get()
    (snap,) = rows.snapshots(Ticket.objects.filter(pk=ticket.pk))
    assert snap["issued_at"].endswith("+00:00")
    assert dt.datetime.fromisoformat(snap["issued_at"]) == ticket.issued_at
    # A moment written with another offset is stored as the same instant.
    other = dt.datetime.fromisoformat(snap["issued_at"]).astimezone(
        dt.timezone(dt.timedelta(hours=7))
    )
    rows.write(Ticket, [{**snap, "issued_at": other.isoformat()}], update=True)
    ticket.refresh_from_db()
    assert ticket.issued_at == other


def test_a_plain_insert_refuses_a_row_already_there(every_kind) -> None:
    from django.db import IntegrityError, transaction

    event = snapshot(DossierEvent.objects.first())
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.write(DossierEvent, [event], update=False)


def test_many_rows_go_in_several_statements(every_kind, monkeypatch: Any) -> None:
    monkeypatch.setattr(rows, "MAX_PARAMS", 40)  # a handful of columns per statement
    before = rows.snapshots(DossierEvent.objects.order_by("pk"))
    assert len(before) > 1
    DossierEvent.objects.all()._raw_delete(connection.alias)  # type: ignore[attr-defined]
    rows.write(DossierEvent, before, update=False)
    assert rows.snapshots(DossierEvent.objects.order_by("pk")) == before
