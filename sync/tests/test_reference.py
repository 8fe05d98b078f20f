"""What a ward takes from the hub replaces its own copy, removals included."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accounts.models import Assignment
from deadlines.calendar import calendar_for_unit
from deadlines.models import CalendarDay, DayKind
from dossiers import kept as dossiers_kept
from queueing.models import Counter, OnlinePriorityDay, ServiceArea
from sync.reference import (
    FOLLOWED_MODELS,
    _querysets,
    reference_current,
    reference_export,
    reference_import,
)
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_days_and_roles_the_hub_took_away_go_on_the_ward_too(ward_center, desk_officer) -> None:
    kept = OnlinePriorityDay.objects.create(center=ward_center, day=dt.date(2026, 12, 2))
    gone = OnlinePriorityDay.objects.create(center=ward_center, day=dt.date(2026, 12, 9))
    role = Assignment.objects.filter(user=desk_officer).first()
    assert role is not None
    _digest, body = reference_export(ward_center)
    reference_import(body, ward_center.code)
    assert set(OnlinePriorityDay.objects.filter(center=ward_center)) == {kept, gone}
    assert Assignment.objects.filter(pk=role.pk).exists()
    # The hub's manager removed a day and a role: the hub's next copy lacks them.
    reference_import(body_without(body, gone.pk, role.pk), ward_center.code)
    assert list(OnlinePriorityDay.objects.filter(center=ward_center)) == [kept]
    assert not Assignment.objects.filter(pk=role.pk).exists()


def body_without(body: bytes, *pks: object) -> bytes:
    rows = [row for row in json.loads(body) if str(row["pk"]) not in {str(pk) for pk in pks}]
    return json.dumps(rows).encode()


def test_the_hub_keeps_its_answer_until_a_row_is_saved(ward_center, desk_officer) -> None:
    digest, _body = reference_current(ward_center)
    # A change that skips the model's signals is seen only once the kept answer expires...
    Unit.objects.filter(pk=ward_center.pk).update(name_en="Renamed quietly")
    assert reference_current(ward_center)[0] == digest != reference_export(ward_center)[0]
    # ...a change saved through the model is seen at once, and so is a counter's areas.
    ward_center.name_en = "Renamed"
    ward_center.save()
    renamed = reference_current(ward_center)[0]
    assert renamed == reference_export(ward_center)[0] != digest
    area = ServiceArea.objects.create(center=ward_center, name_vi="Khu A", name_en="A")
    counter = Counter.objects.create(center=ward_center, number=1)
    with_counter = reference_current(ward_center)[0]
    counter.areas.add(area)
    assert reference_current(ward_center)[0] == reference_export(ward_center)[0] != with_counter


def test_the_kept_answer_follows_every_table_the_export_reads(ward_center) -> None:
    exported = {queryset.model for queryset, _fields in _querysets(ward_center)}
    assert exported == set(FOLLOWED_MODELS)


def test_a_day_off_from_the_hub_counts_at_once_on_every_desk(ward_center, settings) -> None:
    day = dt.date(2026, 12, 3)  # a Thursday
    CalendarDay.objects.create(date=day, kind=DayKind.DAY_OFF, name="Local", unit=ward_center)
    _digest, body = reference_export(ward_center)
    CalendarDay.objects.filter(date=day).delete()  # the ward has not heard of it yet
    assert day not in calendar_for_unit(ward_center).days_off  # and keeps that calendar
    stamp = settings.KEPT_DIR / "calendars"
    before = stamp.stat().st_mtime_ns if stamp.exists() else None

    reference_import(body, ward_center.code)

    assert day in calendar_for_unit(ward_center).days_off
    # The node's other server processes drop their copies at their next read.
    assert stamp.exists() and stamp.stat().st_mtime_ns != before


def test_a_unit_the_hub_closed_is_closed_at_once_for_intake(ward_center) -> None:
    _digest, body = reference_export(ward_center)
    rows = json.loads(body)
    for row in rows:
        if row["model"] == "units.unit" and row["pk"] == str(ward_center.pk):
            row["fields"]["is_active"] = False
    kept_unit = dossiers_kept.unit_kept(ward_center.pk)
    assert kept_unit is not None and kept_unit.is_active

    reference_import(json.dumps(rows).encode(), ward_center.code)

    fresh = dossiers_kept.unit_kept(ward_center.pk)
    assert fresh is not None and not fresh.is_active
