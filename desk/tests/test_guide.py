"""The guide sheet: one printable page of what to bring, for guides and desk staff."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from desk.tests.conftest import BIRTH

pytestmark = pytest.mark.django_db


def test_guide_sheet_for_guides_and_desk_staff(client, guide, desk_officer, specialist, birth_case):
    url = reverse("desk:guide", args=[BIRTH])
    assert client.get(url).status_code == 302
    for user, expected in [(guide, 200), (desk_officer, 200), (specialist, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == expected, user


def test_guide_sheet_lists_papers_fees_time_place_and_the_filing_qr(
    client, guide, birth_case, ward_center, settings
):
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.vn"
    client.force_login(guide)
    page = client.get(reverse("desk:guide", args=[BIRTH])).content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Giấy chứng sinh" in page
    assert "Trung tâm PVHCC phường Một" in page  # where the guide works
    assert "https://dichvucong.example.vn/procedures/1.001193/" in page
    assert "<svg" in page  # the QR code, drawn inline


def test_guide_sheet_pdf_reads_back(client, desk_officer, birth_case):
    client.force_login(desk_officer)
    response = client.get(reverse("desk:guide_pdf", args=[BIRTH]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Đăng ký khai sinh" in text
    assert "Giấy chứng sinh" in text
    assert len(reader.pages) <= 2


def test_guide_sheet_in_english(client, guide, birth_case):
    client.force_login(guide)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("desk:guide", args=[BIRTH])).content.decode()
    assert "Birth registration" in page and "Paper to bring" in page


def test_guide_index_finds_procedures_without_accents(client, guide, birth_case):
    client.force_login(guide)
    response = client.get(
        reverse("desk:guide_index"), {"q": "dang ky khai sinh"}, headers={"HX-Request": "true"}
    )
    assert reverse("desk:guide", args=[BIRTH]) in response.content.decode()


def test_unknown_procedure_is_404(client, guide, birth_case):
    client.force_login(guide)
    assert client.get(reverse("desk:guide", args=["9.999999"])).status_code == 404


def test_a_paper_only_shown_reads_as_on_the_desk_form(client, desk_officer, birth_case):
    """The ID card: neither originals nor copies, shown for checking, as the desk form says."""
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    page = client.get(reverse("desk:guide", args=[BIRTH])).content.decode()
    card = page.split("Thẻ căn cước", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0</td>' not in card
    assert "Xuất trình để đối chiếu, không nộp" in card  # the note the desk form shows
    assert 'colspan="2">Xuất trình để đối chiếu</td>' in card
    response = client.get(reverse("desk:guide_pdf", args=[BIRTH]))
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    lines = text.splitlines()
    assert "Xuất trình để đối chiếu, không nộp" in " ".join(lines)
    assert any("Nếu có" in line for line in lines)  # the column keeps the words on one line
    assert not any(line.strip() == "Nếu" for line in lines)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = client.get(reverse("desk:guide", args=[BIRTH])).content.decode()
    assert "Shown for checking, not handed in" in english
    assert 'colspan="2">Shown for checking</td>' in english
