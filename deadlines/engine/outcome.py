"""Where a dossier stands against its due moment: early, on time, late, overdue, due soon."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from deadlines.engine.working_time import WorkCalendar, require_aware


class Outcome(StrEnum):
    """Where a dossier stands against its due moment."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"


def classify(
    due: datetime,
    calendar: WorkCalendar,
    *,
    finished_at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Early, on time or late for a finished dossier; on time or overdue for an open one.

    Finished: ``late`` when it finished after the due moment, even by a
    minute; ``early`` when it finished on a calendar date before the due
    date; otherwise ``on_time``. Open (no ``finished_at``): ``overdue`` once
    ``now`` (the current time when not given) is after the due moment.
    Dates are read in the calendar's time zone.
    """
    require_aware(due, "due moment")
    if finished_at is not None:
        require_aware(finished_at, "finish moment")
        if finished_at > due:
            return Outcome.LATE
        if finished_at.astimezone(calendar.tz).date() < due.astimezone(calendar.tz).date():
            return Outcome.EARLY
        return Outcome.ON_TIME
    if now is None:
        now = datetime.now(calendar.tz)
    require_aware(now, "current moment")
    return Outcome.OVERDUE if now > due else Outcome.ON_TIME


def due_soon(due: datetime, now: datetime, calendar: WorkCalendar) -> bool:
    """True while an open dossier is not yet overdue but has at most one working day left.

    One working day is the calendar's day length (480 minutes by default), so
    a dossier due Monday 17:00 is "due soon" from Friday 17:00 on.
    """
    require_aware(due, "due moment")
    require_aware(now, "current moment")
    if now > due:
        return False
    return calendar._working_us(now, due) <= calendar._day_us
