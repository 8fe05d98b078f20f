"""The queue ticket at the top of the desk, linked to the dossier received for its holder."""

import datetime as dt

import pytest
from django.urls import reverse

from deadlines.engine import VN_TZ
from desk.tests.test_receive import form
from queueing import services as queue
from queueing.models import Counter, ServiceArea

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)


@pytest.fixture
def serving(ward_center, desk_officer):
    area = ServiceArea.objects.create(
        center=ward_center, name_vi="Hộ tịch", name_en="Civil status", number_base=1000
    )
    counter = Counter.objects.create(center=ward_center, number=3)
    counter.areas.set([area])
    counter = queue.counter_open(counter=counter, actor=desk_officer, at=MONDAY)
    queue.ticket_issue(area=area, at=MONDAY)
    return queue.ticket_call_next(
        counter=counter, actor=desk_officer, at=MONDAY + dt.timedelta(minutes=1)
    )


def test_no_ticket_leaves_an_empty_place(client, desk_officer):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("desk:index")).content.decode()
    assert "No ticket is being served at your counter." in page


def test_ticket_being_served_shows_and_links_to_the_dossier(
    client, desk_officer, serving, birth_case
):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("desk:index")).content.decode()
    assert f'<strong class="ticket-number">{serving.number}</strong>' in page
    assert "Civil status" in page
    assert (
        client.post(reverse("desk:receive"), form(birth_case, action="confirm")).status_code == 302
    )
    serving.refresh_from_db()
    assert serving.dossier is not None and serving.dossier.case == birth_case
