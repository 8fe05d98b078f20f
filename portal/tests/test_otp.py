import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notify.models import Message
from portal.models import OneTimeCode, Profile
from portal.otp import MAX_ATTEMPTS, SENDS_PER_CONTACT
from portal.tests.conftest import taken_at_desk

pytestmark = pytest.mark.django_db


def ask_code(client, contact: str = "0905 123 456", next_url: str = ""):
    return client.post(reverse("portal:signin"), {"contact": contact, "next": next_url})


def code_sent(to: str = "0905123456") -> str:
    body = Message.objects.filter(to=to).latest("created_at").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sign_up_by_phone_with_the_code_from_the_outbox(client) -> None:
    response = ask_code(client, "+84 905 123 456", "/ca-nhan/giay-to/")
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.channel, message.to) == ("sms", "0905123456")
    code = code_sent()
    # Only a keyed hash is kept.
    assert code not in OneTimeCode.objects.get().code_hash

    page = client.get(response["Location"])
    assert "090****456" in page.content.decode()
    response = client.post(response["Location"], {"code": code, "next": "/ca-nhan/giay-to/"})
    assert response.status_code == 302
    assert response["Location"] == "/ca-nhan/giay-to/"
    profile = Profile.objects.get(contact="0905123456")
    assert profile.user.phone == "0905123456"
    assert not profile.user.has_usable_password()
    assert client.get(reverse("portal:mine")).status_code == 200


def test_email_sign_in_finds_the_same_account_again(client) -> None:
    ask_code(client, "Dan@Example.VN")
    client.post(reverse("portal:signin_code"), {"code": code_sent("dan@example.vn")})
    client.logout()
    ask_code(client, "dan@example.vn")
    client.post(reverse("portal:signin_code"), {"code": code_sent("dan@example.vn")})
    assert User.objects.filter(email="dan@example.vn").count() == 1
    assert Message.objects.filter(channel="email").count() == 2


def test_wrong_code_is_refused_and_counted(client) -> None:
    ask_code(client)
    response = client.post(reverse("portal:signin_code"), {"code": wrong(code_sent())})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert OneTimeCode.objects.get().attempts == 1
    assert f"{MAX_ATTEMPTS - 1}" in response.content.decode()


def test_expired_code_is_refused(client) -> None:
    ask_code(client)
    code = code_sent()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        response = client.post(reverse("portal:signin_code"), {"code": code})
    assert "_auth_user_id" not in client.session
    assert "expired" in response.content.decode() or "hết hạn" in response.content.decode()


def test_too_many_wrong_codes_block_even_the_right_one(client) -> None:
    ask_code(client)
    code = code_sent()
    for _ in range(MAX_ATTEMPTS):
        client.post(reverse("portal:signin_code"), {"code": wrong(code)})
    response = client.post(reverse("portal:signin_code"), {"code": code})
    assert "_auth_user_id" not in client.session
    assert OneTimeCode.objects.get().attempts == MAX_ATTEMPTS
    assert response.status_code == 200


def test_a_new_code_replaces_the_old_one(client) -> None:
    ask_code(client)
    first = code_sent()
    client.post(reverse("portal:signin_code"), {"action": "resend"})
    second = code_sent()
    if first != second:
        client.post(reverse("portal:signin_code"), {"code": first})
        assert "_auth_user_id" not in client.session
    client.post(reverse("portal:signin_code"), {"code": second})
    assert "_auth_user_id" in client.session


def test_sending_is_rate_limited_per_phone(client) -> None:
    for _ in range(SENDS_PER_CONTACT):
        assert ask_code(client).status_code == 302
    response = ask_code(client)
    assert response.status_code == 200
    assert Message.objects.count() == SENDS_PER_CONTACT


def test_a_number_that_is_not_a_mobile_number_is_refused(client) -> None:
    response = ask_code(client, "12345")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Message.objects.exists()


def test_code_page_without_a_pending_sign_in_goes_back(client) -> None:
    assert client.get(reverse("portal:signin_code"))["Location"] == reverse("portal:signin")


def test_next_url_outside_the_site_is_ignored(client) -> None:
    ask_code(client, next_url="https://evil.example/")
    response = client.post(
        reverse("portal:signin_code"), {"code": code_sent(), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:mine")


def sign_in(client, contact: str = "0905 123 456", to: str = "0905123456") -> None:
    response = ask_code(client, contact)
    client.post(response["Location"], {"code": code_sent(to)})


def test_signing_in_with_the_phone_given_at_the_desk_shows_the_earlier_dossier(
    client, desk_officer, ward_case, ward_center, applicant_in
) -> None:
    earlier = taken_at_desk(desk_officer, ward_center, ward_case, applicant_in)
    sign_in(client)
    body = client.get(reverse("portal:mine")).content.decode()
    assert earlier.code in body
    profile = Profile.objects.get(contact="0905123456")
    # The desk's record fills the profile, so nothing is typed twice.
    assert (profile.full_name, profile.id_number) == ("Lê Vĩnh Huỳnh", "054089001234")
    assert profile.user.full_name == "Lê Vĩnh Huỳnh"


def test_a_shared_phone_waits_for_the_id_number_to_choose(
    client, desk_officer, ward_case, ward_center, applicant_in
) -> None:
    from dossiers.services import ApplicantIn

    parent = taken_at_desk(desk_officer, ward_center, ward_case, applicant_in)
    child_in = ApplicantIn(
        full_name="Lê Thị Con", id_number="054300001111", phone=applicant_in.phone
    )
    child = taken_at_desk(desk_officer, ward_center, ward_case, child_in)
    sign_in(client)
    body = client.get(reverse("portal:mine")).content.decode()
    assert parent.code not in body and child.code not in body
    profile = Profile.objects.get(contact="0905123456")
    assert profile.id_number == ""

    client.post(
        reverse("portal:profile"),
        {
            "full_name": "Lê Thị Con",
            "id_number": "054300001111",
            "birth_date": "2000-01-02",
            "address": "Phường Một",
            "phone": "0905123456",
        },
    )
    body = client.get(reverse("portal:mine")).content.decode()
    assert child.code in body and parent.code not in body


def test_a_desk_record_with_another_phone_is_not_taken(
    client, desk_officer, ward_case, ward_center, applicant_in
) -> None:
    applicant_in.phone = "0912000000"
    theirs = taken_at_desk(desk_officer, ward_center, ward_case, applicant_in)
    sign_in(client)
    assert theirs.code not in client.get(reverse("portal:mine")).content.decode()
    assert Profile.objects.get(contact="0905123456").id_number == ""
