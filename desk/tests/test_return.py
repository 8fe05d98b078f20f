"""Handing a result over: found by code or receipt QR, collector checked, originals given back."""

import pytest
from django.urls import reverse

from desk.handover import code_from_scan
from desk.tests.conftest import CARD
from dossiers.documents import lookup_url
from dossiers.models import Action, Status

pytestmark = pytest.mark.django_db
FIND = reverse("desk:return")
TOKEN = "r" * 24


@pytest.fixture
def desk(client, desk_officer):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def handover(dossier, **data):
    url = reverse("desk:return_dossier", args=[dossier.code])
    return url, {"token": TOKEN, "channel": "direct", "collector": "applicant", **data}


def test_code_from_a_bare_code_or_the_receipt_url():
    code = "000.21.01.H15-261123-0001"
    assert code_from_scan(f"  {code}\n") == code
    url = f"https://motcua.example.vn/tra-cuu/?code={code}&secret=ABC234"
    assert code_from_scan(url) == code
    assert code_from_scan(f"/tra-cuu/?secret=X&code={code}") == code


def test_return_page_for_desk_staff_only(client, desk_officer, guide, specialist):
    assert client.get(FIND).status_code == 302
    client.force_login(desk_officer)
    assert client.get(FIND).status_code == 200
    for user in [guide, specialist]:
        client.force_login(user)
        assert client.get(FIND).status_code == 403


def test_found_by_the_receipts_qr_code(desk, resolved_dossier):
    page = desk.get(FIND, {"q": lookup_url(resolved_dossier)}).content.decode()
    assert resolved_dossier.code in page
    assert "15/2026/TLHT" in page  # the result's number
    assert reverse("desk:return_dossier", args=[resolved_dossier.code]) in page


def test_unknown_code_says_so(desk, resolved_dossier):
    response = desk.get(FIND, {"q": "000.21.01.H15-990101-0001"})
    assert response.status_code == 404
    assert "No dossier of your desk has the code" in response.content.decode()


def test_handed_to_the_applicant_with_originals_back(desk, resolved_dossier):
    paper = resolved_dossier.components.filter(originals__gt=0).first()
    url, data = handover(
        resolved_dossier, collector_id_number="054089001234", originals=[str(paper.pk)]
    )
    response = desk.post(url, data)
    resolved_dossier.refresh_from_db()
    assert response.status_code == 302
    assert resolved_dossier.status == Status.RETURNED
    event = resolved_dossier.events.get(action=Action.RETURN)
    assert event.data["collected_by"] == "Lê Vĩnh Huỳnh"
    assert event.data["collector_id_number"] == "054089001234"
    assert event.data["originals_returned"] == [paper.name]
    again = desk.post(url, data)
    assert again["Location"] == response["Location"]


def test_id_card_scanned_into_the_collector_field(desk, resolved_dossier):
    url, data = handover(resolved_dossier, collector_id_number=CARD)
    assert desk.post(url, data).status_code == 302
    event = resolved_dossier.events.get(action=Action.RETURN)
    assert event.data["collector_id_number"] == "054089001234"


def test_authorised_person_collects(desk, resolved_dossier):
    url, data = handover(
        resolved_dossier, collector="authorised", collector_id_number="054190004321"
    )
    assert desk.post(url, data).status_code == 302
    event = resolved_dossier.events.get(action=Action.RETURN)
    assert event.data["collected_by"] == "Trần Thị Ủy"


def test_mismatched_id_number_warns_and_keeps_the_form(desk, resolved_dossier):
    url, data = handover(resolved_dossier, collector_id_number="079201009999", note="Ghi chú")
    response = desk.post(url, data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "not the one on the dossier" in page
    assert "054*******34" in page
    assert 'value="079201009999"' in page and "Ghi chú" in page
    resolved_dossier.refresh_from_db()
    assert resolved_dossier.status == Status.RESOLVED
    # The officer checked a written authorisation: the mismatch is recorded.
    assert desk.post(url, {**data, "mismatch_checked": "on"}).status_code == 302
    event = resolved_dossier.events.get(action=Action.RETURN)
    assert event.note.startswith("Số định danh người nhận khác hồ sơ")


def test_missing_id_number_for_a_handover_at_the_desk(desk, resolved_dossier):
    url, data = handover(resolved_dossier)
    response = desk.post(url, data)
    assert response.status_code == 422
    assert "Check the ID card of the person collecting" in response.content.decode()


def test_sent_by_post_needs_no_collector(desk, resolved_dossier):
    url, data = handover(resolved_dossier, channel="post")
    assert desk.post(url, data).status_code == 302
    resolved_dossier.refresh_from_db()
    assert resolved_dossier.return_channel == "post"


def test_a_dossier_not_ready_says_when_it_is_due(
    desk, desk_officer, ward_center, ward_case, applicant_in
):
    from desk.tests.conftest import received

    dossier = received(desk_officer, ward_center, ward_case, applicant_in)
    page = desk.get(FIND, {"q": dossier.code}).content.decode()
    assert "The result is not ready" in page


# -- online hand-over needs an electronic result ----------------------------------------------


def test_no_online_hand_over_without_a_result_document(desk_officer, resolved_dossier):
    from dossiers import services as s
    from dossiers.services import DossierInputError

    with pytest.raises(DossierInputError) as error:
        s.dossier_return(actor=desk_officer, dossier=resolved_dossier, channel="online")
    assert error.value.field == "channel"
    resolved_dossier.refresh_from_db()
    assert resolved_dossier.status == Status.RESOLVED and not resolved_dossier.return_channel


def test_a_refusal_without_a_document_is_not_handed_over_online(
    desk_officer, approver, ward_center, ward_case, applicant_in
):
    from desk.tests.conftest import received
    from dossiers import services as s
    from dossiers.models import ResultOutcome
    from dossiers.services import DossierInputError

    dossier = received(desk_officer, ward_center, ward_case, applicant_in)
    dossier = s.dossier_route(actor=desk_officer, dossier=dossier)
    dossier = s.dossier_resolve(
        actor=approver, dossier=dossier, outcome=ResultOutcome.REFUSED, note="Không đủ điều kiện"
    )
    with pytest.raises(DossierInputError):
        s.dossier_return(actor=desk_officer, dossier=dossier, channel="online")
    done = s.dossier_return(actor=desk_officer, dossier=dossier, channel="post")
    assert done.status == Status.RETURNED


def test_desk_page_does_not_offer_online_without_a_result_document(desk, resolved_dossier):
    page = desk.get(FIND, {"q": resolved_dossier.code}).content.decode()
    assert 'value="online" id="id_channel_1" disabled' in page
    assert "no result document is attached" in page
    url, data = handover(resolved_dossier, channel="online", note="Gửi qua cổng")
    response = desk.post(url, data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "no electronic result to download" in page
    assert response.context["form"].errors["channel"]  # beside the channel field
    assert "Gửi qua cổng" in page  # the note typed is kept
    resolved_dossier.refresh_from_db()
    assert resolved_dossier.status == Status.RESOLVED


def test_refusal_of_online_hand_over_in_vietnamese(client, desk_officer, resolved_dossier):
    client.force_login(desk_officer)
    url, data = handover(resolved_dossier, channel="online")
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Hồ sơ không có kết quả điện tử để tải về" in page
    page = client.get(FIND, {"q": resolved_dossier.code}, HTTP_ACCEPT_LANGUAGE="vi")
    assert "Không áp dụng" in page.content.decode()


def test_a_result_document_can_be_handed_over_online(desk, resolved_dossier):
    from dossiers.models import Dossier

    Dossier.objects.filter(pk=resolved_dossier.pk).update(result_file="results/2026/03/kq.pdf")
    page = desk.get(FIND, {"q": resolved_dossier.code}).content.decode()
    assert 'value="online" id="id_channel_1">' in page
    url, data = handover(resolved_dossier, channel="online")
    assert desk.post(url, data).status_code == 302
    resolved_dossier.refresh_from_db()
    assert resolved_dossier.return_channel == "online"
