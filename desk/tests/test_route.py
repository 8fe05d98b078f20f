"""Sending received dossiers to the competent agency: one from its page, or all at once."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from desk.tests.conftest import received, submitted
from dossiers import services as s
from dossiers.models import Action, Dossier, Status

pytestmark = pytest.mark.django_db
INDEX = reverse("desk:index")
SEND_ALL = reverse("desk:route_all")


@pytest.fixture
def desk(client, desk_officer):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def waiting(desk_officer, ward_center, ward_case, applicant_in) -> Dossier:
    return received(desk_officer, ward_center, ward_case, applicant_in)


def page_of(dossier: Dossier) -> str:
    return reverse("desk:dossier", args=[dossier.code])


def send_url(dossier: Dossier) -> str:
    return reverse("desk:route", args=[dossier.code])


def told(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_received_dossier_offers_to_send_it_to_the_agency(desk, waiting, ward):
    page = desk.get(page_of(waiting)).content.decode()
    assert "Next step" in page
    assert escape(f"Send to {ward.name_en}") in page
    assert f'action="{send_url(waiting)}"' in page


def test_the_received_page_offers_to_send_it_too(desk, waiting, ward):
    page = desk.get(reverse("desk:received", args=[waiting.code])).content.decode()
    assert escape(f"Send to {ward.name_en}") in page
    assert f'action="{send_url(waiting)}"' in page
    desk.post(send_url(waiting))
    page = desk.get(reverse("desk:received", args=[waiting.code])).content.decode()
    assert 'data-testid="send"' not in page  # sent: nothing more to send


def test_send_moves_the_dossier_on_and_a_second_click_says_it_already_went(desk, waiting, ward):
    response = desk.post(send_url(waiting))
    assert response.status_code == 302
    assert response["Location"] == page_of(waiting) + "?sent=1"
    waiting.refresh_from_db()
    assert waiting.status == Status.PROCESSING
    assert waiting.events.filter(action=Action.ROUTE).count() == 1
    page = desk.get(response["Location"]).content.decode()
    assert escape(f"Sent to {ward.name_en}.") in page and 'data-testid="send"' not in page

    again = desk.post(send_url(waiting))
    assert again.status_code == 409
    already = escape(f"This dossier was already sent to {ward.name_en} at")
    assert already in again.content.decode()
    assert waiting.events.filter(action=Action.ROUTE).count() == 1


def test_send_is_for_the_desk_that_received_it(
    client, desk_officer, specialist, outsider, citizen, waiting
):
    url = send_url(waiting)
    assert client.post(url).status_code == 302  # to the sign-in
    for user, expected in [(specialist, 403), (citizen, 403), (outsider, 404)]:
        client.force_login(user)
        assert client.post(url).status_code == expected, user
    client.force_login(desk_officer)
    assert client.get(url).status_code == 405
    waiting.refresh_from_db()
    assert waiting.status == Status.RECEIVED


def test_a_dossier_that_may_not_go_says_why(desk, submitted_dossier):
    response = desk.post(send_url(submitted_dossier))
    assert response.status_code == 409
    assert "This cannot be done while the dossier is" in response.content.decode()
    submitted_dossier.refresh_from_db()
    assert submitted_dossier.status == Status.SUBMITTED


def test_refused_dossier_has_no_empty_next_step(
    desk, desk_officer, citizen, ward_center, ward_case, applicant_in
):
    online = submitted(citizen, ward_center, ward_case, applicant_in)
    refused = s.dossier_refuse(actor=desk_officer, dossier=online, reasons=["Thiếu tờ khai"])
    page = desk.get(page_of(refused)).content.decode()
    assert "Next step" not in page
    assert "Nothing more to do at the desk." in page


def test_workspace_lists_received_dossiers_to_send(desk, waiting, ward):
    page = desk.get(INDEX).content.decode()
    assert "Received, not yet sent to the agency" in page
    assert page_of(waiting) in page and escape(f"for {ward.name_en}") in page
    assert 'data-testid="send-all"' in page and "Send it to its agency" in page


def test_send_all_sends_each_received_dossier(
    desk, desk_officer, outsider, other_center, ward_center, ward_case, applicant_in
):
    first = received(desk_officer, ward_center, ward_case, applicant_in)
    second = received(desk_officer, ward_center, ward_case, applicant_in)
    elsewhere = received(outsider, other_center, ward_case, applicant_in)
    response = desk.post(SEND_ALL, {"until": timezone.now().isoformat()})
    assert response["Location"] == INDEX
    assert told(response) == ["2 dossiers were sent to their agencies."]
    statuses = dict(Dossier.objects.values_list("code", "status"))
    assert statuses[first.code] == statuses[second.code] == Status.PROCESSING
    assert statuses[elsewhere.code] == Status.RECEIVED  # another center's desk


def test_send_all_names_the_one_that_could_not_go_and_sends_the_others(
    desk, desk_officer, ward_center, ward_case, applicant_in
):
    stuck = received(desk_officer, ward_center, ward_case, applicant_in)
    fine = received(desk_officer, ward_center, ward_case, applicant_in)
    # Moved to the provincial hub's keeping: this node may no longer change it.
    Dossier.objects.filter(pk=stuck.pk).update(owner_node="hub")
    response = desk.post(SEND_ALL, {"until": timezone.now().isoformat()})
    assert told(response) == [
        "1 dossier was sent to its agency.",
        f"{stuck.code} was not sent: This dossier is owned by node hub; change it there.",
    ]
    fine.refresh_from_db()
    stuck.refresh_from_db()
    assert fine.status == Status.PROCESSING and stuck.status == Status.RECEIVED
    assert fine.events.filter(action=Action.ROUTE).count() == 1


def test_send_all_leaves_what_was_received_after_the_list_was_shown(desk, waiting):
    shown = waiting.received_at - dt.timedelta(minutes=1)
    response = desk.post(SEND_ALL, {"until": shown.isoformat()})
    assert told(response) == ["No received dossier was waiting to be sent."]
    waiting.refresh_from_db()
    assert waiting.status == Status.RECEIVED


def test_send_all_is_for_desk_staff_only(client, specialist, waiting):
    client.force_login(specialist)
    assert client.post(SEND_ALL).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == Status.RECEIVED


def test_workspace_queries_do_not_grow_with_the_dossiers_to_send(
    desk, desk_officer, ward_center, ward_case, applicant_in, django_assert_num_queries
):
    received(desk_officer, ward_center, ward_case, applicant_in)
    desk.get(INDEX)  # warm the session and calendar caches
    with CaptureQueriesContext(connection) as one:
        desk.get(INDEX)
    for _n in range(4):
        received(desk_officer, ward_center, ward_case, applicant_in)
    with django_assert_num_queries(len(one.captured_queries)):
        assert "Send all 5 to their agencies" in desk.get(INDEX).content.decode()


def test_the_dossier_page_names_who_the_agency_assigned(
    desk, waiting, desk_officer, specialist, approver
) -> None:
    routed = s.dossier_route(actor=desk_officer, dossier=waiting)
    s.dossier_assign(actor=approver, dossier=routed, assignee=specialist)
    page = desk.get(page_of(waiting)).content.decode()
    assert f"Assigned to {escape(specialist.get_full_name())}" in page
