"""How a ticket came in: kiosk, a guide at the entrance, or a booking checked in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from queueing import services as q
from queueing.models import BookingChannel, Counter, ServiceArea, Slot, Ticket, TicketSource
from queueing.tests.conftest import AT_NINE, MONDAY, login
from units.models import Unit


@pytest.fixture(autouse=True)
def _monday_morning(monday_morning: object) -> object:
    return monday_morning


@pytest.mark.django_db
def test_the_guides_page_is_for_the_centers_staff(
    client: Client, guide: User, outsider: User, ward_center: Unit, civil: ServiceArea
) -> None:
    url = reverse("queueing:guide", args=[ward_center.code])
    assert client.get(url).status_code == 302  # to sign-in
    page = login(client, guide).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tickets at the entrance" in page
    assert page.count('<input type="hidden" name="by" value="guide">') == 2  # issue and check-in
    assert login(client, outsider).get(url).status_code == 403


@pytest.mark.django_db
def test_a_ticket_from_the_guides_page_counts_as_the_guides(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea
) -> None:
    login(client, guide)
    issue = reverse("queueing:kiosk_issue", args=[ward_center.code])
    by_guide = client.post(issue, {"area": civil.pk, "by": "guide"})
    at_kiosk = client.post(issue, {"area": civil.pk})
    first, second = Ticket.objects.order_by("seq")
    assert (first.source, second.source) == (TicketSource.GUIDE, TicketSource.KIOSK)
    assert by_guide["Location"].endswith("?by=guide")
    # After printing, each goes back to the page it came from.
    guide_page = reverse("queueing:guide", args=[ward_center.code])
    kiosk_page = reverse("queueing:kiosk", args=[ward_center.code])
    assert f'href="{guide_page}"' in client.get(by_guide["Location"]).content.decode()
    printed = client.get(at_kiosk["Location"]).content.decode()
    assert f'href="{kiosk_page}"' in printed and guide_page not in printed


@pytest.mark.django_db
def test_a_refusal_on_the_guides_page_stays_on_it(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea
) -> None:
    login(client, guide)
    response = client.post(
        reverse("queueing:kiosk_check_in", args=[ward_center.code]),
        {"code": "ZZZZ2345", "by": "guide"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 409 and "No booking with this code" in html
    assert "Tickets at the entrance" in html and 'name="by" value="guide"' in html


def _booked(area: ServiceArea, phone: str, channel: str) -> str:
    slot, _ = Slot.objects.get_or_create(
        area=area, day=AT_NINE.date(), starts_at=dt.time(9), ends_at=dt.time(10)
    )
    booking = q.appointment_book(
        slot=slot, name="Lê Vĩnh Huỳnh", phone=phone, channel=channel, at=MONDAY
    )
    return booking.code


def _channels(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-channel="(\w+)">(\d+)<', html))


@pytest.mark.django_db
def test_the_manager_counts_todays_tickets_by_channel_in_a_fixed_number_of_queries(
    client: Client, manager: User, ward_center: Unit, civil: ServiceArea, land: ServiceArea
) -> None:
    login(client, manager)
    url = reverse("queueing:manage")
    q.ticket_issue(area=civil)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for area in (civil, land, civil):
        q.ticket_issue(area=area)
    q.ticket_issue(area=land, source=TicketSource.GUIDE)
    online = _booked(civil, "0905000001", BookingChannel.ONLINE)
    phone = _booked(civil, "0905000002", BookingChannel.PHONE)
    q.appointment_check_in(code=online, center=ward_center)
    q.appointment_check_in(code=phone, center=ward_center)
    _booked(civil, "0905000003", BookingChannel.PHONE)  # booked, not come yet
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert _channels(html) == {"kiosk": "4", "guide": "1", "online": "1", "phone": "1"}
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_counter_shows_how_its_ticket_came_in(
    client: Client, desk_officer: User, counter: Counter, civil: ServiceArea
) -> None:
    q.ticket_issue(area=civil, source=TicketSource.GUIDE)
    q.ticket_call_next(counter=counter, actor=desk_officer)
    page = login(client, desk_officer).get(reverse("queueing:counter"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<span data-channel="guide">Guide at the entrance</span>' in page.content.decode()
