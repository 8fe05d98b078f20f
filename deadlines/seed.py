"""Fill the holiday table from the calendar library and the government's yearly announcements.

Two sources, in order of trust:

1. ``holidays.VN`` knows the Labour Code holidays (art. 112), the substitute
   days when a holiday falls on a weekend (art. 111(3)) and some swaps.
2. ``fixtures/official_days_off.json`` lists what the government announced
   for civil servants each year (bridges, make-up Saturdays). It wins over
   the library for the dates it names.

Only exceptions to the Monday-Friday week become rows: weekday days off and
weekend working days. Rows an administrator entered by hand are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
from django.db import transaction

from .engine import WorkCalendar
from .models import CalendarDay, DayKind, DaySource

OFFICIAL_DAYS_OFF = Path(__file__).resolve().parent / "fixtures" / "official_days_off.json"

# Names are stored in Vietnamese, like the library's names (language="vi").
_MAKE_UP_FOR = "Làm bù cho ngày {:%d/%m/%Y}"
_MAKE_UP = "Ngày làm việc bù"
_ENTRY_KEYS = {"name", "days_off", "working_days", "regular_days", "note"}


@dataclass(frozen=True)
class PlannedDay:
    date: date
    kind: str
    name: str
    source: str


@dataclass(frozen=True)
class SeedResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    manual: int = 0


def _dates(spec: str) -> list[date]:
    """``"2025-01-25"`` or an inclusive ISO 8601 range ``"2025-01-25/2025-02-02"``."""
    first_text, _, last_text = spec.partition("/")
    first = date.fromisoformat(first_text)
    last = date.fromisoformat(last_text) if last_text else first
    if last < first:
        raise ValueError(f"Range {spec!r} ends before it starts.")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def library_days(years: Iterable[int]) -> dict[date, PlannedDay]:
    """Weekday days off and weekend working days according to ``holidays.VN``."""
    wanted = set(years)
    calendar = holidays.country_holidays("VN", years=sorted(wanted), language="vi")
    planned: dict[date, PlannedDay] = {}
    for day, name in calendar.items():
        if day.year in wanted and day.weekday() < 5:
            planned[day] = PlannedDay(day, DayKind.DAY_OFF, name, DaySource.LIBRARY)
    for day in calendar.weekend_workdays:
        if day.year not in wanted:
            continue
        # The library names the swapped weekday "... (thay cho ngày <this date>)";
        # find it so the make-up day can say which day it makes up for.
        label = f"{day:%d/%m/%Y}"
        swapped = [d for d, n in calendar.items() if label in n and d != day]
        name = _MAKE_UP_FOR.format(swapped[0]) if swapped else _MAKE_UP
        planned[day] = PlannedDay(day, DayKind.WORKING_DAY, name, DaySource.LIBRARY)
    return planned


def official_days(
    years: Iterable[int], path: Path = OFFICIAL_DAYS_OFF
) -> tuple[dict[date, PlannedDay], set[date]]:
    """The announced days in ``years``, and the dates announced as ordinary days."""
    wanted = set(years)
    data = json.loads(path.read_text(encoding="utf-8"))
    planned: dict[date, PlannedDay] = {}
    regular: set[date] = set()

    def put(day: date, kind: str, name: str) -> None:
        if day.year not in wanted:
            return
        if day in planned and planned[day].kind != kind:
            raise ValueError(f"{path.name}: {day} is both a day off and a working day.")
        planned[day] = PlannedDay(day, kind, name, DaySource.DECISION)

    for year_text, entries in data["years"].items():
        for entry in entries:
            _check_entry(entry, year_text, path)
            for spec in entry.get("days_off", []):
                for day in _dates(spec):
                    # Weekends inside a range are off already; no row needed.
                    if day.weekday() < 5:
                        put(day, DayKind.DAY_OFF, entry["name"])
            for item in entry.get("working_days", []):
                day = date.fromisoformat(item["date"])
                if day.weekday() < 5:
                    raise ValueError(f"{path.name}: make-up day {day} is not a weekend day.")
                put(day, DayKind.WORKING_DAY, item["name"])
            for spec in entry.get("regular_days", []):
                regular.update(d for d in _dates(spec) if d.year in wanted)
    return planned, regular


def _check_entry(entry: dict[str, Any], year_text: str, path: Path) -> None:
    unknown = set(entry) - _ENTRY_KEYS
    if unknown or "name" not in entry or "note" not in entry:
        raise ValueError(f"{path.name} {year_text}: bad entry {entry!r}")


def planned_days(years: Iterable[int], path: Path = OFFICIAL_DAYS_OFF) -> dict[date, PlannedDay]:
    """The rows the seed wants for ``years``: the library, overridden by announcements."""
    wanted = set(years)
    planned = library_days(wanted)
    official, regular = official_days(wanted, path)
    for day in regular:
        planned.pop(day, None)
    planned.update(official)
    return dict(sorted(planned.items()))


def calendar_from_plan(plan: dict[date, PlannedDay], **options: Any) -> WorkCalendar:
    """A calendar with exactly the planned days, without touching the database."""
    return WorkCalendar(
        days_off=frozenset(d for d, p in plan.items() if p.kind == DayKind.DAY_OFF),
        working_days=frozenset(d for d, p in plan.items() if p.kind == DayKind.WORKING_DAY),
        **options,
    )


@transaction.atomic
def calendar_seed(*, years: Iterable[int], path: Path = OFFICIAL_DAYS_OFF) -> SeedResult:
    """Bring the rows shared by every unit in line with the plan for ``years``.

    Idempotent: a second run changes nothing. Rows entered by an
    administrator (source=manual) are kept as they are, even where the plan
    disagrees; seeded rows the plan no longer wants are removed.
    """
    wanted = sorted(set(years))
    plan = planned_days(wanted, path)
    existing = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(
            unit__isnull=True, date__year__in=wanted
        )
    }
    created = updated = removed = unchanged = manual = 0
    for day, item in plan.items():
        row = existing.pop(day, None)
        if row is None:
            CalendarDay.objects.create(date=day, kind=item.kind, name=item.name, source=item.source)
            created += 1
        elif row.source == DaySource.MANUAL:
            manual += 1
        elif (row.kind, row.name, row.source) == (item.kind, item.name, item.source):
            unchanged += 1
        else:
            row.kind, row.name, row.source = item.kind, item.name, item.source
            row.save(update_fields=["kind", "name", "source", "updated_at"])
            updated += 1
    for row in existing.values():
        if row.source == DaySource.MANUAL:
            manual += 1
        else:
            row.delete()
            removed += 1
    return SeedResult(created, updated, removed, unchanged, manual)
