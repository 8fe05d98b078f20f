"""Months of past tickets for the demo, so the manager's view has weeks to compare.

Each working day of a center gets arrivals shaped like the seed articles: a
crowd on the first day (about 500 people), Mondays half again as busy as
midweek, a rush in the last two months of the year, mornings busier than
afternoons. A small simulation then serves them at the center's counters
(the area's usual service time, a lunch break, more counters opened on
busy days) to get realistic called, started and finished times.

The rows are written in bulk, without ticket events: they stand for days
before the queue ran on this node. Days that already have tickets are
skipped, so running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from queueing.models import Counter, ServiceArea, Ticket, TicketSource, TicketStatus
from queueing.services.opening import hours_on
from units.models import Unit

# Share of the day's arrivals in each half hour from 07:00 to 16:30.
HALF_HOURS = [4, 8, 10, 10, 9, 8, 6, 4, 2, 0, 0, 0, 0, 5, 7, 7, 6, 5, 3]
# Monday to Sunday; a weekend day is open only as a make-up day or a Saturday morning.
WEEKDAY_FACTOR = [1.5, 1.1, 1.0, 0.95, 0.9, 0.6, 0.6]
LUNCH = (dt.time(11, 30), dt.time(13, 30))
OPENING_DAY_CROWD = 500
PRIORITY_SHARE = 0.07
NO_SHOW_SHARE = 0.03


@dataclass
class _Desk:
    counter: Counter
    areas: set[object]
    free_at: dt.datetime


def _season(day: dt.date) -> float:
    """The year-end rush: from 1.0 in October up to 1.35 in late December."""
    if day.month < 11:
        return 1.0
    return 1.0 + 0.35 * ((day.month - 11) * 30 + day.day) / 60


def arrivals_on(day: dt.date, base: float, rng: random.Random, *, opening: bool) -> int:
    if opening:
        return OPENING_DAY_CROWD
    return max(
        0, round(base * WEEKDAY_FACTOR[day.weekday()] * _season(day) * rng.uniform(0.85, 1.15))
    )


def _arrival_times(
    day: dt.date, count: int, rng: random.Random, closes: dt.time
) -> list[dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
    last = (closes.hour * 60 + closes.minute - 7 * 60) // 30  # half hours before closing
    weights = [w if n < last else 0 for n, w in enumerate(HALF_HOURS)]
    if not any(weights):
        return []
    slots = rng.choices(range(len(HALF_HOURS)), weights=weights, k=count)
    return sorted(start + dt.timedelta(minutes=30 * s + rng.uniform(0, 30)) for s in slots)


def _after_lunch(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    if LUNCH[0] <= local.time() < LUNCH[1]:
        return timezone.make_aware(dt.datetime.combine(local.date(), LUNCH[1]))
    return moment


def _day(
    center: Unit,
    day: dt.date,
    count: int,
    areas: list[ServiceArea],
    counters: list[Counter],
    rng: random.Random,
    staffed_for: float,
    closes: dt.time,
) -> list[Ticket]:
    weights = [max(1, 10 - 2 * a.position) for a in areas]
    opening = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
    desks = [
        _Desk(c, {a.pk for a in c.areas.all()} or {a.pk for a in areas}, opening) for c in counters
    ]
    # Staff are planned for an ordinary busy day (``staffed_for`` arrivals) and for
    # the crowd of the first day; Mondays and the year end make longer waits.
    minutes = staffed_for * sum(a.service_minutes for a in areas) / len(areas)
    needed = math.ceil(minutes / (6 * 60 * 0.85))
    for extra in range(max(needed - len(desks), 0)):
        desks.append(_Desk(counters[extra % len(counters)], {a.pk for a in areas}, opening))
    seqs = dict.fromkeys((a.pk for a in areas), 0)
    arrivals = []
    for issued in _arrival_times(day, count, rng, closes):  # numbered in order of arrival, per area
        area = rng.choices(areas, weights=weights)[0]
        seqs[area.pk] += 1
        arrivals.append((issued, area, seqs[area.pk], rng.random() < PRIORITY_SHARE))
    # Priority tickets go ahead of about a quarter of an hour of arrivals.
    arrivals.sort(key=lambda a: a[0] - dt.timedelta(minutes=15 if a[3] else 0))
    tickets: list[Ticket] = []
    for issued, area, seq, priority in arrivals:
        candidates = [d for d in desks if area.pk in d.areas] or desks
        desk = min(candidates, key=lambda d: d.free_at)
        called = _after_lunch(max(issued, desk.free_at))
        absent = rng.random() < NO_SHOW_SHARE
        service = dt.timedelta(minutes=rng.lognormvariate(0, 0.45) * area.service_minutes)
        started = called + dt.timedelta(seconds=rng.uniform(30, 90))
        finished = called + dt.timedelta(minutes=3) if absent else started + service
        desk.free_at = finished + dt.timedelta(seconds=20)
        local = timezone.localtime(issued)
        tickets.append(
            Ticket(
                center=center,
                area=area,
                issued_area=area,
                day=day,
                seq=seq,
                number=area.number_base + seq,
                priority=priority,
                source=TicketSource.KIOSK,
                status=TicketStatus.NO_SHOW if absent else TicketStatus.DONE,
                token=secrets.token_urlsafe(12),
                issued_at=issued,
                queued_at=issued,
                called_at=called,
                started_at=None if absent else started,
                finished_at=finished,
                recalls=2 if absent else 0,
                counter=desk.counter,
                weekday=local.weekday(),
                hour=local.hour,
                wait_seconds=int((called - issued).total_seconds()),
                service_seconds=None if absent else int(service.total_seconds()),
            )
        )
    return tickets


def generate(
    center: Unit,
    *,
    days: int,
    base: float,
    until: dt.date | None = None,
    seed: int = 7,
    opening_day: bool = True,
) -> int:
    """Simulate ``days`` calendar days of tickets before ``until`` (today); the number made."""
    end = until or timezone.localdate()
    first = end - dt.timedelta(days=days)
    areas = list(ServiceArea.objects.filter(center=center, is_active=True))
    counters = list(Counter.objects.filter(center=center).prefetch_related("areas"))
    if not areas or not counters:
        return 0
    done = set(
        Ticket.objects.filter(center=center, day__gte=first, day__lt=end)
        .values_list("day", flat=True)
        .distinct()
    )
    rng = random.Random(f"{seed}:{center.code}")
    made = 0
    # The days the center was open: no tickets on a holiday, some on its Saturdays.
    every_day = [first + dt.timedelta(days=n) for n in range(days)]
    hours = {day: found for day in every_day if (found := hours_on(center, day)) is not None}
    working = list(hours)
    with transaction.atomic():
        for day in working:
            count = arrivals_on(day, base, rng, opening=opening_day and day == working[0])
            if day in done or count == 0:
                continue
            staffed_for = max(count, base * 1.2) if count == OPENING_DAY_CROWD else base * 1.2
            staffed_for = min(count, staffed_for)
            batch = _day(center, day, count, areas, counters, rng, staffed_for, hours[day][1])
            Ticket.objects.bulk_create(batch, batch_size=1000)
            made += len(batch)
    return made


__all__ = ["arrivals_on", "generate"]
