"""Periods of days as the fewest counter rows: whole years, whole months, then days."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q

# Earlier than any counter: "every year before" in a prefix sum.
EPOCH = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Span:
    """Buckets of one grain whose first days run from ``first`` to ``last``."""

    grain: str
    first: dt.date
    last: dt.date

    def q(self, unit_ids: Collection[uuid.UUID]) -> Q:
        return Q(unit_id__in=list(unit_ids), grain=self.grain, day__range=(self.first, self.last))


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def spans(start: dt.date, end: dt.date) -> list[Span]:
    """The days ``start`` to ``end`` (both included) as whole years, months and days."""
    found: list[Span] = []
    day = start
    while day <= end:
        if day.month == 1 and day.day == 1 and dt.date(day.year, 12, 31) <= end:
            grain, following = "y", dt.date(day.year + 1, 1, 1)
        elif day.day == 1 and month_end(day) <= end:
            grain, following = "m", next_month(day)
        else:
            grain, following = "d", day + dt.timedelta(days=1)
        if found and found[-1].grain == grain:
            found[-1] = Span(grain, found[-1].first, day)
        else:
            found.append(Span(grain, day, day))
        day = following
    return found


def up_to(end: dt.date) -> list[Span]:
    """Every day from the beginning of time to ``end`` included."""
    return spans(EPOCH, end) if end >= EPOCH else []


def as_q(parts: list[Span], unit_ids: Collection[uuid.UUID]) -> Q:
    """Rows of these units in these spans.

    The units are repeated in every alternative so that each one is a search
    of the (unit, grain, day) index, not a scan of the units' every row.
    """
    query = Q(pk__in=[])
    for part in parts:
        query |= part.q(unit_ids)
    return query


def year_before(day: dt.date) -> dt.date:
    """The same date a year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
