"""A staff member makes and revokes API tokens on a page, and uses one at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_a_token_made_on_the_page_is_shown_once_and_opens_the_api(
    client: Client, desk_officer: User
) -> None:
    client.force_login(desk_officer)
    page = client.get(reverse("api_tokens"), headers={"accept-language": "vi"})
    assert page.status_code == 200 and "Mã truy cập API" in page.content.decode()
    made = client.post(reverse("api_tokens"), {"action": "create", "name": "Xếp hàng"})
    key = re.search(r'class="token-key">([^<]+)<', made.content.decode()).group(1)
    token = ApiToken.objects.get(user=desk_officer)
    assert token.name == "Xếp hàng" and key.startswith(token.prefix)
    assert key not in client.get(reverse("api_tokens")).content.decode()

    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/dossiers").status_code == 200

    client.post(reverse("api_tokens"), {"action": "revoke", "token": str(token.pk)})
    assert api.get("/api/dossiers").status_code == 401


def test_only_ones_own_token_can_be_revoked(
    client: Client, desk_officer: User, manager: User
) -> None:
    from accounts.api_auth import api_token_issue

    theirs, _key = api_token_issue(user=manager, name="báo cáo")
    client.force_login(desk_officer)
    response = client.post(reverse("api_tokens"), {"action": "revoke", "token": str(theirs.pk)})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked
    bad = client.post(reverse("api_tokens"), {"action": "revoke", "token": "not-an-id"})
    assert bad.status_code == 404


def test_the_page_is_for_staff(client: Client, citizen: User) -> None:
    assert client.get(reverse("api_tokens")).status_code == 302  # to sign-in
    client.force_login(citizen)
    assert client.get(reverse("api_tokens")).status_code == 403


def test_the_docs_page_sends_the_session_csrf_token(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    page = client.get("/api/docs").content.decode()
    assert 'data-api-csrf="true"' in page
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    assert token
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(desk_officer)
    csrf.get("/api/docs")
    cookie = csrf.cookies["csrftoken"].value
    made = csrf.post(
        "/api/tokens",
        data='{"name": "thử"}',
        content_type="application/json",
        headers={"X-CSRFToken": cookie},
    )
    assert made.status_code == 201, made.content


def test_ninja_refusals_are_said_in_the_clients_language(desk_officer: User) -> None:
    from accounts.api_auth import api_token_issue

    _token, key = api_token_issue(user=desk_officer, name="vi")
    api = Client(headers={"Accept-Language": "vi", "Authorization": f"Bearer {key}"})
    unreadable = api.post("/api/dossiers", data="{not json", content_type="application/json")
    assert unreadable.status_code == 400
    assert unreadable.json()["detail"].startswith("Không đọc được nội dung yêu cầu")

    session = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    session.force_login(desk_officer)
    refused = session.post("/api/tokens", data="{}", content_type="application/json")
    assert refused.status_code == 403
    assert "X-CSRFToken" in refused.json()["detail"]
