"""Booked slots: capacity, no double booking, reminders, check-in at the kiosk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from deadlines.models import CalendarDay, DayKind
from notify.models import Message
from queueing import services as q
from queueing.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    OnlinePriorityDay,
    OpeningHours,
    ServiceArea,
    Slot,
    TicketSource,
)
from queueing.tests.conftest import MONDAY, minutes
from units.models import Unit

SATURDAY = MONDAY - dt.timedelta(days=2)  # when people book for Monday


@pytest.fixture
def slot(civil: ServiceArea) -> Slot:
    return Slot.objects.create(
        area=civil, day=MONDAY.date(), starts_at=dt.time(9), ends_at=dt.time(10), capacity=2
    )


def book(slot: Slot, phone: str = "0905123456", name: str = "Lê Vĩnh Huỳnh") -> Appointment:
    return q.appointment_book(slot=slot, name=name, phone=phone, at=SATURDAY)


@pytest.mark.django_db
def test_booking_takes_a_place_and_queues_a_confirmation_and_a_reminder(slot: Slot) -> None:
    appointment = book(slot, phone="+84 905 123 456")
    slot.refresh_from_db()
    assert slot.booked == 1 and slot.free == 1
    assert appointment.phone == "0905123456" and len(appointment.code) == 8
    assert appointment.channel == BookingChannel.ONLINE
    messages = {m.key.rsplit(":", 1)[1]: m for m in Message.objects.all()}
    assert set(messages) == {"booked", "reminder"}
    assert appointment.code in messages["reminder"].body
    # The evening before, at 17:00.
    assert messages["reminder"].send_after == MONDAY.replace(hour=17) - dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_double_click_books_once(slot: Slot) -> None:
    first = book(slot)
    second = book(slot)
    assert first == second
    assert Appointment.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


@pytest.mark.django_db
def test_the_same_phone_cannot_book_twice_in_an_area_on_one_day(
    slot: Slot, civil: ServiceArea
) -> None:
    later = Slot.objects.create(
        area=civil, day=slot.day, starts_at=dt.time(14), ends_at=dt.time(15)
    )
    appointment = book(slot)
    with pytest.raises(q.QueueError, match=appointment.code):
        book(later)
    later.refresh_from_db()
    assert later.booked == 0  # the place taken before the refusal was given back


@pytest.mark.django_db
def test_the_database_refuses_a_second_booking_and_an_overbooked_slot(slot: Slot) -> None:
    appointment = book(slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            slot=slot,
            area=slot.area,
            day=slot.day,
            code="OTHER234",
            name="X",
            phone=appointment.phone,
            channel="online",
            created_at=SATURDAY,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=3)


@pytest.mark.django_db
def test_a_full_slot_refuses_and_disappears_from_the_open_slots(
    slot: Slot, civil: ServiceArea
) -> None:
    book(slot, phone="0905000001")
    assert q.slots_open(civil, slot.day, at=SATURDAY) == [slot]
    book(slot, phone="0905000002")
    with pytest.raises(q.QueueError, match="fully booked"):
        book(slot, phone="0905000003")
    assert q.slots_open(civil, slot.day, at=SATURDAY) == []


@pytest.mark.django_db
def test_past_slots_are_not_open(slot: Slot, civil: ServiceArea) -> None:
    assert q.slots_open(civil, slot.day, at=minutes(61)) == [slot]  # 09:01: still running
    assert q.slots_open(civil, slot.day, at=MONDAY.replace(hour=10)) == []
    assert q.slots_open(civil, slot.day, at=MONDAY + dt.timedelta(days=1)) == []
    with pytest.raises(q.QueueError, match="passed"):
        q.appointment_book(slot=slot, name="A", phone="0905123456", at=MONDAY.replace(hour=11))


@pytest.mark.django_db
def test_a_center_is_open_on_its_weekdays_and_the_calendars_make_up_days_not_its_days_off(
    ward_center: Unit,
) -> None:
    for weekday in range(5):
        OpeningHours.objects.create(center=ward_center, weekday=weekday)
    CalendarDay.objects.create(date=dt.date(2026, 3, 4), kind=DayKind.DAY_OFF, name="Nghỉ bù")
    CalendarDay.objects.create(
        date=dt.date(2026, 3, 14), kind=DayKind.WORKING_DAY, name="Làm bù cho thứ Tư 04/03"
    )
    fortnight = [MONDAY.date() + dt.timedelta(days=n) for n in range(14)]
    open_days = [d.day for d in q.days_open(ward_center, fortnight)]
    assert open_days == [2, 3, 5, 6, 9, 10, 11, 12, 13, 14]  # no weekend, no 4th, the 14th

    # A center that also opens on Saturdays is closed on a Saturday the calendar takes off.
    OpeningHours.objects.create(center=ward_center, weekday=5)
    CalendarDay.objects.create(
        date=dt.date(2026, 3, 7), kind=DayKind.DAY_OFF, name="Nghỉ", unit=ward_center
    )
    assert q.is_open_on(ward_center, dt.date(2026, 3, 14))
    assert not q.is_open_on(ward_center, dt.date(2026, 3, 7))
    assert not q.is_open_on(ward_center, dt.date(2026, 3, 8))  # Sunday


@pytest.mark.django_db
def test_a_closed_day_is_not_booked_even_with_slots_opened_for_it(
    slot: Slot, civil: ServiceArea
) -> None:
    sunday = Slot.objects.create(
        area=civil, day=dt.date(2026, 3, 8), starts_at=dt.time(9), ends_at=dt.time(10)
    )
    CalendarDay.objects.create(date=slot.day, kind=DayKind.DAY_OFF, name="Nghỉ lễ")
    for closed in (sunday, slot):
        assert q.slots_open(civil, closed.day, at=SATURDAY) == []
        with translation.override("en"), pytest.raises(q.QueueError) as error:
            book(closed)
        assert error.value.field == "day"
        assert error.value.message == "The center is closed on that day."
    with translation.override("vi"), pytest.raises(q.QueueError) as error:
        book(sunday)
    assert error.value.message == "Trung tâm không làm việc ngày này."
    assert not Appointment.objects.exists()
    assert Slot.objects.filter(booked=0).count() == 2


@pytest.mark.django_db
def test_bad_names_and_phones_are_refused_with_the_field(slot: Slot) -> None:
    with pytest.raises(q.QueueError) as error:
        book(slot, name="  ")
    assert error.value.field == "name"
    with pytest.raises(q.QueueError) as error:
        book(slot, phone="12345")
    assert error.value.field == "phone"


@pytest.mark.django_db
def test_check_in_gives_a_ticket_once_on_the_day(slot: Slot, ward_center: Unit) -> None:
    appointment = book(slot)
    with pytest.raises(q.QueueError, match="02/03/2026"):
        q.appointment_check_in(code=appointment.code, center=ward_center, at=SATURDAY)
    ticket = q.appointment_check_in(
        code=appointment.code.lower(), center=ward_center, at=minutes(50)
    )
    assert ticket.source == TicketSource.APPOINTMENT and ticket.appointment == appointment
    assert not ticket.priority  # not an online-priority day
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    with pytest.raises(q.QueueError, match="already been used"):
        q.appointment_check_in(code=appointment.code, center=ward_center, at=minutes(51))


@pytest.mark.django_db
def test_on_an_online_priority_day_booked_people_are_priority(
    slot: Slot, ward_center: Unit
) -> None:
    OnlinePriorityDay.objects.create(center=ward_center, day=MONDAY.date())
    appointment = book(slot)
    ticket = q.appointment_check_in(code=appointment.code, center=ward_center, at=minutes(50))
    assert ticket.priority


@pytest.mark.django_db
def test_unknown_codes_and_other_centers_are_refused(slot: Slot, other_center: Unit) -> None:
    appointment = book(slot)
    with pytest.raises(q.QueueError, match="No booking"):
        q.appointment_check_in(code=appointment.code, center=other_center, at=minutes(50))
    with pytest.raises(q.QueueError, match="No booking"):
        q.appointment_check_in(code="ZZZZZZZZ", center=slot.area.center, at=minutes(50))


@pytest.mark.django_db
def test_cancel_gives_the_place_back(slot: Slot) -> None:
    appointment = book(slot)
    q.appointment_cancel(appointment=appointment)
    slot.refresh_from_db()
    assert slot.booked == 0
    again = book(slot)  # the same phone may book again
    assert again != appointment
    with pytest.raises(q.QueueError):
        q.appointment_cancel(appointment=appointment)


@pytest.mark.django_db
def test_every_change_of_a_booking_takes_the_centers_next_number(
    slot: Slot, ward_center: Unit
) -> None:
    first = book(slot)
    second = book(slot, phone="0905000002")
    assert (first.revision, second.revision) == (1, 2)
    q.appointment_cancel(appointment=first)
    ticket = q.appointment_check_in(code=second.code, center=ward_center, at=minutes(50))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.revision, second.revision) == (3, 4)
    assert ticket.appointment == second


@pytest.mark.django_db
def test_a_check_in_made_at_a_ward_node_marks_the_booking_used_but_not_a_cancelled_one(
    slot: Slot,
) -> None:
    used = book(slot)
    cancelled = book(slot, phone="0905000002")
    q.appointment_cancel(appointment=cancelled)
    changed = q.appointment_record_check_in(appointment_ids=[used.pk, cancelled.pk])
    assert changed == 1
    used.refresh_from_db()
    cancelled.refresh_from_db()
    assert used.status == AppointmentStatus.CHECKED_IN and used.revision == 4
    # Its place was given back and may be taken again: it stays cancelled.
    assert cancelled.status == AppointmentStatus.CANCELLED and cancelled.revision == 3
    assert q.appointment_record_check_in(appointment_ids=[used.pk]) == 0  # once only


@pytest.mark.django_db
def test_a_ward_node_neither_books_nor_cancels_the_hub_does(slot: Slot, settings) -> None:
    appointment = book(slot)
    settings.NODE_ROLE = "ward"
    settings.SYNC_HUB_URL = "http://hub.invalid"
    with pytest.raises(q.QueueError, match="provincial server"):
        book(slot, phone="0905000002")
    with pytest.raises(q.QueueError, match="provincial server"):
        q.appointment_cancel(appointment=appointment)
    slot.refresh_from_db()
    appointment.refresh_from_db()
    assert slot.booked == 1 and appointment.status == AppointmentStatus.BOOKED


@pytest.mark.django_db
def test_an_unknown_code_at_a_ward_node_says_the_booking_may_not_have_arrived(
    slot: Slot, ward_center: Unit, settings
) -> None:
    with pytest.raises(q.QueueError, match="No booking with this code at this center"):
        q.appointment_check_in(code="ZZZZZZZZ", center=ward_center, at=minutes(50))
    settings.SYNC_HUB_URL = "http://hub.invalid"  # a ward node that synchronises
    with pytest.raises(q.QueueError, match="on its way from the provincial server") as error:
        q.appointment_check_in(code="ZZZZZZZZ", center=ward_center, at=minutes(50))
    assert error.value.field == "code"
