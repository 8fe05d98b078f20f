"""When a center serves people: its open days and each day's hours.

One rule for the kiosk, bookings and the demo: a day is open when
its weekday has opening hours (Monday to Friday for a center without any) and
the working calendar does not take it off (a public holiday, a bridged day), or
when the calendar makes it a working day (a Saturday that makes up for a bridged
weekday). A make-up day without hours of its own keeps the center's usual
weekday hours, since its staff work a full day in place of the weekday.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from deadlines.calendar import calendar_for_unit
from queueing.models import OpeningHours
from queueing.services.common import moment_or_now

if TYPE_CHECKING:
    from deadlines.engine import WorkCalendar
    from units.models import Unit

Hours = tuple[dt.time, dt.time]

WEEKDAYS = frozenset(range(5))
# A center without opening hours issues tickets at any time of an open day.
ALL_DAY: Hours = (dt.time.min, dt.time.max)
# How far ahead the kiosk looks for the day a closed center opens again (Tết takes nine).
LOOK_AHEAD_DAYS = 31


def _weekly(center: Unit) -> dict[int, Hours]:
    rows = OpeningHours.objects.filter(center=center).values_list(
        "weekday", "opens_at", "closes_at"
    )
    return {weekday: (opens, closes) for weekday, opens, closes in rows}


def _is_open(day: dt.date, weekly: dict[int, Hours], calendar: WorkCalendar) -> bool:
    if day in calendar.days_off:
        return False
    return day in calendar.working_days or day.weekday() in (set(weekly) or WEEKDAYS)


def _usual(weekly: dict[int, Hours]) -> Hours:
    """The hours most of the center's weekdays keep (the first such weekday's on a tie)."""
    kept = sorted(weekly.items())
    usual = [hours for day, hours in kept if day in WEEKDAYS] or [hours for _, hours in kept]
    return Tally(usual).most_common(1)[0][0]


def days_open(center: Unit, days: Iterable[dt.date]) -> list[dt.date]:
    """Those of ``days`` on which the center serves people (see the module's rule)."""
    weekly, calendar = _weekly(center), calendar_for_unit(center)
    return [day for day in days if _is_open(day, weekly, calendar)]


def is_open_on(center: Unit, day: dt.date) -> bool:
    """Whether the center serves people on ``day`` (see ``days_open``)."""
    return bool(days_open(center, [day]))


def hours_on(center: Unit, day: dt.date) -> Hours | None:
    """The center's opening and last-ticket times on ``day``; None when it is closed that day."""
    weekly = _weekly(center)
    if not _is_open(day, weekly, calendar_for_unit(center)):
        return None
    if not weekly:
        return ALL_DAY
    return weekly.get(day.weekday()) or _usual(weekly)


def is_open(center: Unit, at: dt.datetime | None = None) -> bool:
    """Whether the kiosk issues tickets now: an open day, within that day's hours."""
    local = timezone.localtime(moment_or_now(at))
    hours = hours_on(center, local.date())
    return hours is not None and hours[0] <= local.time() <= hours[1]


def next_day_open(center: Unit, after: dt.date) -> dt.date | None:
    """The first day after ``after`` on which the center is open, within a month."""
    ahead = [after + dt.timedelta(days=n) for n in range(1, LOOK_AHEAD_DAYS + 1)]
    found = days_open(center, ahead)
    return found[0] if found else None
