"""Bookings taken at the hub reach the ward's kiosk, and the ward's check-ins reach the hub.

As in test_protocol, hub and node share one database: what one side does not
have yet is removed or set back before the other side applies the answer.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from dossiers.tests.fixtures import at
from queueing import services as q
from queueing.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    ServiceArea,
    Slot,
    Ticket,
)
from sync import ownership, signing
from sync.hub import BatchRefusedError, batch_apply, bookings_batch
from sync.models import Node, NodeState
from sync.node import batch_build, bookings_apply, bookings_pull
from sync.tests.roles import as_hub, as_ward
from sync.wire import snapshot

pytestmark = pytest.mark.django_db(transaction=False)

SATURDAY = at(2026, 2, 28, 10, 0)  # when people book on the portal
MONDAY_NINE = at(2026, 3, 2, 9, 10)  # when they come


def wire(payload: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(payload))


@pytest.fixture
def node(settings: Any, ward_center: Any) -> Node:
    as_hub(settings)
    yield Node.objects.create(node_id="ward-a", unit=ward_center)
    ownership.forget()


def _slot(center: Any, base: int) -> Slot:
    area = ServiceArea.objects.create(center=center, name_vi="Hộ tịch", number_base=base)
    return Slot.objects.create(
        area=area, day=MONDAY_NINE.date(), starts_at=dt.time(9), ends_at=dt.time(10), capacity=3
    )


@pytest.fixture
def slot(ward_center: Any) -> Slot:
    return _slot(ward_center, 1000)


@pytest.fixture
def other_slot(other_center: Any) -> Slot:
    return _slot(other_center, 5000)


def book(slot: Slot, phone: str = "0905123456") -> Appointment:
    return q.appointment_book(slot=slot, name="Lê Vĩnh Huỳnh", phone=phone, at=SATURDAY)


def state_of(*objs: Any) -> list[dict[str, Any]]:
    return [snapshot(type(o).objects.get(pk=o.pk)) for o in objs]


def test_the_ward_pulls_the_bookings_the_hub_took_for_its_center(
    settings, node, ward_center, slot, other_slot
) -> None:
    booking = book(slot)
    book(other_slot)  # another center's: never sent to this node
    answer = wire(bookings_batch(node, 0, 500, at=SATURDAY))
    assert [b["code"] for b in answer["appointments"]] == [booking.code]
    assert [s["id"] for s in answer["slots"]] == [str(slot.pk)]
    assert answer["last"] == booking.revision and not answer["more"]
    at_hub = state_of(booking, slot)

    # The ward before the pull: neither the booking nor its slot.
    Appointment.objects.filter(pk=booking.pk).delete()
    Slot.objects.filter(pk=slot.pk).delete()
    as_ward(settings, ward_center)
    assert bookings_apply(answer) == 1
    assert state_of(booking, slot) == at_hub

    # The kiosk checks it in with no line to the hub.
    ticket = q.appointment_check_in(code=booking.code, center=ward_center, at=MONDAY_NINE)
    assert ticket.appointment_id == booking.pk


def test_a_cancellation_at_the_hub_reaches_the_ward(settings, node, ward_center, slot) -> None:
    booking = book(slot)
    first = wire(bookings_batch(node, 0, 500, at=SATURDAY))
    q.appointment_cancel(appointment=booking)
    answer = wire(bookings_batch(node, first["last"], 500, at=SATURDAY))
    assert [(b["code"], b["status"]) for b in answer["appointments"]] == [
        (booking.code, "cancelled")
    ]
    assert answer["last"] > first["last"]

    # The ward still holds the booking as the first pull brought it.
    Appointment.objects.filter(pk=booking.pk).update(status=AppointmentStatus.BOOKED)
    Slot.objects.filter(pk=slot.pk).update(booked=1)
    as_ward(settings, ward_center)
    bookings_apply(answer)
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == AppointmentStatus.CANCELLED and slot.booked == 0
    with pytest.raises(q.QueueError, match="cancelled"):
        q.appointment_check_in(code=booking.code, center=ward_center, at=MONDAY_NINE)
    assert not Ticket.objects.exists()


def test_a_check_in_at_the_ward_reaches_the_hub_with_the_ticket(
    settings, node, ward_center, slot
) -> None:
    booking = book(slot)
    pulled = wire(bookings_batch(node, 0, 500, at=SATURDAY))
    as_ward(settings, ward_center)
    bookings_apply(pulled)
    ticket = q.appointment_check_in(code=booking.code, center=ward_center, at=MONDAY_NINE)
    batch = batch_build(0, 500)
    assert batch is not None
    sent = batch.body["records"]["ticket"]
    assert [(t["id"], t["appointment_id"]) for t in sent] == [(str(ticket.pk), str(booking.pk))]

    # The hub before the push: no ticket, the booking not yet used.
    Ticket.objects.filter(pk=ticket.pk).delete()
    Appointment.objects.filter(pk=booking.pk).update(status=AppointmentStatus.BOOKED)
    as_hub(settings)
    applied = batch_apply(node, wire(batch.body))
    assert applied.acked == batch.last
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CHECKED_IN
    assert Ticket.objects.get().appointment_id == booking.pk
    # The resent batch changes nothing; the ward's next pull brings the check-in back.
    assert batch_apply(node, wire(batch.body)).applied == 0
    back = wire(bookings_batch(node, pulled["last"], 500, at=SATURDAY))
    assert [(b["code"], b["status"]) for b in back["appointments"]] == [
        (booking.code, "checked_in")
    ]


def test_a_pull_does_not_undo_a_check_in_the_hub_has_not_heard_of(
    settings, node, ward_center, slot
) -> None:
    booking = book(slot)
    answer = wire(bookings_batch(node, 0, 500, at=SATURDAY))  # says booked
    as_ward(settings, ward_center)
    q.appointment_check_in(code=booking.code, center=ward_center, at=MONDAY_NINE)
    bookings_apply(answer)
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CHECKED_IN


def test_a_check_in_that_crossed_a_cancellation_leaves_the_booking_cancelled_on_both_sides(
    settings, node, ward_center, slot
) -> None:
    booking = book(slot)
    first = wire(bookings_batch(node, 0, 500, at=SATURDAY))
    as_ward(settings, ward_center)
    ticket = q.appointment_check_in(code=booking.code, center=ward_center, at=MONDAY_NINE)
    batch = batch_build(0, 500)
    assert batch is not None

    # Meanwhile the citizen cancelled on the portal; then the line came back.
    Ticket.objects.filter(pk=ticket.pk).delete()
    Appointment.objects.filter(pk=booking.pk).update(status=AppointmentStatus.BOOKED)
    as_hub(settings)
    q.appointment_cancel(appointment=booking)
    batch_apply(node, wire(batch.body))
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CANCELLED  # its place was given back
    assert Ticket.objects.get().appointment_id == booking.pk
    answer = wire(bookings_batch(node, first["last"], 500, at=SATURDAY))

    Appointment.objects.filter(pk=booking.pk).update(status=AppointmentStatus.CHECKED_IN)
    as_ward(settings, ward_center)
    bookings_apply(answer)
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CANCELLED


def test_a_ward_cannot_check_in_another_centers_booking(
    settings, node, ward_center, slot, other_slot
) -> None:
    mine = book(slot)
    theirs = book(other_slot)
    as_ward(settings, ward_center)
    ticket = q.appointment_check_in(code=mine.code, center=ward_center, at=MONDAY_NINE)
    batch = batch_build(0, 500)
    assert batch is not None
    body = wire(batch.body)
    body["records"]["ticket"][0]["appointment_id"] = str(theirs.pk)

    Ticket.objects.filter(pk=ticket.pk).delete()
    Appointment.objects.filter(pk=mine.pk).update(status=AppointmentStatus.BOOKED)
    as_hub(settings)
    with pytest.raises(BatchRefusedError) as refused:
        batch_apply(node, body)
    assert refused.value.status == 403
    assert "own center's bookings" in str(refused.value)
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.BOOKED
    assert not Ticket.objects.exists()
    node.refresh_from_db()
    assert node.acked_seq == 0


def test_the_hub_refuses_to_check_in_a_booking_of_a_center_that_runs_its_own_node(
    node, ward_center, other_center, slot, other_slot
) -> None:
    mine = book(slot)
    before = state_of(mine, slot)
    with pytest.raises(q.QueueError, match="at the kiosk of the center's own server"):
        q.appointment_check_in(code=mine.code, center=ward_center, at=MONDAY_NINE)
    assert state_of(mine, slot) == before  # still to check in at the ward, not used up here
    assert not Ticket.objects.exists()

    # A center without a node of its own checks its bookings in on the hub as before.
    theirs = book(other_slot)
    ticket = q.appointment_check_in(code=theirs.code, center=other_center, at=MONDAY_NINE)
    assert ticket.appointment_id == theirs.pk


def test_the_hubs_kiosk_page_says_where_the_booking_is_checked_in(
    client: Client, node, ward_center, slot, guide
) -> None:
    booking = book(slot)
    before = state_of(booking, slot)
    client.force_login(guide)
    url = reverse("queueing:kiosk_check_in", args=[ward_center.code])
    with time_machine.travel(MONDAY_NINE, tick=False):
        english = client.post(url, {"code": booking.code}, HTTP_ACCEPT_LANGUAGE="en")
        vietnamese = client.post(url, {"code": booking.code}, HTTP_ACCEPT_LANGUAGE="vi")
    assert english.status_code == vietnamese.status_code == 409
    assert "at the kiosk of the center&#x27;s own server" in english.content.decode()
    assert "tại ki-ốt của máy chủ riêng của trung tâm" in vietnamese.content.decode()
    assert state_of(booking, slot) == before
    assert not Ticket.objects.exists()


def test_the_hubs_slots_take_the_place_of_slots_the_ward_made_for_the_same_hours(
    settings, node, ward_center, slot
) -> None:
    area, day = slot.area, slot.day
    ten = Slot.objects.create(
        area=area, day=day, starts_at=dt.time(10), ends_at=dt.time(11), capacity=3
    )
    at_nine, at_ten = book(slot), book(ten, phone="0905000002")
    answer = wire(bookings_batch(node, 0, 500, at=SATURDAY))
    at_hub = state_of(slot, ten)

    # The ward before it took bookings from the hub: slots of its own for the same hours
    # (other ids, other lengths and sizes), bookings made at its desk, one since cancelled.
    Appointment.objects.all().delete()
    Slot.objects.all().delete()
    settings.NODE_ROLE = "ward"

    def own(hour: int) -> Slot:
        return Slot.objects.create(
            area=area, day=day, starts_at=dt.time(hour), ends_at=dt.time(hour, 30), capacity=5
        )

    own_nine, own_ten, own_eleven = own(9), own(10), own(11)
    kept = q.appointment_book(
        slot=own_nine,
        name="Trần Thị Mai",
        phone="0905000003",
        channel=BookingChannel.PHONE,
        at=SATURDAY,
    )
    dropped = q.appointment_book(slot=own_ten, name="Hồ Văn An", phone="0905000004", at=SATURDAY)
    q.appointment_cancel(appointment=dropped)
    eleven = q.appointment_book(slot=own_eleven, name="Y Bhăm", phone="0905000005", at=SATURDAY)

    as_ward(settings, ward_center)
    assert bookings_apply(answer) == 2
    connection.check_constraints()  # no booking is left pointing at a removed slot
    assert set(Slot.objects.filter(area=area, day=day).values_list("pk", flat=True)) == {
        slot.pk,
        ten.pk,
        own_eleven.pk,  # no slot of the hub at that hour: the ward's stays
    }
    assert state_of(slot, ten) == at_hub  # the hub's slots, as the hub has them
    by_code = {a.code: a for a in Appointment.objects.all()}
    assert by_code[kept.code].slot_id == slot.pk
    assert by_code[kept.code].status == AppointmentStatus.BOOKED
    assert by_code[dropped.code].slot_id == ten.pk
    assert by_code[eleven.code].slot_id == own_eleven.pk
    assert {by_code[b.code].slot_id for b in (at_nine, at_ten)} == {slot.pk, ten.pk}

    # The same answer again changes nothing; the kiosk checks in the hub's booking and the
    # one made at the ward's desk alike.
    before = state_of(*by_code.values(), slot, ten, own_eleven)
    bookings_apply(answer)
    assert state_of(*by_code.values(), slot, ten, own_eleven) == before
    for booking in (at_nine, kept):
        ticket = q.appointment_check_in(code=booking.code, center=ward_center, at=MONDAY_NINE)
        assert ticket.appointment_id == booking.pk


def test_a_phones_booking_at_the_hub_takes_the_place_of_one_the_ward_took_itself(
    settings, node, ward_center, slot
) -> None:
    area, day = slot.area, slot.day
    early, late = book(slot), book(slot, phone="0905000002")
    answer = wire(bookings_batch(node, 0, 500, at=SATURDAY))

    # Before it took bookings from the hub, the ward booked the same two phones at eleven;
    # one of them has come already.
    Appointment.objects.all().delete()
    settings.NODE_ROLE = "ward"
    eleven = Slot.objects.create(
        area=area, day=day, starts_at=dt.time(11), ends_at=dt.time(12), capacity=5
    )
    waiting = book(eleven)
    served = book(eleven, phone="0905000002")
    Appointment.objects.filter(pk=served.pk).update(status=AppointmentStatus.CHECKED_IN)

    as_ward(settings, ward_center)
    assert bookings_apply(answer) == 2  # refused before: one booking a phone, area and day
    status = dict(Appointment.objects.values_list("code", "status"))
    assert status == {
        early.code: AppointmentStatus.BOOKED,
        waiting.code: AppointmentStatus.CANCELLED,  # the hub's booking stands for it
        served.code: AppointmentStatus.CHECKED_IN,  # the person has been served
        late.code: AppointmentStatus.CANCELLED,
    }
    before = state_of(early, late, waiting, served)
    bookings_apply(answer)
    assert state_of(early, late, waiting, served) == before
    ticket = q.appointment_check_in(code=early.code, center=ward_center, at=MONDAY_NINE)
    assert ticket.appointment_id == early.pk


def test_pulling_again_brings_nothing_new_and_changes_nothing(
    settings, node, ward_center, slot
) -> None:
    first_booking = book(slot)
    second_booking = book(slot, phone="0905000002")
    page = wire(bookings_batch(node, 0, 1, at=SATURDAY))
    assert [b["code"] for b in page["appointments"]] == [first_booking.code]
    assert page["more"] and page["last"] == first_booking.revision
    rest = wire(bookings_batch(node, page["last"], 1, at=SATURDAY))
    assert [b["code"] for b in rest["appointments"]] == [second_booking.code]
    again = wire(bookings_batch(node, rest["last"], 500, at=SATURDAY))
    assert (again["appointments"], again["slots"]) == ([], [])
    assert again["last"] == rest["last"] and not again["more"]

    as_ward(settings, ward_center)
    whole = wire(bookings_batch(node, 0, 500, at=SATURDAY))
    bookings_apply(whole)
    before = state_of(first_booking, second_booking, slot)
    bookings_apply(whole)
    assert state_of(first_booking, second_booking, slot) == before


def test_bookings_for_a_past_day_are_not_sent_but_the_mark_moves_past_them(node, slot) -> None:
    booking = book(slot)
    answer = bookings_batch(node, 0, 500, at=MONDAY_NINE + dt.timedelta(days=1))
    assert answer["appointments"] == [] and answer["last"] == booking.revision


class InProcessHub:
    """The node's requests answered by the hub's function in the same process."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.asked: list[str] = []

    def json(
        self, method: str, path: str, payload: Any = None, *, packed: bytes = b""
    ) -> tuple[int, Any]:
        self.asked.append(path)
        query = parse_qs(urlsplit(path).query)
        after, limit = int(query["after"][0]), int(query["limit"][0])
        return 200, wire(bookings_batch(self.node, after, limit, at=SATURDAY))


def test_the_round_pulls_the_bookings_page_by_page_and_keeps_the_mark(
    settings, node, ward_center, slot
) -> None:
    first_booking = book(slot)
    second_booking = book(slot, phone="0905000002")
    as_ward(settings, ward_center)
    settings.SYNC_BATCH = 1
    hub = InProcessHub(node)
    state = NodeState.get()
    assert bookings_pull(hub, state) == 2  # type: ignore[arg-type]
    assert state.bookings_pulled == second_booking.revision > first_booking.revision
    assert NodeState.get().bookings_pulled == state.bookings_pulled
    assert bookings_pull(hub, state) == 0  # type: ignore[arg-type]
    assert hub.asked[-1] == f"/sync/bookings?after={second_booking.revision}&limit=1"


def test_the_hub_answers_a_signed_request_for_bookings(client: Client, node, slot) -> None:
    with time_machine.travel(SATURDAY, tick=False):
        booking = book(slot)
        path = "/sync/bookings?after=0&limit=500"
        signed = signing.sign(node.secret, "ward-a", "GET", path, b"")
        answer = client.get(path, headers=signed)
        assert answer.status_code == 200, answer.content
        assert [b["code"] for b in answer.json()["appointments"]] == [booking.code]
        forged = signing.sign("not-the-secret", "ward-a", "GET", path, b"")
        assert client.get(path, headers=forged).status_code == 401
