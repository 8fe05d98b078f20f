"""The demo's queue: slots to book only on the days a center is open, within its hours."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.engine import VN_TZ
from deadlines.models import CalendarDay, DayKind
from queueing import history
from queueing import services as q
from queueing.demo import configure, queue_demo_load
from queueing.models import Slot, Ticket
from units.models import Level, Unit, UnitKind

MONDAY_16_NOV = dt.datetime(2026, 11, 16, 8, 0, tzinfo=VN_TZ)


@pytest.mark.django_db
def test_the_demo_opens_slots_only_on_open_days_within_their_hours(
    ward_center: Unit, province: Unit
) -> None:
    provincial = Unit.objects.create(
        code="000.00.01.H99",
        name_vi="Trung tâm PVHCC tỉnh",
        kind=UnitKind.CENTER,
        level=Level.PROVINCE,
        parent=province,
        province=province,
    )
    CalendarDay.objects.create(
        date=dt.date(2026, 11, 24), kind=DayKind.DAY_OFF, name="Ngày Văn hóa Việt Nam"
    )
    CalendarDay.objects.create(date=dt.date(2026, 11, 28), kind=DayKind.WORKING_DAY, name="Làm bù")
    fortnight = [MONDAY_16_NOV.date() + dt.timedelta(days=n) for n in range(14)]
    with time_machine.travel(MONDAY_16_NOV, tick=False):
        queue_demo_load(history_days=0)

    for center in (ward_center, provincial):
        slots = Slot.objects.filter(area__center=center)
        days = sorted(set(slots.values_list("day", flat=True)))
        assert days == q.days_open(center, fortnight)
        for day, starts, ends in slots.values_list("day", "starts_at", "ends_at"):
            opens, closes = q.hours_on(center, day) or (None, None)
            assert opens is not None and opens <= starts and ends <= closes

    ward_days = set(Slot.objects.filter(area__center=ward_center).values_list("day", flat=True))
    assert dt.date(2026, 11, 24) not in ward_days
    assert dt.date(2026, 11, 21) not in ward_days  # an ordinary Saturday: no hours
    saturday = Slot.objects.filter(area__center=ward_center, day=dt.date(2026, 11, 28))
    assert saturday.filter(starts_at=dt.time(15, 30)).exists()  # a make-up day is a full day
    provincial_saturday = Slot.objects.filter(
        area__center=provincial, day=dt.date(2026, 11, 21)
    ).values_list("starts_at", flat=True)
    assert sorted(set(provincial_saturday)) == [dt.time(7, 30), dt.time(8, 30), dt.time(9, 30)]


@pytest.mark.django_db
def test_past_tickets_lie_on_the_days_and_hours_the_center_was_open(ward_center: Unit) -> None:
    areas = configure(ward_center)
    assert areas
    CalendarDay.objects.create(
        date=dt.date(2026, 11, 24), kind=DayKind.DAY_OFF, name="Ngày Văn hóa Việt Nam"
    )
    CalendarDay.objects.create(date=dt.date(2026, 11, 28), kind=DayKind.WORKING_DAY, name="Làm bù")
    made = history.generate(
        ward_center, days=14, base=60, until=dt.date(2026, 11, 30), opening_day=False
    )

    tickets = Ticket.objects.filter(center=ward_center)
    assert made == tickets.count() > 0
    days = set(tickets.values_list("day", flat=True))
    fortnight = [dt.date(2026, 11, 16) + dt.timedelta(days=n) for n in range(14)]
    assert sorted(days) == q.days_open(ward_center, fortnight)
    assert dt.date(2026, 11, 28) in days and dt.date(2026, 11, 24) not in days
    for day, issued in tickets.values_list("day", "issued_at"):
        hours = q.hours_on(ward_center, day)
        assert hours is not None and issued.astimezone(VN_TZ).time() <= hours[1]
