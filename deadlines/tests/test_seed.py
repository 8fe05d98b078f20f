"""The holiday seed: library plus announcements, idempotent, hand-entered rows kept."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from deadlines.management.commands.calendar_seed import parse_years
from deadlines.models import CalendarDay, DayKind, DaySource
from deadlines.seed import calendar_seed, library_days, official_days, planned_days
from units.models import Unit

OFF, WORK = DayKind.DAY_OFF, DayKind.WORKING_DAY


def _rows() -> dict[date, tuple[str, str]]:
    return {r.date: (r.kind, r.source) for r in CalendarDay.objects.filter(unit__isnull=True)}


def _weekdays(first: date, last: date) -> set[date]:
    return {
        date.fromordinal(o)
        for o in range(first.toordinal(), last.toordinal() + 1)
        if date.fromordinal(o).weekday() < 5
    }


@pytest.mark.django_db
def test_seed_writes_the_announced_days() -> None:
    out = io.StringIO()
    call_command("calendar_seed", "--years", "2024-2027", stdout=out)
    assert out.getvalue().count("\n") == 1
    assert "added" in out.getvalue()
    rows = _rows()
    off = {d for d, (kind, _source) in rows.items() if kind == OFF}
    work = {d for d, (kind, _source) in rows.items() if kind == WORK}
    # Tết 2025: 25 Jan - 2 Feb, weekdays 27-31 Jan. Tết 2026: 14-22 Feb,
    # weekdays 16-20 Feb. Tết 2024: 8-14 Feb.
    assert _weekdays(date(2025, 1, 25), date(2025, 2, 2)) <= off
    assert _weekdays(date(2026, 2, 14), date(2026, 2, 22)) == {
        date(2026, 2, d) for d in range(16, 21)
    }
    assert _weekdays(date(2026, 2, 14), date(2026, 2, 22)) <= off
    assert _weekdays(date(2024, 2, 8), date(2024, 2, 14)) <= off
    assert date(2024, 2, 15) not in off
    # 30/4-1/5 2024 with make-up Sat 4 May; 2/9 2024 on 2-3 Sep.
    assert {date(2024, 4, 29), date(2024, 4, 30), date(2024, 5, 1)} <= off
    assert date(2024, 5, 4) in work
    assert {date(2024, 9, 2), date(2024, 9, 3)} <= off
    # 2025 bridge Fri 2 May with make-up Sat 26 Apr; National Day 1-2 Sep.
    assert {date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)} <= off
    assert date(2025, 4, 26) in work
    assert {date(2025, 9, 1), date(2025, 9, 2)} <= off
    # 2026: Hùng Kings in lieu Mon 27 Apr; New Year bridge 2 Jan with Sat 10 Jan.
    assert {date(2026, 4, 27), date(2026, 1, 1), date(2026, 1, 2)} <= off
    assert date(2026, 1, 10) in work
    # Announced days are marked as decisions, the rest come from the library.
    assert rows[date(2025, 1, 27)] == (OFF, DaySource.DECISION)
    assert rows[date(2027, 2, 5)] == (OFF, DaySource.LIBRARY)
    # Only exceptions to Monday-Friday are stored.
    assert all(d.weekday() < 5 for d in off)
    assert all(d.weekday() >= 5 for d in work)


def test_library_agrees_with_the_2024_and_2025_announcements() -> None:
    # The JSON documents these; the library must already say the same.
    library = library_days([2024, 2025])
    official, _regular = official_days([2024, 2025])
    for day, planned in official.items():
        assert library[day].kind == planned.kind, day


@pytest.mark.django_db
def test_second_run_adds_nothing() -> None:
    first = calendar_seed(years=range(2024, 2028))
    assert first.created > 40
    count = CalendarDay.objects.count()
    second = calendar_seed(years=range(2024, 2028))
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.created
    assert CalendarDay.objects.count() == count


@pytest.mark.django_db
def test_manual_rows_are_never_overwritten(ward_center: Unit) -> None:
    # An administrator decided 24 Nov 2026 is an ordinary working day here,
    # and entered a day off of their own.
    CalendarDay.objects.create(
        date=date(2026, 11, 24), kind=WORK, name="Làm việc bình thường", source=DaySource.MANUAL
    )
    CalendarDay.objects.create(
        date=date(2026, 3, 3), kind=OFF, name="Nghỉ địa phương", source=DaySource.MANUAL
    )
    # A unit's own row on a seeded date is not the seed's business either.
    CalendarDay.objects.create(date=date(2026, 2, 16), kind=WORK, name="Trực", unit=ward_center)
    result = calendar_seed(years=[2026])
    assert result.manual == 2
    manual = CalendarDay.objects.get(date=date(2026, 11, 24), unit__isnull=True)
    assert (manual.kind, manual.source, manual.name) == (
        WORK,
        DaySource.MANUAL,
        "Làm việc bình thường",
    )
    assert CalendarDay.objects.filter(date=date(2026, 3, 3), source=DaySource.MANUAL).exists()
    assert CalendarDay.objects.get(unit=ward_center).kind == WORK
    assert calendar_seed(years=[2026]).manual == 2


@pytest.mark.django_db
def test_seed_repairs_and_removes_its_own_rows() -> None:
    calendar_seed(years=[2025])
    # Someone edited a seeded row without marking it manual, and a stale
    # library row sits on an ordinary day.
    CalendarDay.objects.filter(date=date(2025, 1, 27)).update(name="Sai tên")
    CalendarDay.objects.create(date=date(2025, 3, 3), kind=OFF, name="Cũ", source=DaySource.LIBRARY)
    result = calendar_seed(years=[2025])
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    assert CalendarDay.objects.get(date=date(2025, 1, 27)).name == "Tết Nguyên đán Ất Tỵ"
    assert not CalendarDay.objects.filter(date=date(2025, 3, 3)).exists()


def _write(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    path = tmp_path / "days.json"
    path.write_text(json.dumps({"format": 1, "years": {"2026": entries}}), encoding="utf-8")
    return path


def test_announcement_can_cancel_a_library_day(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"name": "x", "regular_days": ["2026-11-24"], "note": "test"}])
    assert date(2026, 11, 24) in planned_days([2026])
    assert date(2026, 11, 24) not in planned_days([2026], path)


def test_bad_announcements_are_refused(tmp_path: Path) -> None:
    weekday_make_up = [
        {"name": "x", "working_days": [{"date": "2026-03-03", "name": "y"}], "note": "n"}
    ]
    with pytest.raises(ValueError, match="not a weekend day"):
        official_days([2026], _write(tmp_path, weekday_make_up))
    with pytest.raises(ValueError, match="bad entry"):
        official_days([2026], _write(tmp_path, [{"name": "x", "days_off": ["2026-03-03"]}]))
    with pytest.raises(ValueError, match="ends before"):
        official_days(
            [2026],
            _write(tmp_path, [{"name": "x", "days_off": ["2026-03-05/2026-03-03"], "note": "n"}]),
        )


def test_parse_years() -> None:
    assert parse_years("2024-2027") == [2024, 2025, 2026, 2027]
    assert parse_years("2025") == [2025]
    assert parse_years("2024,2026") == [2024, 2026]
    with pytest.raises(CommandError):
        parse_years("2027-2024")
    with pytest.raises(CommandError):
        parse_years("soon")
