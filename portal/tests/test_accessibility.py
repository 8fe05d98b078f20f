"""The citizen's pages pass axe-core with no serious or critical violation, on a phone."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from dossiers.models import Dossier
from portal.services import draft_paper_upload, filing_submit
from portal.tests.conftest import SOME_PROCEDURES, import_procedures, make_citizen, pdf
from units.models import Level, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "portal"
GRAVE = ("serious", "critical")


def sign_in(page, user) -> None:
    """Give the browser the session of a citizen already signed in."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


def grave_violations(page, name: str, *, keep_shot: bool = True) -> list[str]:
    """Run axe on the page as it stands; describe each serious or critical violation."""
    if keep_shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"a11y-{name}.png"), full_page=True)
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run()")
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in GRAVE:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        found.append(
            f"{name}: [{violation['impact']}] {violation['id']}: {violation['help']} at {targets}"
        )
    return found


def test_citizen_pages_have_no_serious_violations(page, ward, ward_center, province) -> None:
    import_procedures(*SOME_PROCEDURES)
    Unit.objects.create(
        code="000.01.02.H99",
        name_vi="Công an phường Một",
        kind=UnitKind.POLICE,
        level=Level.WARD,
        parent=ward,
        province=province,
    )
    resident = make_citizen("0905123456", id_number="054089001234", ward=ward)
    page.set_viewport_size({"width": 360, "height": 740})
    base = page.base_url
    sign_in(page, resident)
    found: list[str] = []

    page.goto(base + "/procedures/?q=khai+sinh")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    found += grave_violations(page, "search")

    page.goto(base + "/procedures/?q=cap+lai+can+cuoc")
    page.get_by_role("link", name="Cấp lại thẻ căn cước", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấp lại thẻ căn cước")
    found += grave_violations(page, "procedure")

    page.get_by_test_id("file-online").first.click()
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Thông tin của bạn")
    found += grave_violations(page, "filing-details")

    page.locator("#id_center").select_option(label="Trung tâm PVHCC phường Một")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Giấy tờ")
    found += grave_violations(page, "filing-papers")

    draft = Dossier.objects.get()
    for n, component in enumerate(draft.case.components.filter(mandatory=True)):
        draft_paper_upload(
            actor=resident, dossier=draft, component_id=component.pk, upload=pdf(extra=bytes([n]))
        )
    filed = filing_submit(actor=resident, dossier=draft, delivery="direct")

    page.context.clear_cookies()
    page.goto(base + "/tra-cuu/")
    found += grave_violations(page, "lookup-form")
    page.locator("#code").fill(filed.code)
    page.locator("#secret").fill(filed.lookup_secret)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    found += grave_violations(page, "lookup-result")

    assert not found, "\n".join(found)
    # The check itself can fail: an image with no text alternative is critical.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert any("image-alt" in line for line in grave_violations(page, "broken", keep_shot=False))
