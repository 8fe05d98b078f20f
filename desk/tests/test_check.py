"""Checking an online filing: accept, ask for papers, refuse; and papers handed in later."""

import pytest
from django.urls import reverse

from desk.models import StagedScan
from desk.tests.conftest import PDF, scan
from dossiers.models import AccessRecord, Action, DigitisedPaper, Status

pytestmark = pytest.mark.django_db
TOKEN = "c" * 24


@pytest.fixture
def desk(client, desk_officer):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def check_url(dossier):
    return reverse("desk:check", args=[dossier.code])


def test_check_page_shows_the_papers_to_desk_staff_only(
    client, desk_officer, specialist, outsider, submitted_dossier
):
    url = check_url(submitted_dossier)
    client.force_login(desk_officer)
    page = client.get(url).content.decode()
    assert "Tờ khai" in page and "Giấy chứng nhận kết hôn" in page
    client.force_login(specialist)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_checking_and_opening_a_scan_are_recorded_refusals_are_not(
    client, desk_officer, outsider, submitted_dossier
):
    paper = submitted_dossier.components.first()
    paper.file.save("online.pdf", scan().file, save=True)
    client.force_login(outsider)
    assert client.get(check_url(submitted_dossier)).status_code == 404
    client.force_login(desk_officer)
    client.get(check_url(submitted_dossier))
    client.get(reverse("desk:dossier_paper", args=[submitted_dossier.code, paper.pk]))
    reads = AccessRecord.objects.filter(dossier=submitted_dossier)
    assert sorted(reads.values_list("username", "kind", "detail")) == [
        (desk_officer.username, "file", paper.name),
        (desk_officer.username, "page", ""),
    ]


def test_scan_of_an_online_filing_opens_in_the_browser(desk, submitted_dossier, citizen):
    paper = submitted_dossier.components.first()
    paper.file.save("online.pdf", scan().file, save=True)
    response = desk.get(reverse("desk:dossier_paper", args=[submitted_dossier.code, paper.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF


def test_accept_starts_the_clock_and_goes_to_the_receipt(desk, submitted_dossier):
    response = desk.post(check_url(submitted_dossier), {"action": "accept", "token": TOKEN})
    submitted_dossier.refresh_from_db()
    assert submitted_dossier.status == Status.RECEIVED and submitted_dossier.due_at
    assert response["Location"] == reverse("desk:received", args=[submitted_dossier.code])
    again = desk.post(check_url(submitted_dossier), {"action": "accept", "token": TOKEN})
    assert again["Location"] == response["Location"]  # a double click finds the first
    assert submitted_dossier.events.filter(action=Action.RECEIVE).count() == 1


def test_request_supplement_pauses_at_once_and_offers_form_02(desk, submitted_dossier):
    tokhai = submitted_dossier.case.components.get(name_vi="Tờ khai")
    response = desk.post(
        check_url(submitted_dossier),
        {
            "action": "supplement",
            "token": TOKEN,
            "items": [str(tokhai.pk)],
            "other": "Bản sao sổ hộ khẩu\n",
            "note": "Tờ khai chưa ký",
        },
    )
    submitted_dossier.refresh_from_db()
    assert submitted_dossier.status == Status.SUPPLEMENT_REQUESTED
    event = submitted_dossier.events.get(action=Action.REQUEST_SUPPLEMENT)
    assert event.data["items"] == ["Tờ khai", "Bản sao sổ hộ khẩu"]
    receive = submitted_dossier.events.get(action=Action.RECEIVE)
    assert receive.at == event.at  # no working time counted before the pause
    assert (receive.note, event.note) == ("", "Tờ khai chưa ký")
    page = desk.get(response["Location"]).content.decode()
    assert reverse("dossiers:form_pdf", args=[submitted_dossier.code, "02"]) in page
    # No appointment while the clock is stopped, and no receipt that would give one.
    assert "Clock stopped since" in page
    assert reverse("dossiers:form_pdf", args=[submitted_dossier.code, "01"]) not in page
    assert (
        desk.get(reverse("dossiers:form_pdf", args=[submitted_dossier.code, "02"])).status_code
        == 200
    )


def test_supplement_needs_at_least_one_paper(desk, submitted_dossier):
    response = desk.post(check_url(submitted_dossier), {"action": "supplement", "token": TOKEN})
    assert response.status_code == 422
    assert "at least one paper" in response.content.decode()
    submitted_dossier.refresh_from_db()
    assert submitted_dossier.status == Status.SUBMITTED


def test_refuse_with_reasons_picked_and_typed_in_vietnamese(
    client, desk_officer, submitted_dossier
):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post(
        check_url(submitted_dossier),
        {"action": "refuse", "token": TOKEN, "reasons": ["invalid"], "other": "Ảnh mờ"},
    )
    submitted_dossier.refresh_from_db()
    assert submitted_dossier.status == Status.NOT_ACCEPTED
    reasons = submitted_dossier.events.get(action=Action.REFUSE).data["reasons"]
    assert reasons == ["Giấy tờ không hợp lệ hoặc đã hết hiệu lực.", "Ảnh mờ"]


def test_refusal_reasons_read_in_the_page_language_and_are_kept_in_vietnamese(
    client, desk_officer, submitted_dossier
):
    client.force_login(desk_officer)
    url = check_url(submitted_dossier)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vietnamese = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "The papers do not follow the checklist of the procedure." in english
    assert "không đúng quy định" not in english
    assert "Thành phần hồ sơ không đúng quy định của thủ tục." in vietnamese
    client.post(
        url, {"action": "refuse", "token": TOKEN, "reasons": ["papers"]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    reasons = submitted_dossier.events.get(action=Action.REFUSE).data["reasons"]
    assert reasons == ["Thành phần hồ sơ không đúng quy định của thủ tục."]


def test_refuse_without_a_reason_is_explained(desk, submitted_dossier):
    response = desk.post(check_url(submitted_dossier), {"action": "refuse", "token": TOKEN})
    assert "at least one reason" in response.content.decode()


def test_check_page_of_a_dossier_already_decided_goes_to_the_dossier(desk, resolved_dossier):
    response = desk.get(check_url(resolved_dossier))
    assert response["Location"] == reverse("desk:dossier", args=[resolved_dossier.code])


# -- papers handed in for a supplement -------------------------------------------------------


@pytest.fixture
def waiting(desk, submitted_dossier):
    desk.post(
        check_url(submitted_dossier),
        {"action": "supplement", "token": TOKEN, "other": "Bản sao giấy khai sinh"},
    )
    submitted_dossier.refresh_from_db()
    return submitted_dossier


def test_papers_handed_in_resume_the_clock_and_are_kept(desk, waiting):
    url = reverse("desk:supplement", args=[waiting.code])
    page = desk.get(url).content.decode()
    assert "Bản sao giấy khai sinh" in page
    token = "s" * 24
    desk.post(url, {"token": token, "s-0-scan": scan("khai-sinh.pdf")})
    assert StagedScan.objects.filter(form_token=token).count() == 1
    response = desk.post(url, {"token": token, "action": "confirm", "s-0-handed": "on"})
    waiting.refresh_from_db()
    assert response.status_code == 302
    assert waiting.status == Status.RECEIVED and waiting.paused_at is None
    row = waiting.components.get(supplement=True)
    assert row.name == "Bản sao giấy khai sinh" and row.file
    assert DigitisedPaper.objects.get(applicant=waiting.applicant).source == waiting
    again = desk.post(url, {"token": token, "action": "confirm", "s-0-handed": "on"})
    assert again["Location"] == response["Location"]
    assert waiting.events.filter(action=Action.RECEIVE_SUPPLEMENT).count() == 1


def test_nothing_ticked_is_explained(desk, waiting):
    url = reverse("desk:supplement", args=[waiting.code])
    response = desk.post(url, {"token": "s" * 24, "action": "confirm"})
    assert response.status_code == 422
    assert "Tick the papers handed in" in response.content.decode()


def test_papers_still_missing_are_named_before_the_clock_restarts(
    desk, desk_officer, ward_center, ward_case, applicant_in
):
    from desk.tests.conftest import received
    from dossiers import services as s

    dossier = received(desk_officer, ward_center, ward_case, applicant_in)

    items = ["Bản sao giấy khai sinh", "Giấy xác nhận cư trú", "Ảnh 4x6"]
    s.dossier_request_supplement(actor=desk_officer, dossier=dossier, items=items)
    url = reverse("desk:supplement", args=[dossier.code])
    ticked = {"token": "m" * 24, "s-0-handed": "on", "s-1-handed": "on", "s-1-copies": "2"}
    response = desk.post(url, {**ticked, "action": "confirm"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "not ticked as handed in" in page and "<li>Ảnh 4x6</li>" in page
    assert 'name="s-1-handed" checked' in page and 'name="s-1-copies" value="2"' in page
    assert 'value="confirm_missing"' in page
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    # The officer confirms: recorded with what was handed in.
    response = desk.post(url, {**ticked, "action": "confirm_missing"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    event = dossier.events.get(action=Action.RECEIVE_SUPPLEMENT)
    assert event.data["papers"] == items[:2]


def test_papers_still_missing_are_named_in_vietnamese(
    client, desk_officer, ward_center, ward_case, applicant_in
):
    from desk.tests.conftest import received
    from dossiers import services as s

    dossier = received(desk_officer, ward_center, ward_case, applicant_in)

    items = ["Bản sao giấy khai sinh", "Ảnh 4x6"]
    s.dossier_request_supplement(actor=desk_officer, dossier=dossier, items=items)
    client.force_login(desk_officer)
    url = reverse("desk:supplement", args=[dossier.code])
    data = {"token": "v" * 24, "s-0-handed": "on", "action": "confirm"}
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Giấy tờ đã yêu cầu sau đây chưa được đánh dấu là đã nộp" in page
    assert "<li>Ảnh 4x6</li>" in page
    assert "Vẫn ghi nhận" in page
