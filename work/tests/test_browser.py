"""The back office in a browser: a result proposed with its PDF, approved, seen by the desk."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from dossiers import services as s
from dossiers.models import DigitisedPaper, Dossier, Status
from work.tests.conftest import PDF, intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "work"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str, then: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(f"**{then}")


def test_specialist_proposes_approver_approves_desk_sees_it_ready(
    page,
    tmp_path,
    desk_officer,
    ward_center,
    stepped_case,
    justice,
    justice_specialist,
    justice_approver,
    police,
) -> None:
    now = timezone.now()
    late = intake(desk_officer, ward_center, stepped_case, now - dt.timedelta(days=20))
    s.dossier_route(actor=desk_officer, dossier=late)
    soon = intake(
        desk_officer,
        ward_center,
        stepped_case,
        now - dt.timedelta(days=1),
        id_number="054189002222",
        full_name="Phạm Thị Hoa",
    )
    dossier = s.dossier_route(actor=desk_officer, dossier=soon)
    s.dossier_request_supplement(
        actor=justice_specialist,
        dossier=intake(
            desk_officer,
            ward_center,
            stepped_case,
            now - dt.timedelta(days=3),
            id_number="054189003333",
            full_name="Trần Văn Nam",
        ),
        items=["Bản sao CCCD"],
    )

    sign_in(page, "justice-specialist", "/work/")
    expect(page.get_by_test_id("queue-total")).to_have_text("3")
    rows = page.locator("table.wq-queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_class("wq-row-overdue")  # least time left first
    expect(rows.first.locator(".wq-timing")).to_contain_text("Quá hạn")  # a word, not only a colour
    shot(page, "01-queue")

    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_url(f"**/work/dossiers/{dossier.code}/")
    expect(page.locator("h2#h-steps")).to_be_visible()
    shot(page, "02-dossier")

    # Hand on to the review step, then propose the result with its PDF.
    page.locator("details[data-action=forward] summary").click()
    page.locator("details[data-action=forward] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    proposal = page.locator("details[data-action=propose]")
    proposal.locator("summary").click()
    proposal.locator("[name=number]").fill("215/QĐ-STP")
    proposal.locator("[name=signer]").fill("Trần Văn Ký")
    proposal.locator("[name=signed_on]").fill(timezone.localdate().isoformat())
    result = tmp_path / "ket-qua.pdf"
    result.write_bytes(PDF)
    proposal.locator("[name=document]").set_input_files(str(result))
    shot(page, "03-propose-filled")
    proposal.locator("button[type=submit]").click()
    expect(page.locator("#h-result")).to_be_visible()
    expect(page.locator(".wq-result")).to_contain_text("215/QĐ-STP")
    shot(page, "04-proposed")
    assert Dossier.objects.get(pk=dossier.pk).result_proposed_at is not None

    sign_in(page, "justice-approver", "/work/")
    page.locator("select[name=who]").select_option("approval")
    expect(page.locator("table.wq-queue tbody tr")).to_have_count(1)
    shot(page, "05-approver-queue")
    page.get_by_role("link", name=dossier.code).click()
    approval = page.locator("details[data-action=approve]")
    approval.locator("summary").click()
    # Cannot be undone: the first click without the box ticked only asks for it.
    approval.locator("button[type=submit]").click()
    expect(page.locator("details[data-action=approve] .wq-form-error")).to_be_visible()
    assert page.url.endswith(f"/work/dossiers/{dossier.code}/")  # a refresh re-sends nothing
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    page.locator("details[data-action=approve] input[name=confirm]").check()
    page.locator("details[data-action=approve] button[type=submit]").click()
    expect(page.get_by_test_id("dossier-status")).to_have_class("wq-status wq-status-resolved")
    shot(page, "06-approved")
    done = Dossier.objects.get(pk=dossier.pk)
    assert done.status == Status.RESOLVED and done.result_number == "215/QĐ-STP"
    assert DigitisedPaper.objects.filter(source=done, is_result=True).exists()

    sign_in(page, "desk", f"/work/dossiers/{dossier.code}/")
    expect(page.get_by_test_id("ready-at-desk")).to_be_visible()
    with page.expect_popup() as popup:
        page.locator(".wq-result a").click()
    assert popup.value.url.endswith(f"/work/dossiers/{dossier.code}/result/")
    shot(page, "07-desk-sees-result")
