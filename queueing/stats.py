"""What the center manager watches: the queue now, today, and by weekday and hour."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Min, Q
from django.utils import timezone

from queueing.models import (
    BookingChannel,
    Counter,
    CounterState,
    ServiceArea,
    Ticket,
    TicketSource,
    TicketStatus,
)
from units.models import Unit

HOURS = list(range(7, 17))
WEEKDAYS = list(range(0, 6))


@dataclass
class AreaNow:
    area: ServiceArea
    waiting: int
    priority: int
    longest_minutes: int
    counters: int


@dataclass
class Cell:
    tickets: float = 0.0  # per day of that weekday
    wait_minutes: float | None = None
    level: int = 0  # 0..4, how busy, for shading


@dataclass
class Overview:
    areas: list[AreaNow]
    counters_open: int
    counters_paused: int
    counters_total: int
    today_tickets: int
    today_served: int
    today_no_show: int
    today_wait_minutes: float | None
    today_service_minutes: float | None
    weeks: int
    # Today's tickets by how people came in: kiosk, guide, booked online, booked by phone.
    today_channels: dict[str, int] = field(default_factory=dict)
    grid: list[tuple[int, list[Cell]]] = field(default_factory=list)

    @property
    def waiting_total(self) -> int:
        return sum(a.waiting for a in self.areas)

    @property
    def longest_minutes(self) -> int:
        return max((a.longest_minutes for a in self.areas), default=0)

    by_weekday: list[tuple[int, Cell]] = field(default_factory=list)


def _minutes(seconds: Any) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


def _level(value: float, top: float) -> int:
    if top <= 0 or value <= 0:
        return 0
    return min(4, 1 + int(4 * value / top - 1e-9))


def overview(center: Unit, *, weeks: int = 8, at: dt.datetime | None = None) -> Overview:
    now = at or timezone.now()
    today = timezone.localtime(now).date()
    areas = list(ServiceArea.objects.filter(center=center, is_active=True))
    waiting = {
        row["area_id"]: row
        for row in Ticket.objects.filter(center=center, day=today, status=TicketStatus.WAITING)
        .values("area_id")
        .annotate(n=Count("id"), p=Count("id", filter=Q(priority=True)), first=Min("queued_at"))
    }
    serving = {
        row["areas"]: row["n"]
        for row in Counter.objects.filter(center=center, state=CounterState.OPEN)
        .values("areas")
        .annotate(n=Count("id"))
    }
    now_rows = []
    for area in areas:
        row = waiting.get(area.pk, {})
        first = row.get("first")
        now_rows.append(
            AreaNow(
                area=area,
                waiting=row.get("n", 0),
                priority=row.get("p", 0),
                longest_minutes=int((now - first).total_seconds() // 60) if first else 0,
                counters=serving.get(area.pk, 0),
            )
        )
    states = dict(
        Counter.objects.filter(center=center).values_list("state").annotate(n=Count("id"))
    )
    today_rows = Ticket.objects.filter(center=center, day=today).aggregate(
        n=Count("id"),
        done=Count("id", filter=Q(status=TicketStatus.DONE)),
        absent=Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
        wait=Avg("wait_seconds"),
        service=Avg("service_seconds"),
        kiosk=Count("id", filter=Q(source=TicketSource.KIOSK)),
        guide=Count("id", filter=Q(source=TicketSource.GUIDE)),
        online=Count(
            "id",
            filter=Q(source=TicketSource.APPOINTMENT, appointment__channel=BookingChannel.ONLINE),
        ),
        phone=Count(
            "id",
            filter=Q(source=TicketSource.APPOINTMENT, appointment__channel=BookingChannel.PHONE),
        ),
    )
    result = Overview(
        areas=now_rows,
        counters_open=states.get(CounterState.OPEN, 0),
        counters_paused=states.get(CounterState.PAUSED, 0),
        counters_total=sum(states.values()),
        today_tickets=today_rows["n"],
        today_served=today_rows["done"],
        today_no_show=today_rows["absent"],
        today_wait_minutes=_minutes(today_rows["wait"]),
        today_service_minutes=_minutes(today_rows["service"]),
        weeks=weeks,
        today_channels={k: today_rows[k] for k in ("kiosk", "guide", "online", "phone")},
    )
    _history(result, center, today, weeks)
    return result


def _history(result: Overview, center: Unit, today: dt.date, weeks: int) -> None:
    """Tickets per day and average wait, by weekday and hour, over the last ``weeks`` weeks."""
    start = today - dt.timedelta(weeks=weeks)
    past = Ticket.objects.filter(center=center, day__gte=start, day__lt=today)
    days_per_weekday = {
        row["weekday"]: row["days"]
        for row in past.values("weekday").annotate(days=Count("day", distinct=True))
    }
    cells: dict[tuple[int, int], Cell] = {}
    for row in past.values("weekday", "hour").annotate(n=Count("id"), wait=Avg("wait_seconds")):
        days = days_per_weekday.get(row["weekday"]) or 1
        cells[(row["weekday"], row["hour"])] = Cell(
            tickets=round(row["n"] / days, 1), wait_minutes=_minutes(row["wait"])
        )
    top = max((c.tickets for c in cells.values()), default=0.0)
    for cell in cells.values():
        cell.level = _level(cell.tickets, top)
    result.grid = [(h, [cells.get((d, h), Cell()) for d in WEEKDAYS]) for h in HOURS]
    totals = {
        row["weekday"]: row
        for row in past.values("weekday").annotate(n=Count("id"), wait=Avg("wait_seconds"))
    }
    per_day = {
        d: round(totals[d]["n"] / (days_per_weekday.get(d) or 1), 1) if d in totals else 0.0
        for d in WEEKDAYS
    }
    top_day = max(per_day.values(), default=0.0)
    result.by_weekday = [
        (
            d,
            Cell(
                tickets=per_day[d],
                wait_minutes=_minutes(totals[d]["wait"]) if d in totals else None,
                level=_level(per_day[d], top_day),
            ),
        )
        for d in WEEKDAYS
    ]
