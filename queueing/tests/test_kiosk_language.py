"""The kiosk's language buttons say which language the screen is in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from queueing.models import ServiceArea
from queueing.tests.conftest import login
from units.models import Unit


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "pressed"), [("vi", "Tiếng Việt"), ("en", "English")])
def test_the_language_in_use_is_the_pressed_button(
    client: Client, guide: User, ward_center: Unit, civil: ServiceArea, language: str, pressed: str
) -> None:
    login(client, guide)
    page = client.get(
        reverse("queueing:kiosk", args=[ward_center.code]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert re.findall(r'aria-pressed="true">([^<]+)<', page) == [pressed]
