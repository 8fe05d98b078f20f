"""The papers of a dossier on the desk pages: named in the page's language, at no extra query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.tests.conftest import received
from dossiers import services as s
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(desk_officer, ward_center, ward_case, applicant_in) -> Dossier:
    return received(desk_officer, ward_center, ward_case, applicant_in)


@pytest.mark.parametrize("page", ["desk:dossier", "desk:received", "desk:supplement"])
def test_papers_take_the_checklist_names_of_the_page_language(
    client, desk_officer, dossier, page, django_assert_num_queries
):
    client.force_login(desk_officer)
    url = reverse(page, args=[dossier.code])
    client.get(url)  # what a first request of the process reads once and keeps
    with CaptureQueriesContext(connection) as vietnamese:
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "<td>Tờ khai</td>" in body and "<td>Giấy chứng nhận kết hôn</td>" in body
    # The English names come with the rows: the page reads as many queries in both languages.
    with django_assert_num_queries(len(vietnamese.captured_queries)):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Form</td>" in body and "<td>Marriage certificate</td>" in body
    assert "Tờ khai" not in body
    # What was recorded at reception stays the Vietnamese name the forms print.
    assert sorted(dossier.components.values_list("name", flat=True)) == [
        "Giấy chứng nhận kết hôn",
        "Tờ khai",
    ]


def test_a_paper_without_an_english_name_keeps_its_vietnamese_one(client, desk_officer, dossier):
    dossier.case.components.filter(name_vi="Tờ khai").update(name_en="")
    client.force_login(desk_officer)
    body = client.get(reverse("desk:dossier", args=[dossier.code]), HTTP_ACCEPT_LANGUAGE="en")
    assert "<td>Tờ khai</td>" in body.content.decode()


def test_papers_asked_for_are_named_in_english_on_the_supplement_page(
    client, desk_officer, dossier
):
    form = dossier.case.components.get(name_vi="Tờ khai")
    s.dossier_request_supplement(
        actor=desk_officer, dossier=dossier, items=[form.name_vi, "Bản sao sổ hộ khẩu"]
    )
    client.force_login(desk_officer)
    url = reverse("desk:supplement", args=[dossier.code])
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'for="s-0-handed">Form</label>' in body
    assert 'for="s-1-handed">Bản sao sổ hộ khẩu</label>' in body  # typed: shown as typed
