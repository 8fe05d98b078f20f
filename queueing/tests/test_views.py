"""The queue's pages, each for a role that may open it and one that may not."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import segno
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from deadlines.models import CalendarDay, DayKind
from queueing import services as q
from queueing.models import (
    Appointment,
    Counter,
    OpeningHours,
    ServiceArea,
    Slot,
    Ticket,
    TicketStatus,
)
from queueing.tests.conftest import AT_NINE, MONDAY, login
from units.models import Unit


@pytest.fixture(autouse=True)
def _monday_morning(monday_morning: object) -> object:
    return monday_morning


# -- kiosk ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_kiosk_is_for_the_centers_staff(
    client: Client, guide: User, outsider: User, ward_center: Unit, civil: ServiceArea
) -> None:
    url = reverse("queueing:kiosk", args=[ward_center.code])
    assert client.get(url).status_code == 302  # to sign-in
    page = login(client, guide).get(url)
    assert page.status_code == 200
    assert "Hộ tịch" in page.content.decode() or "Civil status" in page.content.decode()
    assert 'class="site-header"' not in page.content.decode()  # full screen, no site header
    assert login(client, outsider).get(url).status_code == 403


@pytest.mark.django_db
def test_the_kiosk_issues_a_ticket_and_shows_it_for_printing(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea, elderly
) -> None:
    login(client, guide)
    q.ticket_issue(area=civil)  # one person already waits
    response = client.post(
        reverse("queueing:kiosk_issue", args=[ward_center.code]),
        {"area": civil.pk, "group": elderly.pk},
    )
    ticket = Ticket.objects.latest("issued_at")
    assert response.status_code == 302 and ticket.token in response["Location"]
    assert ticket.priority_group == elderly and ticket.number == 1002
    printed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-ticket-number="1002"' in printed
    assert "<svg" in printed and "You are next." in printed
    status_url = settings.PUBLIC_BASE_URL + reverse("queueing:ticket_status", args=[ticket.token])
    assert segno.make_qr(status_url, error="m").svg_inline(scale=3, border=2) in printed


@pytest.mark.django_db
def test_the_kiosk_asks_again_when_no_area_is_touched(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea
) -> None:
    login(client, guide)
    response = client.post(
        reverse("queueing:kiosk_issue", args=[ward_center.code]), {}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Touch the service" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_kiosk_says_the_center_does_not_work_on_a_day_off(
    client: Client, guide: User, outsider: User, ward_center: Unit, civil: ServiceArea
) -> None:
    for weekday in range(5):
        OpeningHours.objects.create(center=ward_center, weekday=weekday)
    CalendarDay.objects.create(
        date=dt.date(2026, 11, 24), kind=DayKind.DAY_OFF, name="Ngày Văn hóa Việt Nam"
    )
    url = reverse("queueing:kiosk", args=[ward_center.code])
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=MONDAY.tzinfo), tick=False):
        assert login(client, outsider).get(url).status_code == 403
        page = login(client, guide).get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        assert "Hôm nay trung tâm không làm việc." in page
        assert "Thứ Tư 25/11/2026" in page
        assert re.search(r'class="q-area" disabled', page)
        refused = client.post(
            reverse("queueing:kiosk_issue", args=[ward_center.code]),
            {"area": civil.pk},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert refused.status_code == 409
    assert "The center is closed today" in refused.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_kiosk_checks_a_booking_in_from_its_scanned_qr(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea
) -> None:
    slot = Slot.objects.create(
        area=civil, day=AT_NINE.date(), starts_at=dt.time(9), ends_at=dt.time(10)
    )
    booking = q.appointment_book(
        slot=slot, name="Lê Vĩnh Huỳnh", phone="0905123456", at=MONDAY - dt.timedelta(days=1)
    )
    login(client, guide)
    scanned = f"http://127.0.0.1:8000/queue/book/{booking.code}/"
    response = client.post(
        reverse("queueing:kiosk_check_in", args=[ward_center.code]), {"code": scanned}
    )
    assert response.status_code == 302
    assert Ticket.objects.get().appointment == booking
    again = client.post(
        reverse("queueing:kiosk_check_in", args=[ward_center.code]),
        {"code": booking.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 409 and "already been used" in again.content.decode()
    assert booking.code in again.content.decode()  # what was typed stays in the box


@pytest.mark.django_db
def test_a_ward_kiosk_serves_a_booking_it_has_not_received_with_a_number_as_usual(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea, settings
) -> None:
    settings.SYNC_HUB_URL = "http://hub.invalid"  # bookings are taken on the hub
    login(client, guide)
    url = reverse("queueing:kiosk_check_in", args=[ward_center.code])
    english = client.post(url, {"code": "ABCD2345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409
    page = english.content.decode()
    assert "may still be on its way from the provincial server" in page
    assert "to take a number as usual" in page
    assert f'value="{civil.pk}"' in page  # the services are there to touch
    vietnamese = client.post(url, {"code": "ABCD2345"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert "vẫn đang được chuyển từ máy chủ của tỉnh" in vietnamese.content.decode()
    issued = client.post(
        reverse("queueing:kiosk_issue", args=[ward_center.code]), {"area": civil.pk}
    )
    assert issued.status_code == 302
    assert Ticket.objects.get().appointment is None


@pytest.mark.django_db
def test_the_ticket_page_on_a_phone_needs_only_the_token(
    client: Client, civil: ServiceArea
) -> None:
    ticket = q.ticket_issue(area=civil)
    page = client.get(
        reverse("queueing:ticket_status", args=[ticket.token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200 and "1001" in page.content.decode()
    partial = client.get(
        reverse("queueing:ticket_status", args=[ticket.token]), HTTP_HX_REQUEST="true"
    )
    assert (
        "<html" not in partial.content.decode() and 'id="ticket-status"' in partial.content.decode()
    )
    assert client.get(reverse("queueing:ticket_status", args=["nope"])).status_code == 404


# -- counter -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counter_page_is_for_desk_officers(
    client: Client, desk_officer: User, specialist: User, guide: User
) -> None:
    url = reverse("queueing:counter")
    assert login(client, desk_officer).get(url).status_code == 200
    assert login(client, specialist).get(url).status_code == 403
    assert login(client, guide).get(url).status_code == 403


@pytest.mark.django_db
def test_an_officer_sits_calls_serves_and_hands_over_to_the_desk(
    client: Client, desk_officer: User, ward_center: Unit, civil: ServiceArea
) -> None:
    desk = Counter.objects.create(center=ward_center, number=3)
    desk.areas.set([civil])
    login(client, desk_officer)
    assert client.post(reverse("queueing:counter_sit", args=[desk.pk])).status_code == 302
    q.ticket_issue(area=civil)
    called = client.post(reverse("queueing:counter_act", args=["call"]), HTTP_HX_REQUEST="true")
    html = called.content.decode()
    assert called.status_code == 200 and 'data-ticket-number="1001"' in html and "<html" not in html
    ticket = Ticket.objects.get()
    client.post(reverse("queueing:counter_act", args=["start"]), {"ticket": ticket.pk})
    page = client.get(reverse("queueing:counter")).content.decode()
    assert f"/desk/receive/?ticket={ticket.pk}" in page
    client.post(reverse("queueing:counter_act", args=["finish"]), {"ticket": ticket.pk})
    assert Ticket.objects.get().status == TicketStatus.DONE


@pytest.mark.django_db
def test_the_panel_after_an_action_shows_the_counter_as_it_now_is(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    q.ticket_issue(area=civil)
    login(client, desk_officer)
    with CaptureQueriesContext(connection) as queries:
        called = client.post(reverse("queueing:counter_act", args=["call"]), HTTP_HX_REQUEST="true")
    assert 'data-ticket-number="1001"' in called.content.decode()
    # The officer's counter, then its row locked by the call; a call leaves it
    # as it was, so the panel does not read it a third time.
    reads = [x for x in queries.captured_queries if 'FROM "queueing_counter"' in x["sql"]]
    assert len(reads) == 2
    ticket = Ticket.objects.get()
    client.post(reverse("queueing:counter_act", args=["start"]), {"ticket": ticket.pk})
    client.post(reverse("queueing:counter_act", args=["finish"]), {"ticket": ticket.pk})
    paused = client.post(reverse("queueing:counter_act", args=["pause"]), HTTP_HX_REQUEST="true")
    assert 'class="tag q-state-paused"' in paused.content.decode()
    resumed = client.post(reverse("queueing:counter_act", args=["resume"]), HTTP_HX_REQUEST="true")
    assert 'class="tag q-state-open"' in resumed.content.decode()


@pytest.mark.django_db
def test_a_refused_action_says_why_and_changes_nothing(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    q.ticket_issue(area=civil)
    login(client, desk_officer)
    client.post(reverse("queueing:counter_act", args=["call"]))
    ticket = Ticket.objects.get()
    response = client.post(
        reverse("queueing:counter_act", args=["no-show"]),
        {"ticket": ticket.pk},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        response.status_code == 409 and "Call number 1001 again first" in response.content.decode()
    )
    assert Ticket.objects.get().status == TicketStatus.CALLED


@pytest.mark.django_db
def test_an_officer_cannot_act_on_another_officers_ticket(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea, ward_center: Unit
) -> None:
    from accounts.models import Role
    from accounts.tests.factories import staff_user

    q.ticket_issue(area=civil)
    ticket = q.ticket_call_next(counter=counter, actor=desk_officer)
    assert ticket is not None
    other = staff_user("desk-b", ward_center, Role.DESK_OFFICER)
    login(client, other)
    response = client.post(reverse("queueing:counter_act", args=["start"]), {"ticket": ticket.pk})
    assert response.status_code in (302, 404, 409)
    assert Ticket.objects.get().status == TicketStatus.CALLED


# -- board ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_is_public_and_shows_numbers_only(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    q.ticket_issue(area=civil)
    q.ticket_call_next(counter=counter, actor=desk_officer)
    page = client.get(reverse("queueing:board", args=[counter.center.code])).content.decode()
    assert 'data-counter="1"' in page and "1001" in page
    assert desk_officer.get_full_name() not in page
    assert client.get(reverse("queueing:board", args=["000.00.00.X00"])).status_code == 404


@pytest.mark.django_db
def test_the_board_stream_sends_calls_as_server_sent_events(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    q.ticket_issue(area=civil)
    q.ticket_call_next(counter=counter, actor=desk_officer)
    response = client.get(reverse("queueing:board_events", args=[counter.center.code]) + "?after=0")
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    received = ""
    while "event: board" not in received or '"kind": "call"' not in received:
        received += next(chunks).decode()
    response.close()
    events = [line for line in received.splitlines() if line.startswith("data: ")]
    assert '"number": 1001' in events[-1] and '"counter": 1' in events[-1]
    assert re.search(r"^id: \d+$", received, re.M)


# -- booking -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anyone_books_online_and_a_double_click_books_once(
    client: Client, ward_center: Unit, civil: ServiceArea
) -> None:
    slot = Slot.objects.create(
        area=civil,
        day=AT_NINE.date() + dt.timedelta(days=1),
        starts_at=dt.time(9),
        ends_at=dt.time(10),
    )
    listing = client.get(
        reverse("queueing:book"),
        {"center": ward_center.code, "area": civil.pk, "day": slot.day.isoformat()},
    )
    assert str(slot.pk) in listing.content.decode()
    form = {"slot": slot.pk, "name": "Lê Vĩnh Huỳnh", "phone": "0905 123 456"}
    first = client.post(reverse("queueing:book_submit"), form)
    second = client.post(reverse("queueing:book_submit"), form)
    assert (
        first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    )
    booking = Appointment.objects.get()
    assert booking.channel == "online" and booking.booked_by is None
    page = client.get(first["Location"]).content.decode()
    assert booking.code in page and "<svg" in page


@pytest.mark.django_db
def test_the_booking_page_offers_only_the_days_the_center_is_open(
    client: Client, ward_center: Unit, civil: ServiceArea
) -> None:
    CalendarDay.objects.create(date=dt.date(2026, 3, 4), kind=DayKind.DAY_OFF, name="Nghỉ bù")
    CalendarDay.objects.create(
        date=dt.date(2026, 3, 14), kind=DayKind.WORKING_DAY, name="Làm bù cho thứ Tư 04/03"
    )
    for n in range(14):  # slots on every day, as a careless set-up would open them
        Slot.objects.create(
            area=civil,
            day=AT_NINE.date() + dt.timedelta(days=n),
            starts_at=dt.time(14),
            ends_at=dt.time(15),
        )
    query = {"center": ward_center.code, "area": str(civil.pk)}
    page = client.get(reverse("queueing:book"), query).content.decode()
    offered = re.findall(r'<option value="(2026-\d\d-\d\d)"', page)
    assert [int(day[-2:]) for day in offered] == [2, 3, 5, 6, 9, 10, 11, 12, 13, 14]

    for closed in ("2026-03-04", "2026-03-07", "2026-03-08"):  # a day off, Saturday, Sunday
        english = client.get(
            reverse("queueing:book"), query | {"day": closed}, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert "The center is closed on that day." in english
        assert "No free time that day" not in english and 'name="slot"' not in english
    vietnamese = client.get(
        reverse("queueing:book"), query | {"day": "2026-03-08"}, HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    assert "Trung tâm không làm việc ngày này." in vietnamese
    assert "hết chỗ" not in vietnamese
    make_up = client.get(
        reverse("queueing:book"), query | {"day": "2026-03-14"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'name="slot"' in make_up and "closed on that day" not in make_up


@pytest.mark.django_db
def test_a_ward_node_sends_people_to_book_on_the_provincial_server(
    client: Client, ward_center: Unit, civil: ServiceArea, settings
) -> None:
    settings.SYNC_HUB_URL = "http://hub.invalid"  # bookings are taken on the hub
    slot = Slot.objects.create(
        area=civil,
        day=AT_NINE.date() + dt.timedelta(days=1),
        starts_at=dt.time(9),
        ends_at=dt.time(10),
    )
    query = {"center": ward_center.code, "area": civil.pk, "day": slot.day.isoformat()}
    page = client.get(reverse("queueing:book"), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "made and cancelled on the provincial server" in page
    assert str(slot.pk) not in page and 'name="phone"' not in page  # nothing to book here
    vietnamese = client.get(reverse("queueing:book"), query, HTTP_ACCEPT_LANGUAGE="vi")
    assert "máy chủ của tỉnh" in vietnamese.content.decode()


@pytest.mark.django_db
def test_a_guide_books_by_phone_and_bad_input_keeps_what_was_typed(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea
) -> None:
    slot = Slot.objects.create(
        area=civil,
        day=AT_NINE.date() + dt.timedelta(days=1),
        starts_at=dt.time(9),
        ends_at=dt.time(10),
    )
    login(client, guide)
    bad = client.post(
        reverse("queueing:book_submit"),
        {
            "slot": slot.pk,
            "name": "Bà Năm",
            "phone": "12",
            "center": ward_center.code,
            "area": civil.pk,
            "day": slot.day.isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = bad.content.decode()
    assert bad.status_code == 409 and "Vietnamese phone number" in html and 'value="Bà Năm"' in html
    client.post(
        reverse("queueing:book_submit"), {"slot": slot.pk, "name": "Bà Năm", "phone": "0905123456"}
    )
    booking = Appointment.objects.get()
    assert booking.channel == "phone" and booking.booked_by == guide


# -- manager ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_manager_sees_the_queue_and_moves_counters(
    client: Client,
    manager: User,
    desk_officer: User,
    counter: Counter,
    civil: ServiceArea,
    land: ServiceArea,
) -> None:
    q.ticket_issue(area=civil, at=MONDAY)
    q.ticket_issue(area=land, at=MONDAY)
    page = login(client, manager).get(reverse("queueing:manage"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="waiting-total">2<' in html
    assert "60 min" in html  # the longest wait: since 08:00
    client.post(
        reverse("queueing:counter_areas", args=[counter.pk]), {"areas": [civil.pk, land.pk]}
    )
    assert set(counter.areas.all()) == {civil, land}
    assert login(client, desk_officer).get(reverse("queueing:manage")).status_code == 403


@pytest.mark.django_db
def test_a_guide_sees_the_queue_but_does_not_move_counters(
    client: Client, guide: User, counter: Counter, land: ServiceArea
) -> None:
    login(client, guide)
    page = client.get(reverse("queueing:manage"))
    assert page.status_code == 200 and "counter_areas" not in page.content.decode()
    assert (
        client.post(
            reverse("queueing:counter_areas", args=[counter.pk]), {"areas": [land.pk]}
        ).status_code
        == 404
    )
    assert list(counter.areas.all()) != [land]


@pytest.mark.django_db
def test_the_start_page_links_what_each_visitor_may_open(
    client: Client, guide: User, ward_center: Unit
) -> None:
    anonymous = client.get(reverse("queueing:index")).content.decode()
    assert reverse("queueing:book") in anonymous and "/kiosk/" not in anonymous
    mine = login(client, guide).get(reverse("queueing:index")).content.decode()
    assert reverse("queueing:kiosk", args=[ward_center.code]) in mine


@pytest.mark.django_db
def test_on_a_day_off_the_counter_says_the_center_is_closed_and_invites_no_call(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    CalendarDay.objects.create(date=dt.date(2026, 3, 4), kind=DayKind.DAY_OFF, name="Nghỉ bù")
    login(client, desk_officer)
    url = reverse("queueing:counter")
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=MONDAY.tzinfo), tick=False):
        counter.officer = None
        counter.save(update_fields=["officer"])
        picker = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        counter.officer = desk_officer
        counter.save(update_fields=["officer"])
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        vietnamese = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "service center is not working today." in picker and "Sit here" in picker
    assert "The center is not working today" in english
    assert "It opens again on Thursday 05/03/2026." in english
    assert "Center closed today" in english and ">Open</span>" not in english
    assert "Call next" not in english
    assert "Trung tâm không làm việc hôm nay" in vietnamese
    assert "Gọi số tiếp theo" not in vietnamese and "Đang mở" not in vietnamese
    # On an open day the counter is open and calls.
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=MONDAY.tzinfo), tick=False):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Call next" in page and "not working today" not in page


@pytest.mark.django_db
def test_a_ticket_issued_before_the_day_was_taken_off_can_still_be_called(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    login(client, desk_officer)
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=MONDAY.tzinfo), tick=False):
        q.ticket_issue(area=civil)
        CalendarDay.objects.create(date=dt.date(2026, 3, 4), kind=DayKind.DAY_OFF, name="Bão")
        page = client.get(reverse("queueing:counter"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "The center is not working today" in page and "Call next" in page
        client.post(reverse("queueing:counter_act", args=["call"]))
    assert Ticket.objects.get().status == TicketStatus.CALLED
