"""The citizen's journey on a phone, in Chromium: find, sign in, file with an upload, track."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import staff_user
from dossiers import services as s
from dossiers.models import Dossier, DossierComponent, Status
from notify.models import Message
from portal.models import Rating
from portal.tests.conftest import PDF, SOME_PROCEDURES, import_procedures, with_result_document
from portal.uploads import CHUNK_BYTES
from units.models import Level, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "portal"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_file_online_from_a_phone(
    page, ward, ward_center, province, desk_officer, tmp_path
) -> None:
    import_procedures(*SOME_PROCEDURES)
    # The ward's own police decide ID cards of the ward.
    police = Unit.objects.create(
        code="000.01.02.H99",
        name_vi="Công an phường Một",
        kind=UnitKind.POLICE,
        level=Level.WARD,
        parent=ward,
        province=province,
    )
    page.set_viewport_size({"width": 360, "height": 740})
    base = page.base_url

    page.goto(base + "/")
    shot(page, "01-home")
    page.locator("#home-q").fill("cap lai can cuoc")
    page.locator("#home-q").press("Enter")
    page.get_by_role("link", name="Cấp lại thẻ căn cước", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấp lại thẻ căn cước")
    shot(page, "02-procedure")

    page.get_by_test_id("file-online").first.click()
    # Not signed in: the code sign-in, then back here.
    page.get_by_label("Số điện thoại di động hoặc email").fill("0905 123 456")
    shot(page, "03-signin")
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    code = re.search(r"\b(\d{6})\b", Message.objects.get(to="0905123456").body).group(1)
    page.get_by_label("Mã").fill(code)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    # Step 1: the details, typed once.
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Thông tin của bạn")
    page.locator("#id_full_name").fill("Lê Vĩnh Huỳnh")
    page.locator("#id_id_number").fill("054089001234")
    page.locator("#id_birth_date").fill("1989-03-02")
    page.locator("#id_address").fill("12 Nguyễn Thái Học, Phường Một")
    page.locator("#id_center").select_option(label="Trung tâm PVHCC phường Một")
    shot(page, "04-details")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Giấy tờ")
    page.wait_for_load_state()
    draft = Dossier.objects.get()
    assert draft.status == Status.DRAFT

    # Step 2: the upload, in pieces. The second piece reaches the server but its answer is
    # lost; the page asks the server where it stands and goes on from there.
    sent = []  # the offset of every piece sent, in order

    def flaky(route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(int(parse_qs(urlparse(route.request.url).query)["offset"][0]))
        if len(sent) == 2:
            route.fetch()
            route.abort("connectionreset")
            return
        route.continue_()

    page.route("**/ca-nhan/tai-len/**", flaky)
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(PDF + bytes(CHUNK_BYTES * 2 + 1000))
    page.locator("input[type=file]").first.set_input_files(str(scan))
    expect(page.get_by_test_id("attached")).to_be_visible(timeout=15_000)
    # Resumed at the server's offset: neither from 0 nor the lost piece again.
    assert sent == [0, CHUNK_BYTES, 2 * CHUNK_BYTES]
    assert DossierComponent.objects.filter(dossier=draft).count() == 1
    assert DossierComponent.objects.get(dossier=draft).paper.size == scan.stat().st_size
    # A second scan (the back of the form) goes through at the first try.
    back = tmp_path / "to-khai-mat-sau.pdf"
    back.write_bytes(PDF + b"2")
    page.locator("input[type=file]").first.set_input_files(str(back))
    expect(page.get_by_test_id("attached").locator("li")).to_have_count(2, timeout=15_000)
    assert DossierComponent.objects.filter(dossier=draft).count() == 2
    assert sent == [0, CHUNK_BYTES, 2 * CHUNK_BYTES, 0]
    shot(page, "05-papers")

    page.get_by_role("link", name="Tiếp tục: kiểm tra và nộp").click()
    page.get_by_label("Tải kết quả điện tử").check()
    page.get_by_label("Tôi cam đoan").check()
    shot(page, "06-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    expect(page.get_by_test_id("code")).to_have_text(draft.code)
    expect(page.get_by_test_id("secret")).to_have_text(draft.lookup_secret)
    shot(page, "07-filed")

    page.get_by_role("link", name="Theo dõi hồ sơ này").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã nộp trực tuyến")
    shot(page, "08-track")

    # The desk finds a paper missing; the citizen sends it from the dossier page.
    received = s.dossier_receive(actor=desk_officer, dossier=draft)
    s.dossier_request_supplement(actor=desk_officer, dossier=received, items=["Ảnh chân dung"])
    page.reload()
    expect(page.locator("#asked-title")).to_be_visible()
    expect(page.locator(".checklist")).to_contain_text("Ảnh chân dung")
    portrait = tmp_path / "chan-dung.pdf"
    portrait.write_bytes(PDF + b"3")
    page.locator("#supp-file").set_input_files(str(portrait))
    page.locator("form[action$='/bo-sung/'] button[type=submit]").click()
    # Sent by the page's script in pieces, then the page comes back with the paper listed.
    expect(page.get_by_test_id("supplements")).to_contain_text("Ảnh chân dung")
    assert len(sent) == 5
    shot(page, "08b-supplement")

    # The desk accepts it, the police decide, the result goes back online; the citizen rates.
    officer = staff_user("cong-an", police, Role.SPECIALIST, Role.APPROVER)
    dossier = s.dossier_receive_supplement(
        actor=desk_officer, dossier=draft, papers=[s.PaperIn(name="Ảnh chân dung")]
    )
    dossier = s.dossier_route(actor=desk_officer, dossier=dossier)
    dossier = s.dossier_resolve(actor=officer, dossier=dossier, number="7/CA")
    s.dossier_return(actor=desk_officer, dossier=with_result_document(dossier), channel="online")
    page.reload()
    # Accepted at the desk, the paper sent online is still listed once.
    expect(page.get_by_test_id("supplements").locator("li")).to_have_count(1)
    page.locator(".rating-choices input").first.check()
    page.locator("section[aria-labelledby=rate-title] button[type=submit]").click()
    expect(page.locator("#rate-title")).to_have_count(0)
    assert Rating.objects.get().dossier == draft
    shot(page, "08c-rated")

    # Without an account, with the receipt's code and secret.
    page.context.clear_cookies()
    page.goto(base + "/tra-cuu/")
    page.locator("#code").fill(draft.code)
    page.locator("#secret").fill(draft.lookup_secret.lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã trả kết quả")
    shot(page, "09-lookup")
    # Nothing is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
