"""The back-office pages through the test client: who sees what, and what the forms do."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from deadlines.calendar import calendar_for_unit
from dossiers import services as s
from dossiers.models import Action, Channel, Dossier, Status
from dossiers.tests.fixtures import all_papers, at
from work.models import ApologyDraft, DraftState
from work.tests.conftest import MON, PDF, intake
from work.watch import deadline_watch

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sent_back(answer, page: str, anchor: str) -> str:
    """A failed POST is redirected to the page holding its form, which shows it again."""
    assert answer.redirect_chain == [(f"{page}#{anchor}", 302)]
    assert answer.status_code == 200 and answer.request["PATH_INFO"] == page.split("?")[0]
    return answer.content.decode()


@pytest.fixture
def routed(desk_officer, ward_center, stepped_case, justice) -> Dossier:
    d = intake(desk_officer, ward_center, stepped_case, timezone.now() - dt.timedelta(hours=2))
    return s.dossier_route(actor=desk_officer, dossier=d)


def test_the_queue_shows_the_agency_its_dossiers(routed, justice_specialist) -> None:
    page = client_for(justice_specialist).get("/work/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert routed.code in text and 'data-testid="queue-total">1<' in text
    assert "On time" in text and "wq-row-on_time" in text


def test_the_queue_is_refused_to_the_desk_and_to_strangers(routed, desk_officer, citizen) -> None:
    assert client_for(desk_officer).get("/work/").status_code == 403
    assert client_for(citizen).get("/work/").status_code == 403
    assert Client().get("/work/").status_code == 302  # to the sign-in page


def test_another_agency_sees_neither_the_queue_entry_nor_the_dossier(
    routed, police_specialist, specialist
) -> None:
    for user in (police_specialist, specialist):
        client = client_for(user)
        page = client.get("/work/")
        assert page.status_code == 200 and routed.code not in page.content.decode()
        assert client.get(f"/work/dossiers/{routed.code}/").status_code == 404
        post = client.post(f"/work/dossiers/{routed.code}/act/forward/", {"target": "next"})
        assert post.status_code == 404
    assert Dossier.objects.get(pk=routed.pk).step == 1


def test_queue_filters_and_colours(
    desk_officer, ward_center, stepped_case, justice, justice_specialist, justice_approver
) -> None:
    now = timezone.now()
    late = intake(desk_officer, ward_center, stepped_case, now - dt.timedelta(days=30))
    late = s.dossier_route(actor=desk_officer, dossier=late)
    fresh = intake(
        desk_officer,
        ward_center,
        stepped_case,
        now - dt.timedelta(minutes=5),
        id_number="054089009999",
    )
    fresh = s.dossier_route(actor=desk_officer, dossier=fresh)
    s.dossier_assign(actor=justice_approver, dossier=fresh, assignee=justice_specialist)
    client = client_for(justice_specialist)
    text = client.get("/work/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text.index(late.code) < text.index(fresh.code)  # least time left first
    assert "wq-row-overdue" in text and "Overdue" in text
    mine = client.get("/work/?who=mine").content.decode()
    assert fresh.code in mine and late.code not in mine
    overdue = client.get("/work/?timing=overdue").content.decode()
    assert late.code in overdue and fresh.code not in overdue
    partial = client.get("/work/?timing=overdue", HTTP_HX_REQUEST="true").content.decode()
    assert late.code in partial and "<html" not in partial
    procedure = late.procedure_version.procedure_id
    assert late.code in client.get(f"/work/?procedure={procedure}").content.decode()
    assert client.get("/work/?procedure=nonsense&status=bogus").status_code == 200


def test_the_queue_reads_a_fixed_number_of_queries(
    desk_officer, ward_center, stepped_case, ward_case, justice, justice_specialist
) -> None:
    def queries() -> int:
        client = client_for(justice_specialist)
        client.get("/work/")  # warm the session and calendars
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/work/").status_code == 200
        return len(captured)

    for n in range(3):
        d = intake(desk_officer, ward_center, stepped_case, id_number=f"0540890{n:05d}")
        s.dossier_route(actor=desk_officer, dossier=d)
    few = queries()
    for n in range(3, 12):
        d = intake(desk_officer, ward_center, stepped_case, id_number=f"0540890{n:05d}")
        s.dossier_route(actor=desk_officer, dossier=d)
    assert queries() == few <= 12


def test_processing_page_and_a_proposal_with_its_document(
    routed, justice_specialist, justice_approver
) -> None:
    client = client_for(justice_specialist)
    page = client.get(f"/work/dossiers/{routed.code}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and "Time per step" in text and "Verification" in text
    assert 'data-action="forward"' in text and 'data-action="send_back"' not in text
    assert (
        client.post(f"/work/dossiers/{routed.code}/act/forward/", {"target": "next"}).status_code
        == 302
    )
    # A wrong upload keeps what was typed and says why, in the page's language.
    page = f"/work/dossiers/{routed.code}/"
    bad = client.post(
        f"/work/dossiers/{routed.code}/act/propose/",
        {
            "outcome": "granted",
            "number": "15/QĐ",
            "signer": "Trần Văn Ký",
            "document": SimpleUploadedFile("kq.pdf", b"hello", content_type="application/pdf"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    text = sent_back(bad, page, "action-propose")
    assert "not a PDF, JPEG or PNG" in text
    assert 'value="15/QĐ"' in text and 'value="Trần Văn Ký"' in text
    # Shown once: reading the page again shows the untouched form.
    assert "not a PDF, JPEG or PNG" not in client.get(page).content.decode()
    good = client.post(
        f"/work/dossiers/{routed.code}/act/propose/",
        {
            "outcome": "granted",
            "number": "15/QĐ",
            "signer": "Trần Văn Ký",
            "signed_on": timezone.localdate().isoformat(),
            "document": SimpleUploadedFile("kq.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert good.status_code == 302
    # The specialist may not approve, and is told so; the approver may.
    refused = client.post(
        f"/work/dossiers/{routed.code}/act/approve/",
        {"confirm": "on"},
        HTTP_ACCEPT_LANGUAGE="vi",
        follow=True,
    )
    assert 'data-testid="refused">Bạn không có vai trò' in sent_back(refused, page, "refused")
    assert Dossier.objects.get(pk=routed.pk).status == Status.PROCESSING
    boss = client_for(justice_approver)
    assert 'data-action="approve"' in boss.get(f"/work/dossiers/{routed.code}/").content.decode()
    document = boss.get(f"/work/dossiers/{routed.code}/result/")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert b"".join(document.streaming_content).startswith(b"%PDF")
    # Approval cannot be undone: a first click without the box ticked does nothing.
    unconfirmed = boss.post(
        f"/work/dossiers/{routed.code}/act/approve/", HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    text = sent_back(unconfirmed, page, "action-approve")
    assert "Tick the box to confirm. Nothing was done yet." in text
    assert Dossier.objects.get(pk=routed.pk).status == Status.PROCESSING
    approved = boss.post(f"/work/dossiers/{routed.code}/act/approve/", {"confirm": "on"})
    assert approved.status_code == 302 and approved["Location"] == page
    assert Dossier.objects.get(pk=routed.pk).status == Status.RESOLVED


def test_a_proposal_with_a_wrong_signing_date_or_no_signer_keeps_what_was_typed(
    routed, justice_specialist
) -> None:
    client = client_for(justice_specialist)
    client.post(f"/work/dossiers/{routed.code}/act/forward/", {"target": "next"})
    typed = {"outcome": "granted", "number": "15/QĐ", "note": "Đủ điều kiện"}
    page = f"/work/dossiers/{routed.code}/"
    future = client.post(
        f"/work/dossiers/{routed.code}/act/propose/",
        {**typed, "signer": "Trần Văn Ký", "signed_on": "2030-01-01"},
        HTTP_ACCEPT_LANGUAGE="vi",
        follow=True,
    )
    text = sent_back(future, page, "action-propose")
    assert "Ngày ký không được sau ngày hôm nay." in text
    assert 'value="15/QĐ"' in text and 'value="Trần Văn Ký"' in text and "Đủ điều kiện" in text
    unsigned = client.post(
        f"/work/dossiers/{routed.code}/act/propose/", typed, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "Write who signs the result document." in sent_back(unsigned, page, "action-propose")
    assert Dossier.objects.get(pk=routed.pk).result_proposed_at is None


def test_a_paused_dossier_shows_the_stopped_clock_not_the_old_due_date(
    routed, justice_specialist
) -> None:
    client = client_for(justice_specialist)
    due = routed.due_at
    page = client.get(f"/work/dossiers/{routed.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert timezone.localtime(due).strftime("%H:%M %d/%m/%Y") in page and "/forms/01.pdf" in page
    s.dossier_request_supplement(actor=justice_specialist, dossier=routed, items=["Bản sao CCCD"])
    page = client.get(f"/work/dossiers/{routed.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="due-paused"' in page and "Clock stopped since" in page
    assert timezone.localtime(due).strftime("%H:%M %d/%m/%Y") not in page
    assert "/forms/01.pdf" not in page and "/forms/02.pdf" in page


def test_a_step_done_in_no_working_time_reads_done_not_unstarted(
    desk_officer, ward_center, stepped_case, justice, justice_specialist, justice_approver
) -> None:
    d = intake(desk_officer, ward_center, stepped_case, MON)
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9))
    d = s.dossier_forward(actor=justice_specialist, dossier=d, at=at(2026, 3, 3, 9))
    # Proposed and approved on a Saturday: the approval step held it for no working time.
    d = s.dossier_propose(
        actor=justice_specialist, dossier=d, number="5/QĐ", signer="Ký", at=at(2026, 3, 7, 10)
    )
    d = s.dossier_approve(actor=justice_approver, dossier=d, at=at(2026, 3, 7, 10, 5))
    page = client_for(justice_approver).get(f"/work/dossiers/{d.code}/", HTTP_ACCEPT_LANGUAGE="en")
    rows = page.content.decode().split('<section aria-labelledby="h-steps">')[1].split("</tr>")
    approval = next(row for row in rows if "Approval" in row)
    assert "within budget" in approval and "not started" not in approval
    assert '<td class="num">0.0</td>' in approval


def test_the_staff_load_counts_staff_not_applicants_who_filed_online(
    citizen, desk_officer, manager, ward_center, ward_case, applicant_in
) -> None:
    applicant = s.applicant_find_or_create(data=applicant_in)
    draft = s.dossier_create(
        actor=citizen, case=ward_case, applicant=applicant, unit=ward_center, channel=Channel.ONLINE
    )
    d = s.dossier_submit(actor=citizen, dossier=draft, papers=all_papers(ward_case))
    s.dossier_receive(actor=desk_officer, dossier=d)
    page = client_for(manager).get("/work/center/", HTTP_ACCEPT_LANGUAGE="en")
    load = page.content.decode().split('data-testid="load"')[1].split("</table>")[0]
    assert desk_officer.get_full_name() in load
    assert citizen.get_full_name() not in load


def test_a_scan_opens_for_staff_of_the_dossier_only(
    desk_officer, ward_center, stepped_case, justice, justice_specialist, police_specialist
) -> None:
    from dossiers.services import PaperIn

    scan = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    component = stepped_case.components.get()
    d = s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=stepped_case,
        applicant=s.ApplicantIn(full_name="Ngô Thị Lan", id_number="054189001111"),
        papers=[PaperIn(component_id=component.pk, originals=1, file=scan)],
    )
    paper = d.components.get()
    url = f"/work/dossiers/{d.code}/papers/{paper.pk}/"
    response = client_for(justice_specialist).get(url)
    assert response.status_code == 200 and response["Content-Disposition"] == "inline"
    assert client_for(police_specialist).get(url).status_code == 404


def test_center_page_for_the_manager_only(
    desk_officer, ward_center, stepped_case, justice, manager, justice_specialist, police
) -> None:
    d = intake(desk_officer, ward_center, stepped_case, timezone.now() - dt.timedelta(days=30))
    s.dossier_route(actor=desk_officer, dossier=d, to_unit=police)
    deadline_watch()
    page = client_for(manager).get("/work/center/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert d.code in text and "Provincial Police" in text  # the agency that used up the time
    assert "Apologies waiting for approval" in text and "Staff load this week" in text
    assert client_for(justice_specialist).get("/work/center/").status_code == 403
    assert client_for(desk_officer).get("/work/center/").status_code == 403


def test_the_manager_approves_an_apology_from_the_center_page(
    desk_officer, ward_center, stepped_case, justice, manager
) -> None:
    d = intake(desk_officer, ward_center, stepped_case, timezone.now() - dt.timedelta(days=30))
    s.dossier_route(actor=desk_officer, dossier=d)
    deadline_watch()
    draft = ApologyDraft.objects.get()
    client = client_for(manager)
    url = f"/work/apologies/{draft.pk}/"
    early = client.post(
        url,
        {"new_due": "2020-01-01T08:00", "reason": "Xác minh thêm hồ sơ", "back": "/work/center/"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    text = sent_back(early, "/work/center/", f"apology-{draft.pk}")
    assert "08:00 on 01/01/2020 has already passed" in text and "Xác minh thêm hồ sơ" in text
    assert 'value="2020-01-01T08:00"' in text
    # A week of working time ahead: a working moment, whatever the hour the test runs at.
    calendar = calendar_for_unit(ward_center)
    ahead = calendar.add_working_minutes(timezone.now(), 5 * calendar.day_minutes)
    new_due = timezone.localtime(ahead).strftime("%Y-%m-%dT%H:%M")
    done = client.post(
        url, {"new_due": new_due, "reason": "Cần xác minh thêm", "back": "/work/center/"}
    )
    assert done.status_code == 302 and done["Location"] == "/work/center/"
    assert ApologyDraft.objects.get().state == DraftState.APPROVED
    assert Dossier.objects.get(pk=d.pk).events.filter(action=Action.EXTEND).count() == 1
    assert client.get(f"/work/apologies/{draft.pk}/preview.pdf").status_code == 404


def test_nav_badge_counts_my_open_dossiers(routed, justice_specialist, justice_approver) -> None:
    s.dossier_assign(actor=justice_approver, dossier=routed, assignee=justice_specialist)
    text = client_for(justice_specialist).get("/work/").content.decode()
    assert '<span class="tag" title="' in text
    other = staff_user("second-specialist", routed.competent_unit, Role.SPECIALIST)
    assert '<span class="tag" title="' not in client_for(other).get("/work/").content.decode()


def test_papers_are_named_in_the_page_language(routed, justice_specialist) -> None:
    client = client_for(justice_specialist)
    url = f"/work/dossiers/{routed.code}/"
    assert "<td>Form</td>" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Tờ khai</td>" in client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def _links_and_ids(html: str) -> tuple[list[str], list[str]]:
    links = re.findall(r'href="(/work/dossiers/[^"]+/)"', html)
    return links, re.findall(r'\sid="([^"]+)"', html)


def test_every_dossier_the_center_page_links_opens_for_its_manager_and_admin(
    desk_officer, ward_center, stepped_case, justice, manager, admin_user, police
) -> None:
    d = intake(desk_officer, ward_center, stepped_case, timezone.now() - dt.timedelta(days=30))
    s.dossier_route(actor=desk_officer, dossier=d, to_unit=police)
    deadline_watch()
    for user, linked in ((manager, True), (admin_user, False)):
        client = client_for(user)
        page = client.get("/work/center/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        overdue = page.split('data-testid="overdue"')[1].split("</table>")[0]
        assert d.code in overdue  # listed for both
        links, _ids = _links_and_ids(page)
        assert (f"/work/dossiers/{d.code}/" in links) is linked
        for link in links:
            assert client.get(link).status_code == 200, (user.username, link)
    # The administrator still may not open it by its address.
    assert client_for(admin_user).get(f"/work/dossiers/{d.code}/").status_code == 404


def test_a_proposal_shows_every_mistake_at_once(routed, justice_specialist) -> None:
    client = client_for(justice_specialist)
    client.post(f"/work/dossiers/{routed.code}/act/forward/", {"target": "next"})
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    answer = client.post(
        f"/work/dossiers/{routed.code}/act/propose/",
        {"outcome": "granted", "number": "", "signer": "", "signed_on": tomorrow},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    text = sent_back(answer, f"/work/dossiers/{routed.code}/", "action-propose")
    assert "Write who signs the result document." in text
    assert "The signing date cannot be in the future." in text
    assert "Write the number of the result document." in text
    refused = client.post(
        f"/work/dossiers/{routed.code}/act/propose/",
        {"outcome": "refused", "signed_on": tomorrow},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    ).content.decode()
    assert "A refusal must give its reasons." in refused
    assert "The signing date cannot be in the future." in refused
    assert "Write who signs" not in refused  # a refusal needs no signer here
    assert Dossier.objects.get(pk=routed.pk).result_proposed_at is None


def test_the_work_pages_give_each_element_its_own_id(
    routed, justice_specialist, justice_approver, manager
) -> None:
    s.dossier_assign(actor=justice_approver, dossier=routed, assignee=justice_specialist)
    pages = [
        (justice_specialist, f"/work/dossiers/{routed.code}/"),
        (justice_approver, f"/work/dossiers/{routed.code}/"),
        (justice_specialist, "/work/"),
        (manager, "/work/center/"),
    ]
    for user, url in pages:
        _links, ids = _links_and_ids(client_for(user).get(url).content.decode())
        assert ids and len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
    page = client_for(justice_specialist).get(f"/work/dossiers/{routed.code}/").content.decode()
    assert 'for="id_propose_signer"' in page and 'id="id_propose_signer"' in page


def test_the_queue_heading_says_what_its_count_counts(
    routed, justice_specialist, justice_approver
) -> None:
    s.dossier_assign(actor=justice_approver, dossier=routed, assignee=justice_specialist)
    page = client_for(justice_approver).get("/work/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "1 hồ sơ trong danh sách · 0 hồ sơ giao cho bạn" in page
    page = client_for(justice_specialist).get("/work/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 dossier in the queue · 1 dossier assigned to you" in page


def test_stop_asks_for_a_confirmation_and_a_failed_stop_is_read_again_safely(
    routed, justice_approver
) -> None:
    client = client_for(justice_approver)
    page = f"/work/dossiers/{routed.code}/"
    url = f"/work/dossiers/{routed.code}/act/stop/"
    assert 'name="confirm"' in client.get(page).content.decode()
    # Neither a reason nor the box: both said beside their fields, nothing done, and the
    # browser is left on the dossier's page, which a refresh only reads again.
    empty = client.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    form = sent_back(empty, page, "action-stop").split('data-action="stop"')[1].split("</form>")[0]
    assert "This field is required." in form and "Tick the box to confirm." in form
    assert Dossier.objects.get(pk=routed.pk).status == Status.PROCESSING
    # A reason without the box: the reason stays typed in the form opened again.
    unticked = client.post(url, {"reason": "Người dân xin dừng"}, follow=True)
    text = sent_back(unticked, page, "action-stop")
    assert 'id="action-stop" open' in text
    assert "Người dân xin dừng</textarea>" in text
    assert Dossier.objects.get(pk=routed.pk).status == Status.PROCESSING
    again = client.get(page).content.decode()  # shown once
    assert "Người dân xin dừng</textarea>" not in again
    done = client.post(url, {"reason": "Người dân xin dừng", "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == page
    assert Dossier.objects.get(pk=routed.pk).status == Status.STOPPED


def test_htmx_is_sent_to_the_page_too_and_scrolled_to_the_form(routed, justice_approver) -> None:
    client = client_for(justice_approver)
    page = f"/work/dossiers/{routed.code}/"
    failed = client.post(
        f"/work/dossiers/{routed.code}/act/stop/", {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert failed.status_code == 302 and failed["Location"] == f"{page}#action-stop"
    shown = client.get(page, HTTP_HX_REQUEST="true")  # htmx follows the redirect itself
    assert shown["HX-Reswap"] == "outerHTML show:#action-stop:top"
    assert "HX-Reswap" not in client.get(page, HTTP_HX_REQUEST="true")


def _next_weekday(weekday: int, hour: int) -> dt.datetime:
    """A moment on the given weekday at least a week ahead, in Vietnam."""
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return at(day.year, day.month, day.day, hour)


def test_the_approver_cannot_promise_a_past_or_non_working_new_date(
    desk_officer, ward_center, stepped_case, justice, justice_approver
) -> None:
    d = intake(desk_officer, ward_center, stepped_case, timezone.now() - dt.timedelta(days=30))
    s.dossier_route(actor=desk_officer, dossier=d)
    deadline_watch()
    draft = ApologyDraft.objects.get()
    client = client_for(justice_approver)
    page = f"/work/dossiers/{d.code}/"
    url = f"/work/apologies/{draft.pk}/"
    past = timezone.localtime(timezone.now() - dt.timedelta(days=4)).replace(hour=17, minute=0)
    typed = {"reason": "Cần xác minh thêm tại Công an", "back": page}
    answer = client.post(
        url,
        {**typed, "new_due": past.strftime("%Y-%m-%dT%H:%M")},
        HTTP_ACCEPT_LANGUAGE="vi",
        follow=True,
    )
    text = sent_back(answer, page, f"apology-{draft.pk}")
    field = text.split(f'id="id_new_due-{draft.pk}"')[1].split("</div>")[0]
    assert f"17:00 ngày {past:%d/%m/%Y} đã qua" in field  # beside the date
    assert "Cần xác minh thêm tại Công an</textarea>" in text  # the reason is kept
    sunday = _next_weekday(6, 22)
    monday = sunday + dt.timedelta(days=1)
    answer = client.post(
        url,
        {**typed, "new_due": sunday.strftime("%Y-%m-%dT%H:%M")},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    text = sent_back(answer, page, f"apology-{draft.pk}")
    assert f"Sunday {sunday:%d/%m/%Y} is not a working day." in text
    assert f"for example 17:00 on Monday {monday:%d/%m/%Y}" in text
    assert "Cần xác minh thêm tại Công an</textarea>" in text
    assert ApologyDraft.objects.get().state == DraftState.DRAFT
    assert not d.events.filter(action=Action.EXTEND).exists()
    good = client.post(
        url, {**typed, "new_due": monday.replace(hour=17).strftime("%Y-%m-%dT%H:%M")}
    )
    assert good.status_code == 302 and good["Location"] == page
    assert Dossier.objects.get(pk=d.pk).due_at == monday.replace(hour=17)


def test_the_history_names_who_was_assigned_and_the_list_puts_specialists_first(
    routed, justice, justice_specialist, justice_approver
) -> None:
    staff_user("zeta-specialist", justice, Role.SPECIALIST)
    client = client_for(justice_approver)
    page = client.get(f"/work/dossiers/{routed.code}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    select = page.split('name="assignee"')[1].split("</select>")[0]
    names = re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]+)</option>", select)
    assert names == [
        "Justice-Specialist",
        "Zeta-Specialist",
        "Justice-Approver (lãnh đạo phê duyệt)",
    ]
    s.dossier_assign(actor=justice_approver, dossier=routed, assignee=justice_specialist)
    page = client.get(f"/work/dossiers/{routed.code}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    history = page.split('class="wq-history"')[1]
    assert "<strong>Phân công cho Justice-Specialist</strong>" in history
    assert "người phân công: Justice-Approver" in history
    english = client.get(f"/work/dossiers/{routed.code}/", HTTP_ACCEPT_LANGUAGE="en")
    history = english.content.decode().split('class="wq-history"')[1]
    assert "<strong>Assigned to Justice-Specialist</strong>" in history
    assert "assigned by Justice-Approver" in history
