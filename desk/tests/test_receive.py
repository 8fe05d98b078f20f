"""Receiving a dossier at the counter: card, applicant, procedure, checklist, scans, confirm."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from deadlines.models import CalendarDay, DayKind
from desk import services
from desk.models import FormClaim, StagedScan
from desk.services import claims_sweep
from desk.tests.conftest import BIRTH, CARD, CARD_NUMBER, PDF, PNG, scan
from dossiers.models import Applicant, DigitisedPaper, Dossier, DossierComponent, Status
from dossiers.papers import paper_digitise
from dossiers.tests.fixtures import at

pytestmark = pytest.mark.django_db
URL = reverse("desk:receive")
TOKEN = "t" * 24


def form(case=None, **extra):
    """What the receive page posts: a token, the applicant, the chosen case and its checklist."""
    data = {
        "token": TOKEN,
        "a-kind": "citizen",
        "a-id_number": CARD_NUMBER,
        "a-full_name": "Lê Vĩnh Huỳnh",
        "a-birth_date": "02/03/1989",
        "a-sex": "male",
        "a-address": "Tổ 3, phường Một",
        "a-phone": "0905 123 456",
        "a-email": "",
        "a-representative": "",
        "a-authorised_name": "",
        "a-authorised_id_number": "",
        "a-authorised_phone": "",
        "qr": "",
    }
    if case is not None:
        data |= {"procedure": BIRTH, "case": str(case.pk), "checklist_case": str(case.pk)}
        for component in case.components.all():
            if component.mandatory:
                data[f"c-{component.pk}-handed"] = "on"
            data[f"c-{component.pk}-originals"] = str(component.originals)
            data[f"c-{component.pk}-copies"] = str(component.copies)
    return data | extra


@pytest.fixture
def desk(client, desk_officer):
    client.force_login(desk_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages are asserted in English
    return client


def test_receive_page_for_desk_staff_only(client, desk_officer, manager, specialist, guide):
    assert client.get(URL).status_code == 302  # to sign-in
    for user, expected in [(desk_officer, 200), (manager, 200), (specialist, 403), (guide, 403)]:
        client.force_login(user)
        assert client.get(URL).status_code == expected, user


def test_scanned_card_fills_the_applicant(desk, birth_case):
    response = desk.post(URL, {"action": "read_qr", "qr": CARD + "\r\n", "token": TOKEN})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="054089001234"' in page
    assert 'value="Lê Vĩnh Huỳnh"' in page
    assert 'value="02/03/1989"' in page
    assert "Card read" in page
    assert 'name="qr" value=""' in page  # ready for the next scan


def test_scanned_card_by_htmx_answers_the_applicant_fragment(desk, birth_case):
    response = desk.post(
        URL,
        {"action": "read_qr", "qr": CARD, "token": TOKEN},
        headers={"HX-Request": "true", "HX-Target": "applicant"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<fieldset id="applicant"')
    assert 'value="Lê Vĩnh Huỳnh"' in page
    assert response["HX-Trigger"] == "desk-applicant"


def test_wrong_qr_text_explains_and_keeps_what_was_typed(desk):
    typed = form(**{"a-phone": "0905123456", "a-full_name": "Người Đã Gõ", "qr": "hello world"})
    response = desk.post(URL, {**typed, "action": "read_qr"})
    page = response.content.decode()
    assert "not an ID-card QR code" in page
    assert 'value="hello world"' in page  # the scan stays, to be looked at
    assert 'value="Người Đã Gõ"' in page
    assert 'value="0905123456"' in page


def test_qr_from_another_keyboard_layout_is_explained(desk):
    mangled = CARD.replace("|", "¦")
    page = desk.post(URL, {"action": "read_qr", "qr": mangled, "token": TOKEN}).content.decode()
    assert "keyboard layout" in page


def test_unknown_id_number_is_a_new_applicant_and_nothing_is_lost(desk, birth_case):
    page = desk.post(URL, form(**{"a-id_number": "079089000001"})).content.decode()
    assert "No applicant with ID number 079089000001 has filed before" in page
    assert 'value="Lê Vĩnh Huỳnh"' in page


def test_malformed_id_number_blocks_confirm_with_a_clear_message(desk, birth_case):
    response = desk.post(URL, form(birth_case, action="confirm", **{"a-id_number": "05408900123"}))
    page = response.content.decode()
    assert response.status_code == 422
    assert "A personal ID number has 12 digits" in page
    assert 'value="05408900123"' in page
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"a-id_number": "123456789012"}, "starts with 123, which is not a province code"),
        ({"a-birth_date": "02/03/1990"}, "should be the last two digits of the birth year"),
        ({"a-sex": "female"}, "is even, which means a man"),
        ({"a-birth_date": "31/02/1989"}, "There is no day 31/02/1989: check the day and the month"),
        ({"a-birth_date": "02/03/2989"}, "The date of birth cannot be after today"),
    ],
)
def test_a_typed_number_that_cannot_be_the_applicants_is_questioned(
    desk, birth_case, fields, message
):
    response = desk.post(URL, form(birth_case, action="confirm", **fields))
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    if "digit" in message or "province" in message:  # the number is in question
        assert "has filed before" not in page
    for value in fields.values():  # what was typed is still there
        assert f'value="{value}"' in page
    assert not Dossier.objects.exists()


def test_a_day_that_does_not_exist_is_named_in_vietnamese(desk, birth_case):
    desk.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    page = desk.post(URL, form(birth_case, **{"a-birth_date": "31/02/1989"})).content.decode()
    assert "Không có ngày 31/02/1989: hãy kiểm tra lại ngày và tháng." in page


def test_returning_applicant_is_found_with_contacts_and_papers(desk, birth_case, desk_officer):
    person = Applicant.objects.create(
        full_name="Lê Vĩnh Huỳnh", id_number=CARD_NUMBER, phone="0905999888", email="h@example.vn"
    )
    paper_digitise(applicant=person, name="Giấy chứng sinh", upload=scan("cs.pdf"))
    chosen = {"procedure": BIRTH, "case": str(birth_case.pk)}
    page = desk.post(
        URL, {"action": "read_qr", "qr": CARD, "token": TOKEN, **chosen}
    ).content.decode()
    assert "Filed here before" in page
    assert 'value="0905999888"' in page  # contact details the desk already has
    assert "Giấy chứng sinh" in page
    assert "reuse a digitised copy" in page  # offered in the checklist


@pytest.mark.parametrize("query", ["khai sinh", "Đăng ký khai sinh", "dang ky khai sinh"])
def test_procedure_found_with_or_without_accents(desk, birth_case, query):
    response = desk.post(
        URL,
        {"procedure_q": query, "token": TOKEN},
        headers={"HX-Request": "true", "HX-Target": "procedure-results"},
    )
    page = response.content.decode()
    assert f'value="{BIRTH}"' in page
    assert "Birth registration" in page


def test_picking_the_procedure_shows_the_case_checklist_and_appointment(desk, birth_case):
    with time_machine.travel(at(2026, 11, 24, 9, 0), tick=False):
        response = desk.post(
            URL,
            {"pick": BIRTH, "token": TOKEN},
            headers={"HX-Request": "true", "HX-Target": "case-panel"},
        )
        assert 'name="case"' in response.content.decode()  # several cases: choose one
        response = desk.post(
            URL,
            {"procedure": BIRTH, "case": str(birth_case.pk), "token": TOKEN},
            headers={"HX-Request": "true", "HX-Target": "case-panel"},
        )
    page = response.content.decode()
    assert "Medical birth notice" in page
    assert "Birth registration form" in page
    assert 'hx-swap-oob="true"' in page  # the pick list marks the choice too
    # Same-day procedure received at 09:00 on a Tuesday: the end of that working day.
    assert "17:00" in page and "24/11/2026" in page


def test_appointment_shown_is_the_one_the_dossier_gets(desk, birth_case):
    moment = at(2026, 11, 24, 15, 30)  # after the same-day cut-off: next working day
    with time_machine.travel(moment, tick=False):
        page = desk.post(URL, form(birth_case)).content.decode()
        desk.post(URL, form(birth_case, action="confirm"))
    dossier = Dossier.objects.get()
    shown = dossier.due_at.astimezone(moment.tzinfo)
    assert shown.date() == dt.date(2026, 11, 25)
    assert f"{shown:%H:%M}, " in page and f"{shown:%d/%m/%Y}" in page


WEDNESDAY = "the time counts from 07:00, Wednesday 25/11/2026."


@pytest.mark.parametrize(
    ("moment", "note"),
    [
        (at(2026, 11, 24, 10, 0), f"day off in the calendar (Ngày Văn hóa Việt Nam): {WEDNESDAY}"),
        (at(2026, 11, 23, 18, 0), f"Received outside working hours: {WEDNESDAY}"),
        (at(2026, 11, 28, 10, 0), "not a working day: the time counts from 07:00, Monday 30/11"),
        (at(2026, 11, 23, 15, 30), "Received after 15:00: a same-day procedure is then due"),
        (at(2026, 11, 23, 10, 0), None),
    ],
)
def test_outside_working_time_the_appointment_says_when_the_clock_starts(
    desk, birth_case, moment, note
):
    CalendarDay.objects.create(
        date=dt.date(2026, 11, 24), kind=DayKind.DAY_OFF, name="Ngày Văn hóa Việt Nam"
    )
    with time_machine.travel(moment, tick=False):
        page = desk.post(URL, form(birth_case)).content.decode()
    assert 'data-testid="due"' in page
    if note is None:
        assert 'data-testid="clock-note"' not in page
    else:
        assert note in page


def test_confirm_receives_keeps_scans_as_papers_and_redirects_to_the_receipt(
    desk, birth_case, desk_officer
):
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    data = form(birth_case, **{f"c-{notice.pk}-scan": scan("chung-sinh.pdf")})
    staged = desk.post(URL, data)  # the scan is kept as soon as it arrives
    assert staged.status_code == 200
    assert StagedScan.objects.filter(form_token=TOKEN).count() == 1
    response = desk.post(URL, form(birth_case, action="confirm"))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:received", args=[dossier.code])
    assert dossier.status == Status.RECEIVED
    assert dossier.applicant.id_number == CARD_NUMBER
    row = dossier.components.get(component=notice)
    paper = DigitisedPaper.objects.get(applicant=dossier.applicant)
    assert row.paper == paper and row.file.name == paper.file.name
    assert paper.source == dossier and paper.name == "Giấy chứng sinh"
    assert row.file.read() == PDF
    assert not StagedScan.objects.exists()
    receipt = desk.get(response["Location"])
    assert dossier.code in receipt.content.decode()
    assert reverse("dossiers:form_pdf", args=[dossier.code, "01"]) in receipt.content.decode()


def test_reusing_a_digitised_paper_instead_of_a_new_scan(desk, birth_case):
    person = Applicant.objects.create(full_name="Lê Vĩnh Huỳnh", id_number=CARD_NUMBER)
    paper = paper_digitise(applicant=person, name="Giấy chứng sinh", upload=scan("cs.pdf"))
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    data = form(birth_case, action="confirm", **{f"c-{notice.pk}-reuse": str(paper.pk)})
    data.pop(f"c-{notice.pk}-handed")
    assert desk.post(URL, data).status_code == 302
    row = DossierComponent.objects.get(component=notice)
    assert row.reused and row.paper == paper and row.originals == 0


def test_double_click_on_confirm_makes_one_dossier(desk, birth_case):
    first = desk.post(URL, form(birth_case, action="confirm"))
    second = desk.post(URL, form(birth_case, action="confirm"))
    assert Dossier.objects.count() == 1
    assert FormClaim.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    followed = desk.get(second["Location"])
    assert "already confirmed" in followed.content.decode()


def test_one_time_keys_are_forgotten_once_no_session_can_send_their_form(
    desk, birth_case, settings
):
    desk.post(URL, form(birth_case, action="confirm"))
    claim = FormClaim.objects.get()
    session_age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert claims_sweep(now=claim.created_at + session_age) == 0
    assert claims_sweep(now=claim.created_at + session_age + dt.timedelta(days=2)) == 1
    assert not FormClaim.objects.exists() and Dossier.objects.count() == 1


def test_missing_mandatory_paper_explains_and_keeps_typing_and_scans(desk, birth_case):
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    declaration = birth_case.components.get(name_vi="Tờ khai đăng ký khai sinh")
    data = form(birth_case, **{f"c-{declaration.pk}-scan": scan("to-khai.pdf")})
    data.pop(f"c-{notice.pk}-handed")
    response = desk.post(URL, {**data, "action": "confirm"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Papers still missing: Medical birth notice" in page
    assert "guide sheet" in page
    assert 'value="Lê Vĩnh Huỳnh"' in page
    assert "to-khai.pdf" in page  # the scan attached is still there
    assert not Dossier.objects.exists()
    # Tick the missing paper: the scan kept from before goes in with it.
    assert desk.post(URL, form(birth_case, action="confirm")).status_code == 302
    assert Dossier.objects.get().components.get(component=declaration).file


def test_oversized_scan_is_refused_with_the_limit_and_nothing_is_lost(desk, birth_case, settings):
    settings.MAX_UPLOAD_MB = 1
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    big = scan("big.pdf", PDF + b"0" * (1024 * 1024 + 10))
    response = desk.post(URL, form(birth_case, action="confirm", **{f"c-{notice.pk}-scan": big}))
    page = response.content.decode()
    assert response.status_code == 422
    assert "the limit is 1 MB" in page
    assert 'value="Lê Vĩnh Huỳnh"' in page
    assert not StagedScan.objects.exists() and not Dossier.objects.exists()


def test_fake_typed_scan_is_refused_by_its_content(desk, birth_case):
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    fake = scan("giay-chung-sinh.pdf", b"MZ\x90\x00 not a pdf at all")
    response = desk.post(
        URL,
        form(birth_case, **{f"c-{notice.pk}-scan": fake}),
        headers={"HX-Request": "true", "HX-Target": f"line-{notice.pk}"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="line-{notice.pk}"')
    assert "is not a PDF, JPEG or PNG scan" in page
    assert not StagedScan.objects.exists()


def test_a_good_scan_replaces_the_earlier_one_and_can_be_removed(desk, birth_case, desk_officer):
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    key = f"c-{notice.pk}"
    desk.post(URL, form(birth_case, **{f"{key}-scan": scan("a.pdf")}))
    desk.post(URL, form(birth_case, **{f"{key}-scan": scan("b.png", PNG, "image/png")}))
    staged = StagedScan.objects.get()
    assert staged.name == "b.png" and staged.content_type == "image/png"
    assert desk.get(reverse("desk:staged_scan", args=[staged.pk])).status_code == 200
    desk.post(URL, form(birth_case, drop=key))
    assert not StagedScan.objects.exists()


def test_staged_scan_is_only_for_the_officer_who_attached_it(client, desk, birth_case, manager):
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    desk.post(URL, form(birth_case, **{f"c-{notice.pk}-scan": scan()}))
    staged = StagedScan.objects.get()
    client.force_login(manager)
    assert client.get(reverse("desk:staged_scan", args=[staged.pk])).status_code == 404


def test_receipt_framed_on_the_received_page(client, desk, birth_case, outsider):
    desk.post(URL, form(birth_case, action="confirm"))
    dossier = Dossier.objects.get()
    url = reverse("desk:receipt_pdf", args=[dossier.code])
    response = desk.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the received page frames it
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_digitised_paper_opens_for_desk_staff_only(client, desk, birth_case, outsider, specialist):
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    desk.post(URL, form(birth_case, **{f"c-{notice.pk}-scan": scan()}))
    desk.post(URL, form(birth_case, action="confirm"))
    paper = DigitisedPaper.objects.get()
    url = reverse("desk:paper", args=[paper.pk])
    response = desk.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    # Another center's desk finds the applicant by id number and may reuse it.
    client.force_login(outsider)
    assert client.get(url).status_code == 200
    client.force_login(specialist)
    assert client.get(url).status_code == 403


def test_a_scan_staged_twice_at_once_keeps_one_and_leaves_no_stray_file(desk_officer, monkeypatch):
    first = services.scan_stage(user=desk_officer, token=TOKEN, target="c-1", upload=scan())
    # The second request looked for an earlier scan before the first one was saved.
    monkeypatch.setattr(services, "scan_discard", lambda **_kwargs: None)
    storage = first.file.storage
    folder = first.file.name.rsplit("/", 1)[0]
    before = set(storage.listdir(folder)[1])

    again = services.scan_stage(user=desk_officer, token=TOKEN, target="c-1", upload=scan())

    assert again.pk == first.pk
    assert StagedScan.objects.filter(form_token=TOKEN, target="c-1").count() == 1
    assert set(storage.listdir(folder)[1]) == before
