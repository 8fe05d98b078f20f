"""Which papers an online filing must carry as scans, and what the person is told after."""

import pytest
from django.urls import reverse

from catalog.models import Component, OnlineLevel
from dossiers import services as s
from dossiers.models import Action, Status
from dossiers.services import DossierInputError, PaperIn
from dossiers.tests.fixtures import all_papers
from portal.plain import SAID
from portal.services import draft_paper_upload, draft_start, filing_submit
from portal.tests.conftest import pdf, taken_at_desk

pytestmark = pytest.mark.django_db


def id_card(case) -> Component:
    """A paper shown to the officer for checking, never handed in."""
    return Component.objects.create(
        case=case,
        position=9,
        name_vi="Thẻ căn cước",
        name_en="ID card",
        originals=0,
        copies=0,
        mandatory=True,
        note_vi="Xuất trình để đối chiếu, không nộp",
    )


def partly_online(case) -> None:
    version = case.version
    version.online_level = OnlineLevel.PARTIAL
    version.save(update_fields=["online_level"])


def test_fully_online_needs_no_scan_of_a_paper_only_shown(
    client, resident, ward_case, ward_center
) -> None:
    card = id_card(ward_case)
    draft = draft_start(actor=resident, case=ward_case, center=ward_center, ward=None)
    client.force_login(resident)
    page = client.get(reverse("portal:file_papers", args=[draft.pk])).content.decode()
    item = page[page.index(f'id="item-{card.pk}"') :]
    assert "Không cần tải lên" in item[: item.index("</h2>")]

    scanned = ward_case.components.filter(mandatory=True, originals__gt=0)
    for n, component in enumerate(scanned):
        draft_paper_upload(
            actor=resident, dossier=draft, component_id=component.pk, upload=pdf(extra=bytes([n]))
        )
    filed = filing_submit(actor=resident, dossier=draft, delivery="online")
    assert filed.status == Status.SUBMITTED


def test_fully_online_still_needs_each_required_scan(resident, ward_case, ward_center) -> None:
    draft = draft_start(actor=resident, case=ward_case, center=ward_center, ward=None)
    with pytest.raises(DossierInputError) as refused:
        filing_submit(actor=resident, dossier=draft, delivery="online")
    assert refused.value.field == "papers"
    assert "Form" in refused.value.message


def test_partly_online_asks_no_scan_of_what_goes_to_the_desk(
    client, resident, ward_case, ward_center, desk_officer
) -> None:
    """Originals are handed over at the desk: the filing goes without their scans, and the
    review page lists them to bring."""
    partly_online(ward_case)
    id_card(ward_case)
    draft = draft_start(actor=resident, case=ward_case, center=ward_center, ward=None)
    client.force_login(resident)
    review = client.get(reverse("portal:file_review", args=[draft.pk])).content.decode()
    assert "Tờ khai" in review and "Thẻ căn cước" in review
    response = client.post(
        reverse("portal:file_review", args=[draft.pk]),
        {"delivery": "direct", "confirm": "on"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    page = client.get(reverse("portal:dossier", args=[draft.pk])).content.decode()
    assert "bring-title" in page

    # Received at the desk with its originals, then asked for one more paper: nothing of
    # the first list is to be brought again.
    s.dossier_receive(actor=desk_officer, dossier=draft, papers=all_papers(ward_case))
    s.dossier_request_supplement(
        actor=desk_officer, dossier=draft, items=["Bản sao sổ hộ khẩu"], note=""
    )
    page = client.get(reverse("portal:dossier", args=[draft.pk])).content.decode()
    assert "bring-title" not in page and "to bring" not in page.lower()


def test_a_supplement_sent_online_changes_what_the_page_asks(
    client, resident, filed, desk_officer
) -> None:
    s.dossier_receive(actor=desk_officer, dossier=filed)
    s.dossier_request_supplement(
        actor=desk_officer,
        dossier=filed,
        items=["Bản sao sổ hộ khẩu", "Giấy xác nhận cư trú"],
        note="",
    )
    client.force_login(resident)
    url = reverse("portal:dossier", args=[filed.pk])
    before = client.get(url).content.decode()
    assert "Bạn đã gửi" not in before and "✓" not in before

    client.post(
        reverse("portal:supplement", args=[filed.pk]),
        {"name": "Bản sao sổ hộ khẩu", "file": pdf(extra=b"s")},
    )
    after = client.get(url)
    page = after.content.decode()
    assert "Bạn đã gửi 1 giấy tờ" in after.context["next_step"]
    assert after.context["asked"] == [("Bản sao sổ hộ khẩu", True), ("Giấy xác nhận cư trú", False)]
    assert "✓" in page

    s.dossier_receive_supplement(
        actor=desk_officer, dossier=filed, papers=[PaperIn(name="Bản sao sổ hộ khẩu")]
    )
    assert "Bạn đã gửi" not in client.get(url).context["next_step"]


def test_history_of_a_desk_dossier_starts_at_the_desk(
    client, resident, ward_case, ward_center, desk_officer, applicant_in
) -> None:
    at_desk = taken_at_desk(desk_officer, ward_center, ward_case, applicant_in, resident)
    client.force_login(resident)
    events = client.get(reverse("portal:dossier", args=[at_desk.pk])).context["events"]
    assert [str(line.said) for line in events] == [str(SAID[Action.RECEIVE])]


def test_the_review_says_for_each_paper_what_goes_with_the_filing(
    client, resident, ward_case, ward_center
) -> None:
    draft = draft_start(actor=resident, case=ward_case, center=ward_center, ward=None)
    form = ward_case.components.get(name_vi="Tờ khai")
    for n in range(2):
        draft_paper_upload(
            actor=resident, dossier=draft, component_id=form.pk, upload=pdf(extra=bytes([n]))
        )
    client.force_login(resident)
    page = client.get(reverse("portal:file_review", args=[draft.pk])).content.decode()
    papers = page[page.index('class="checklist"') :]
    assert "đã đính kèm 2 tệp" in papers  # the form, twice
    assert "còn thiếu" in papers  # the marriage certificate
    assert "chỉ nộp nếu thuộc trường hợp này" in papers  # the authorisation
    assert "Phí, lệ phí" in page


def test_each_scan_on_the_papers_page_says_what_it_is(
    client, resident, ward_case, ward_center
) -> None:
    draft = draft_start(actor=resident, case=ward_case, center=ward_center, ward=None)
    form = ward_case.components.get(name_vi="Tờ khai")
    draft_paper_upload(actor=resident, dossier=draft, component_id=form.pk, upload=pdf())
    client.force_login(resident)
    page = client.get(reverse("portal:file_papers", args=[draft.pk])).content.decode()
    assert '<span class="scan-label">PDF, ' in page
