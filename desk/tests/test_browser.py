"""The desk in a real browser: a dossier received by keyboard and scans, a result handed over."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import segno
from django.conf import settings
from playwright.sync_api import expect
from pypdf import PdfReader

from desk.tests.conftest import BIRTH, CARD, PDF
from dossiers.documents import lookup_url
from dossiers.models import Action, Dossier, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "desk"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/?next=/desk/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url("**/desk/")


def outside_requests(page) -> list[str]:
    """Every request the page makes over the network to another host than the test server."""
    host = urlsplit(page.base_url).netloc

    def record(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != host:
            seen.append(request.url)

    seen: list[str] = []
    page.on("request", record)
    return seen


def test_receive_at_the_counter_then_return_a_result(
    page, desk_officer, birth_case, resolved_dossier, tmp_path
):
    outside = outside_requests(page)
    sign_in(page, "desk")
    shot(page, "01-workspace")
    page.keyboard.press("/")
    page.keyboard.type("huynh")
    expect(page.locator("#search-results")).to_contain_text(resolved_dossier.code)
    shot(page, "02-workspace-search")

    # Keyboard only: Alt+N opens a new dossier with the card field focused.
    page.keyboard.press("Alt+n")
    page.wait_for_url("**/desk/receive/")
    expect(page.locator("#qr")).to_be_focused()
    page.keyboard.insert_text(CARD)  # what a paste or a scanner delivers
    page.keyboard.press("Enter")
    expect(page.locator("#id_a-full_name")).to_have_value("Lê Vĩnh Huỳnh")
    expect(page.locator("#id_a-id_number")).to_have_value("054089001234")
    expect(page.locator("#id_a-birth_date")).to_have_value("02/03/1989")
    # Seen before: the desk knows the phone, so the procedure search is next.
    expect(page.locator(".known")).to_contain_text("Lê Vĩnh Huỳnh")
    expect(page.locator("#id_a-phone")).to_have_value("0905123456")
    expect(page.locator("#procedure_q")).to_be_focused()

    # The procedure by part of its name, with and without accents.
    page.keyboard.press("Alt+p")
    expect(page.locator("#procedure_q")).to_be_focused()
    page.keyboard.type("khai sinh")
    expect(page.locator(f"#procedure-results button[value='{BIRTH}']")).to_contain_text(
        "Đăng ký khai sinh"
    )
    page.fill("#procedure_q", "")
    page.keyboard.type("dang ky khai sinh")
    first = page.locator("#procedure-results button").first
    expect(first).to_have_attribute("value", BIRTH)
    page.keyboard.press("Enter")  # to the first procedure found
    expect(first).to_be_focused()
    page.keyboard.press("Enter")  # pick it
    expect(page.locator("#case-panel h3")).to_contain_text("Đăng ký khai sinh")
    page.locator("#case-panel input[name=case]").first.check()
    checklist = page.locator("#case-panel table")
    expect(checklist).to_contain_text("Giấy chứng sinh")

    # Tick what was handed over; attach a scan of the birth notice.
    for component in birth_case.components.filter(mandatory=True):
        page.check(f"#c-{component.pk}-handed")
    notice = birth_case.components.get(name_vi="Giấy chứng sinh")
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(PDF)
    page.set_input_files(f"input[name='c-{notice.pk}-scan']", str(scan))
    expect(page.locator(f"#line-{notice.pk}")).to_contain_text("giay-chung-sinh.pdf")
    due = page.get_by_test_id("due").inner_text()
    due_date = re.search(r"\d\d/\d\d/\d{4}", due).group(0)
    shot(page, "03-receive-filled")

    # A double click on confirm still makes one dossier.
    page.dblclick("button[value=confirm]")
    page.wait_for_url("**/received/")
    assert Dossier.objects.filter(case=birth_case).count() == 1
    dossier = Dossier.objects.get(case=birth_case)
    expect(page.get_by_test_id("code").first).to_have_text(dossier.code)
    shot(page, "04-received")
    assert dossier.components.get(component=notice).paper.source == dossier

    receipt = page.request.get(page.base_url + f"/dossiers/{dossier.code}/forms/01.pdf")
    assert receipt.ok
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages)
    assert dossier.code in text
    assert due_date in text

    # Return a result: the receipt's QR code scanned into the search field.
    page.keyboard.press("Alt+r")
    page.wait_for_url("**/desk/return/")
    expect(page.locator("#return-q")).to_be_focused()
    page.keyboard.insert_text(lookup_url(resolved_dossier))
    page.keyboard.press("Enter")
    expect(page.locator("button[accesskey=s]")).to_be_visible()
    page.fill("#id_collector_id_number", "079201009999")  # not the applicant's number
    page.click("button[accesskey=s]")
    expect(page.get_by_test_id("id-warning")).to_contain_text("054*******34")
    shot(page, "05-return-mismatch")
    page.fill("#id_collector_id_number", "054089001234")
    page.locator("input[name=originals]").first.check()
    page.keyboard.press("Alt+s")
    page.wait_for_url(re.compile(r".*returned=1$"))
    shot(page, "06-returned")
    resolved_dossier.refresh_from_db()
    assert resolved_dossier.status == Status.RETURNED
    assert resolved_dossier.events.get(action=Action.RETURN).data["originals_returned"]
    assert outside == []


def test_qr_read_from_a_photo_by_the_vendored_decoder(page, desk_officer, birth_case, tmp_path):
    outside = outside_requests(page)
    sign_in(page, "desk")
    page.goto(page.base_url + "/desk/receive/")
    photo = tmp_path / "card.png"
    segno.make_qr(CARD, error="m").save(str(photo), scale=6, border=4)
    page.set_input_files("input[data-qr-image]", str(photo))
    expect(page.locator("#id_a-full_name")).to_have_value("Lê Vĩnh Huỳnh")
    assert outside == []


def test_wrong_scan_and_english_pages_as_a_person_sees_them(page, desk_officer, birth_case):
    sign_in(page, "desk")
    page.goto(page.base_url + "/desk/receive/")
    page.fill("#id_a-full_name", "Nguyễn Đã Gõ")
    page.locator("#qr").fill("https://example.vn/not-a-card")
    page.locator("#qr").press("Enter")
    expect(page.locator("#qr-error")).to_be_visible()
    expect(page.locator("#id_a-full_name")).to_have_value("Nguyễn Đã Gõ")
    expect(page.locator("#qr")).to_have_value("https://example.vn/not-a-card")
    shot(page, "07-receive-wrong-scan")
    page.click(".lang-switch button[value=en]")
    page.goto(page.base_url + "/desk/")
    expect(page.locator("h1")).to_have_text("Front desk")
    shot(page, "08-workspace-en")
    page.goto(page.base_url + f"/desk/guide/{BIRTH}/")
    shot(page, "09-guide-sheet-en")
    # The QR code on the sheet decodes, in the browser, to the procedure's filing page.
    image = page.locator(".sheet-qr svg").screenshot()
    page.goto(page.base_url + "/desk/receive/")
    wasm = page.locator("[data-wasm]").first.get_attribute("data-wasm")
    decoded = page.evaluate(
        "([bytes, wasm]) => window.deskDecodeQr(new Blob([new Uint8Array(bytes)]), wasm)",
        [list(image), wasm],
    )
    assert decoded.endswith(f"/procedures/{BIRTH}/")
