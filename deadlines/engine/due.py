"""Due moments: when a dossier is due from its acceptance, and how far pauses move it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from deadlines.engine.working_time import (
    US_PER_DAY,
    Interval,
    Number,
    WorkCalendar,
    merge_spans,
    non_negative_amount,
)


class TimeUnit(StrEnum):
    """How a procedure's processing time is expressed (same values as the catalog)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"


def _unit(unit: str) -> TimeUnit:
    try:
        return TimeUnit(unit)
    except ValueError:
        raise ValueError(f"Unknown time unit {unit!r}.") from None


def _calendar_day_due(calendar: WorkCalendar, start: datetime, days: int) -> datetime:
    # Civil Code art. 147-148: a period counted in days ends at the end of its
    # last day; if that day is a weekly rest day or a holiday, the period ends
    # at the end of the next working day. "End of the day" for an office is
    # the end of its last working period.
    last = start.toordinal() + days
    return calendar._day_end(calendar._next_working_ordinal(last))


def _same_day_due(calendar: WorkCalendar, start: datetime) -> datetime:
    # Received up to the cut-off (15:00): due at the end of the same working
    # day. Received after it: due at the end of the next working day. The
    # clock start is always on a working day here.
    ordinal = start.toordinal()
    if start.time() > calendar.same_day_cutoff:
        ordinal = calendar._next_working_ordinal(ordinal, after=True)
    return calendar._day_end(ordinal)


def due_at(accepted_at: datetime, value: Number, unit: str, calendar: WorkCalendar) -> datetime:
    """The moment a dossier accepted at ``accepted_at`` is due.

    The clock starts at acceptance, or at the next working period when the
    dossier was accepted outside working hours.

    * ``working_days``: ``value`` working days of working time are added to
      the clock start (fractions such as 0.5 are half a working day).
    * ``same_day``: the end of the clock start's working day, or of the next
      working day when the clock starts after the cut-off; ``value`` is not
      used.
    * ``calendar_days``: the end of the last working period on the date
      ``value`` days after the clock start's date, moved to the end of the
      next working day when that date is not one (Civil Code art. 148). A
      fraction of a day counts as a whole day, since such periods only end
      at the end of a day.

    Raises ``ValueError`` for naive datetimes, negative values or an unknown
    unit. The answer is in the calendar's time zone.
    """
    kind = _unit(unit)
    amount = non_negative_amount(value)
    if kind is TimeUnit.WORKING_DAYS:
        work = round(amount * calendar._day_us)
        if work > 0:
            # Adding from the acceptance moment equals adding from the clock
            # start, because the gap between them holds no working time.
            return calendar._at(calendar._pos(accepted_at) + work)
        return calendar.next_working_start(accepted_at)
    start = calendar.next_working_start(accepted_at)
    if kind is TimeUnit.SAME_DAY:
        return _same_day_due(calendar, start)
    return _calendar_day_due(calendar, start, math.ceil(amount))


def due_with_pauses(
    accepted_at: datetime,
    value: Number,
    unit: str,
    calendar: WorkCalendar,
    pauses: Sequence[Interval],
    now: datetime | None = None,
) -> datetime:
    """The due moment after the clock stood still during ``pauses``.

    A supplement request or a wait for fees stops the clock; when it restarts
    the due moment moves later by the working time spent paused. A pause still
    open counts up to ``now`` (the current time when not given). Overlapping
    pauses count once, and only time after the clock start counts.

    For calendar-day procedures the due date moves by the calendar days
    paused, rounded up to whole days, and the end-of-day rule of Civil Code
    art. 148 is applied again to the new date.
    """
    kind = _unit(unit)
    amount = non_negative_amount(value)
    start = calendar.next_working_start(accepted_at)
    spans = merge_spans(pauses, now, floor=start)
    if kind is TimeUnit.CALENDAR_DAYS:
        paused = sum((end - begin for begin, end in spans), timedelta())
        paused_us = paused // timedelta(microseconds=1)
        extra_days = -(-paused_us // US_PER_DAY)
        return _calendar_day_due(calendar, start, math.ceil(amount) + extra_days)
    base = due_at(accepted_at, amount, kind, calendar)
    paused_work = sum(calendar._working_us(begin, end) for begin, end in spans)
    if paused_work <= 0:
        return base
    return calendar._at(calendar._pos(base) + paused_work)
