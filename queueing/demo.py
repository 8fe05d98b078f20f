"""The queue of each demo center: areas, counters, hours, slots to book, and past tickets."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from catalog.models import Field
from queueing import history
from queueing.models import (
    Counter,
    OnlinePriorityDay,
    OpeningHours,
    Policy,
    QueueSettings,
    ServiceArea,
    Slot,
)
from queueing.services.opening import hours_on
from units.models import Level, Unit, UnitKind

# (name_vi, name_en, catalog fields, policy, usual minutes)
WARD_AREAS = [
    (
        "Hộ tịch, chứng thực",
        "Civil status, certification",
        ["HO_TICH", "CHUNG_THUC"],
        Policy.INTERLEAVE,
        7,
    ),
    ("Cư trú, căn cước", "Residence, identity cards", ["CU_TRU", "CAN_CUOC"], Policy.STRICT, 9),
    ("Đất đai, xây dựng", "Land, construction", ["DAT_DAI", "XAY_DUNG"], Policy.AGING, 14),
    (
        "Lao động, xã hội, bảo hiểm",
        "Labour, social affairs, insurance",
        ["LDXH", "BHXH", "ATTP"],
        Policy.STRICT,
        10,
    ),
]
PROVINCE_AREAS = [
    ("Lý lịch tư pháp", "Criminal records", ["LLTP"], Policy.INTERLEAVE, 6),
    ("Giấy phép lái xe", "Driving licences", ["GPLX"], Policy.INTERLEAVE, 8),
    ("Đăng ký kinh doanh, thuế", "Business registration, tax", ["DKKD", "THUE"], Policy.STRICT, 12),
    ("Đất đai, xây dựng", "Land, construction", ["DAT_DAI", "XAY_DUNG"], Policy.AGING, 15),
    ("Căn cước, cư trú", "Identity cards, residence", ["CAN_CUOC", "CU_TRU"], Policy.STRICT, 9),
]
# Counter number -> positions of the areas it serves.
WARD_COUNTERS = {1: [0], 2: [1], 3: [2, 3], 4: [0, 1]}
PROVINCE_COUNTERS = {1: [0], 2: [0], 3: [1], 4: [1], 5: [2], 6: [3], 7: [4], 8: [2, 3, 4]}
SLOT_TIMES = [
    dt.time(7, 30),
    dt.time(8, 30),
    dt.time(9, 30),
    dt.time(10, 30),
    dt.time(13, 30),
    dt.time(14, 30),
    dt.time(15, 30),
]
BOOKING_DAYS = 14
HISTORY_DAYS = 91
# Busy midweek arrivals; the showcase ward saw about 500 people on its first day.
HISTORY_BASE = {"000.21.01.H15": 170.0, "000.00.01.H15": 260.0}


@transaction.atomic
def configure(center: Unit) -> list[ServiceArea]:
    """The center's areas, counters, hours and settings; nothing is changed if they exist."""
    provincial = center.level == Level.PROVINCE
    specs = PROVINCE_AREAS if provincial else WARD_AREAS
    QueueSettings.objects.get_or_create(center=center)
    for weekday in range(5):
        OpeningHours.objects.get_or_create(
            center=center,
            weekday=weekday,
            defaults={"opens_at": dt.time(7, 0), "closes_at": dt.time(16, 45)},
        )
    if provincial:  # Saturday mornings at the provincial center
        OpeningHours.objects.get_or_create(
            center=center,
            weekday=5,
            defaults={"opens_at": dt.time(7, 30), "closes_at": dt.time(11, 0)},
        )
    areas = []
    for position, (name_vi, name_en, fields, policy, minutes) in enumerate(specs):
        area, created = ServiceArea.objects.get_or_create(
            center=center,
            number_base=(position + 1) * 1000,
            defaults={
                "name_vi": name_vi,
                "name_en": name_en,
                "position": position,
                "policy": policy,
                "interleave_every": 3,
                "aging_minutes": 20,
                "service_minutes": minutes,
            },
        )
        if created or not area.fields.exists():
            area.fields.set(Field.objects.filter(code__in=fields))
        areas.append(area)
    for number, served in (PROVINCE_COUNTERS if provincial else WARD_COUNTERS).items():
        counter, created = Counter.objects.get_or_create(center=center, number=number)
        if created:
            counter.areas.set([areas[i] for i in served])
    return areas


def open_slots(
    center: Unit, areas: list[ServiceArea], *, capacity: int, days: int = BOOKING_DAYS
) -> None:
    """Hour-long slots on the days the center is open, each within that day's hours."""
    today = timezone.localdate()
    slots: list[Slot] = []
    for day in (today + dt.timedelta(days=n) for n in range(days)):
        hours = hours_on(center, day)  # None on a day days_open leaves out
        if hours is None:
            continue
        for start in SLOT_TIMES:
            end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=60)).time()
            if start < hours[0] or end > hours[1]:
                continue
            slots.extend(
                Slot(area=area, day=day, starts_at=start, ends_at=end, capacity=capacity)
                for area in areas
            )
    Slot.objects.bulk_create(slots, ignore_conflicts=True)


def online_wednesdays(center: Unit, *, days: int = BOOKING_DAYS) -> None:
    """ "Online on Wednesday": booked people go first on Wednesdays."""
    today = timezone.localdate()
    days_ahead = [today + dt.timedelta(days=n) for n in range(days)]
    OnlinePriorityDay.objects.bulk_create(
        [OnlinePriorityDay(center=center, day=d) for d in days_ahead if d.weekday() == 2],
        ignore_conflicts=True,
    )


def queue_demo_load(
    units: dict[str, Unit] | None = None, *, history_days: int = HISTORY_DAYS
) -> int:
    """Configure every demo center's queue; past tickets for the two busiest. Tickets made."""
    centers = Unit.objects.filter(kind=UnitKind.CENTER, is_active=True)
    made = 0
    for center in centers:
        areas = configure(center)
        open_slots(center, areas, capacity=6 if center.level == Level.PROVINCE else 3)
        online_wednesdays(center)
        base = HISTORY_BASE.get(center.code)
        if base and history_days > 0:
            made += history.generate(center, days=history_days, base=base)
    return made
