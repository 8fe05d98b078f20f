"""Calendars read from the database, per unit, and their cache."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from deadlines import calendar as calendar_module
from deadlines.calendar import calendar_cache_clear, calendar_default, calendar_for_unit
from deadlines.engine import TimeUnit, due_at
from deadlines.models import CalendarDay, DayKind, DaySource
from units.models import Unit

from .calendars import at

TUESDAY = dt.date(2026, 3, 3)
THURSDAY = dt.date(2026, 3, 5)
SATURDAY = dt.date(2026, 3, 7)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The cache is per process and outlives a test's rolled-back rows.
    calendar_cache_clear()


def test_shared_and_unit_days(ward_center: Unit, other_center: Unit) -> None:
    CalendarDay.objects.create(date=TUESDAY, kind=DayKind.DAY_OFF, name="Nghỉ chung")
    CalendarDay.objects.create(
        date=THURSDAY, kind=DayKind.DAY_OFF, name="Nghỉ riêng", unit=ward_center
    )
    CalendarDay.objects.create(
        date=SATURDAY, kind=DayKind.WORKING_DAY, name="Làm bù", unit=ward_center
    )

    shared = calendar_default()
    assert not shared.is_working_day(TUESDAY)
    assert shared.is_working_day(THURSDAY)

    ward = calendar_for_unit(ward_center)
    assert not ward.is_working_day(TUESDAY)
    assert not ward.is_working_day(THURSDAY)
    assert ward.is_working_day(SATURDAY)

    other = calendar_for_unit(other_center)
    assert other.is_working_day(THURSDAY)
    assert not other.is_working_day(SATURDAY)

    # Mon 2 Mar 09:00, 3 WD at the ward center: Tue and Thu are off, Sat works.
    # Mon 360, Wed 480 (840), Fri 480 (1320), Sat 07:00 + 120 = 09:00.
    assert due_at(at(2026, 3, 2, 9), 3, TimeUnit.WORKING_DAYS, ward) == at(2026, 3, 7, 9)


def test_unit_row_wins_over_shared_row(ward_center: Unit, other_center: Unit) -> None:
    CalendarDay.objects.create(date=THURSDAY, kind=DayKind.DAY_OFF, name="Nghỉ chung")
    # The ward center opens anyway (say it keeps a duty desk that counts).
    CalendarDay.objects.create(
        date=THURSDAY, kind=DayKind.WORKING_DAY, name="Mở cửa", unit=ward_center
    )
    assert calendar_for_unit(ward_center).is_working_day(THURSDAY)
    assert not calendar_for_unit(other_center).is_working_day(THURSDAY)


def test_cache_hit_needs_no_query(ward_center: Unit, django_assert_num_queries) -> None:
    first = calendar_for_unit(ward_center)
    with django_assert_num_queries(0):
        assert calendar_for_unit(ward_center) is first


def test_saving_or_deleting_a_day_refreshes(ward_center: Unit) -> None:
    assert calendar_for_unit(ward_center).is_working_day(TUESDAY)
    row = CalendarDay.objects.create(
        date=TUESDAY, kind=DayKind.DAY_OFF, name="Nghỉ", unit=ward_center
    )
    assert not calendar_for_unit(ward_center).is_working_day(TUESDAY)
    row.kind = DayKind.WORKING_DAY
    row.save(update_fields=["kind"])
    assert calendar_for_unit(ward_center).is_working_day(TUESDAY)
    row.delete()
    assert calendar_for_unit(ward_center).is_working_day(TUESDAY)
    shared = CalendarDay.objects.create(date=TUESDAY, kind=DayKind.DAY_OFF, name="Nghỉ chung")
    assert not calendar_for_unit(ward_center).is_working_day(TUESDAY)
    assert not calendar_default().is_working_day(TUESDAY)
    shared.delete()
    assert calendar_default().is_working_day(TUESDAY)


def test_unit_periods_and_cutoff_follow_saves(ward_center: Unit) -> None:
    before = calendar_for_unit(ward_center)
    assert before.periods == ((dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))
    assert before.same_day_cutoff == dt.time(15)
    ward_center.work_periods = [["07:30", "11:30"], ["13:00", "17:00"]]
    ward_center.same_day_cutoff = dt.time(16)
    ward_center.save(update_fields=["work_periods", "same_day_cutoff"])
    after = calendar_for_unit(ward_center)
    assert after.periods == ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13), dt.time(17)))
    # Same day at 15:30 is before the new 16:00 cut-off: due 17:00 that day.
    assert due_at(at(2026, 3, 2, 15, 30), 0, TimeUnit.SAME_DAY, after) == at(2026, 3, 2, 17)


def test_entries_expire(ward_center: Unit, monkeypatch: pytest.MonkeyPatch) -> None:
    # Other processes never hear our signals; expiry bounds how stale they get.
    monkeypatch.setattr(calendar_module, "CACHE_SECONDS", -1.0)
    assert calendar_for_unit(ward_center) is not calendar_for_unit(ward_center)


def test_seeded_tet_2026_through_the_database(ward_center: Unit) -> None:
    call_command("calendar_seed", "--years", "2026", stdout=io.StringIO())
    assert CalendarDay.objects.filter(source=DaySource.DECISION, date__year=2026).exists()
    # Fri 13 Feb 2026 16:00 + 3 WD -> Wed 25 Feb 16:00 (see test_engine).
    calendar = calendar_for_unit(ward_center)
    assert due_at(at(2026, 2, 13, 16), 3, TimeUnit.WORKING_DAYS, calendar) == at(2026, 2, 25, 16)
