"""Where the staff sign-in lands: each staff member at their workspace, others at home."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from units.models import Unit

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def sign_in(client, username: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": "pw-" + username, **extra})


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.DESK_OFFICER, "desk:index"),
        (Role.SPECIALIST, "work:index"),
        (Role.APPROVER, "work:index"),
        (Role.MANAGER, "work:center"),
        (Role.ADMIN, "reports:index"),
        (Role.GUIDE, "desk:guide_index"),
    ],
)
def test_staff_land_on_their_workspace(client, ward_center: Unit, role: str, landing: str):
    staff_user("staff", ward_center, role)
    response = sign_in(client, "staff")
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_a_desk_officer_who_also_guides_lands_at_the_desk(client, ward_center: Unit):
    staff_user("both", ward_center, Role.GUIDE, Role.DESK_OFFICER)
    assert sign_in(client, "both")["Location"] == reverse("desk:index")


def test_the_page_asked_for_wins(client, desk_officer: User):
    asked = reverse("desk:return")
    assert sign_in(client, "desk", next=asked)["Location"] == asked


def test_a_person_without_a_staff_role_lands_at_home(client, db):
    User.objects.create_user(username="plain", password="pw-plain")
    assert sign_in(client, "plain")["Location"] == reverse("home")


def test_a_wrong_password_stays_on_the_form(client, desk_officer: User):
    response = client.post(LOGIN, {"username": "desk", "password": "nope"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
