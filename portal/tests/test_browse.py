"""Finding a procedure: words without accents, fields, moments of life, the printable page."""

import json

import pytest
from django.urls import reverse

from catalog.models import Procedure
from portal.life_events import life_events
from portal.tests.conftest import CATALOG, SOME_PROCEDURES, import_procedures

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_catalog(db) -> None:
    import_procedures(*SOME_PROCEDURES)


def test_search_without_diacritics(client, full_catalog) -> None:
    body = client.get(reverse("catalog:list"), {"q": "cap lai can cuoc"}).content.decode()
    assert "Cấp lại thẻ căn cước" in body
    assert "Đăng ký khai sinh" not in body
    found = Procedure.objects.published().search("CẤP LẠI căn cước").values_list("code", flat=True)
    assert "MC.0005" in found


def test_every_life_event_names_procedures_of_the_shipped_catalog() -> None:
    shipped = json.loads(CATALOG.read_text(encoding="utf-8"))
    published = {p["code"] for p in shipped["procedures"]}
    for event in life_events():
        assert event.procedures and set(event.procedures) <= published, event.slug


def test_life_event_page(client, full_catalog) -> None:
    body = client.get(reverse("portal:life_event", args=["ket-hon"])).content.decode()
    assert "Đăng ký kết hôn" in body
    assert client.get(reverse("portal:life_event", args=["no-such"])).status_code == 404


def test_procedure_page_says_how_and_where_to_file(client, full_catalog, ward_center) -> None:
    body = client.get(reverse("catalog:detail", args=["MC.0005"])).content.decode()
    assert 'data-testid="file-online"' in body
    assert "Trung tâm PVHCC phường Một" in body
    assert "07:00\u201311:30" in body
    assert "50.000 đ" in body
    desk_only = client.get(reverse("catalog:detail", args=["2.000884"])).content.decode()
    assert 'data-testid="file-online"' not in desk_only


def test_procedure_page_offers_staff_no_online_filing(
    client, full_catalog, citizen, desk_officer, specialist
) -> None:
    url = reverse("catalog:detail", args=["MC.0005"])
    client.force_login(citizen)
    body = client.get(url).content.decode()
    assert 'data-testid="file-online"' in body and 'data-testid="staff-no-filing"' not in body
    client.force_login(desk_officer)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="file-online"' not in body
    assert "Staff accounts cannot file online." in body
    assert f'href="{reverse("desk:receive")}"' in body
    client.force_login(specialist)  # works elsewhere than the desk: no way to receive
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="file-online"' not in body and "Staff accounts cannot" in body
    assert f'href="{reverse("desk:receive")}"' not in body


def test_home_offers_the_citizen_ways_in(client, full_catalog) -> None:
    body = client.get("/").content.decode()
    assert reverse("portal:signin") in body
    assert reverse("portal:life_event", args=["sinh-con"]) in body
