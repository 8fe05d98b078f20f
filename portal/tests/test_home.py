"""The home page: citizens' ways in, and for staff the way to their own workspace."""

import pytest
from django.urls import reverse

from accounts.models import User
from portal.tests.conftest import make_citizen

pytestmark = pytest.mark.django_db


def home_for(client, user: User | None) -> str:
    if user is not None:
        client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client.get(reverse("home")).content.decode()


def test_staff_see_their_workspace_instead_of_the_citizen_cards(client, desk_officer, specialist):
    page = home_for(client, desk_officer)
    assert 'data-testid="workspace"' in page
    assert f'href="{reverse("desk:index")}" data-testid="workspace"' in page
    assert "Go to your workspace: Front desk" in page
    assert reverse("portal:mine") not in page
    assert f"{reverse('catalog:list')}?online=full" not in page
    client.logout()
    page = home_for(client, specialist)
    assert f'href="{reverse("work:index")}" data-testid="workspace"' in page


def test_citizens_keep_their_cards(client, ward, ward_center):
    page = home_for(client, make_citizen("0905123456", id_number="054089001234", ward=ward))
    assert 'data-testid="workspace"' not in page
    assert reverse("portal:mine") in page
    assert f"{reverse('catalog:list')}?online=full" in page


def test_visitors_are_offered_to_sign_in(client, db):
    page = home_for(client, None)
    assert 'data-testid="workspace"' not in page
    assert reverse("portal:signin") in page and reverse("portal:mine") not in page


def test_the_workspace_card_reads_in_vietnamese(client, desk_officer):
    client.force_login(desk_officer)
    page = client.get(reverse("home"), headers={"accept-language": "vi"}).content.decode()
    assert "Vào trang làm việc: Bộ phận Một cửa" in page


def test_booking_a_time_is_offered_from_the_home_and_citizen_pages(client, db):
    booking = reverse("queueing:book")
    assert f'href="{booking}"' in client.get(reverse("home")).content.decode()
    assert f'href="{booking}"' in client.get(reverse("catalog:list")).content.decode()
    # The booking page carries the same citizen navigation back.
    assert f'href="{reverse("portal:lookup")}"' in client.get(booking).content.decode()
