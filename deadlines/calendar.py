"""The working calendar of a unit, read from the database and kept in memory.

A calendar is built from the unit's working periods and same-day cut-off,
the calendar days shared by every unit and the unit's own calendar days (a
unit's row wins over a shared row for the same date, e.g. a local holiday or
a Saturday the unit opens).

Building one costs a query and, on first use, a table of working days, so
each process keeps the calendars it built. Saving or deleting a calendar day
or a unit clears them (see ``deadlines.signals``), in this process and,
through the node's stamp file (``core.kept``), in its other server
processes, so a day off entered by an administrator counts at once on every
desk. Entries also expire after ``CACHE_SECONDS``, for rows written without
a signal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from core.kept import Kept
from units.models import Unit

from .engine import WorkCalendar
from .models import CalendarDay, DayKind

CACHE_SECONDS = 300.0

_DEFAULT = "default"
_calendars = Kept(stamp="calendars")


def calendar_cache_clear(unit_pk: Any = None) -> None:
    """Forget one unit's calendar, or every calendar when no unit is given."""
    _calendars.forget(unit_pk)


def _build(unit: Unit | None) -> WorkCalendar:
    which = Q(unit__isnull=True)
    if unit is not None:
        which |= Q(unit=unit)
    rows = CalendarDay.objects.filter(which).values_list("date", "kind", "unit_id")
    kinds: dict[Any, str] = {}
    # Shared rows first, then the unit's own rows on top of them.
    for day, kind, _unit_id in sorted(rows, key=lambda row: row[2] is not None):
        kinds[day] = kind
    options: dict[str, Any] = {}
    if unit is not None:
        options = {"periods": tuple(unit.periods()), "same_day_cutoff": unit.same_day_cutoff}
    return WorkCalendar(
        days_off=frozenset(d for d, k in kinds.items() if k == DayKind.DAY_OFF),
        working_days=frozenset(d for d, k in kinds.items() if k == DayKind.WORKING_DAY),
        **options,
    )


def calendar_default() -> WorkCalendar:
    """The calendar shared by every unit, with the default working periods and cut-off."""
    return _calendars.get(_DEFAULT, lambda: _build(None), seconds=CACHE_SECONDS)


def calendar_for_unit(unit: Unit) -> WorkCalendar:
    """The working calendar of ``unit`` (its periods, cut-off and days)."""
    if unit._state.adding:
        return _build(unit)  # no signal would ever clear an entry for an unsaved unit
    return _calendars.get(unit.pk, lambda: _build(unit), seconds=CACHE_SECONDS)
