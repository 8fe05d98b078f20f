"""The public pages as a person sees them in Chromium."""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOG = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "catalog.json"


def test_home_in_vietnamese_then_english_then_search(page, ward_center: Unit) -> None:
    call_command("catalog_import", str(CATALOG), no_progress=True, verbosity=0)

    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Trung tâm phục vụ hành chính công"
    assert page.get_by_text("Trung tâm PVHCC phường Một").is_visible()

    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Public administration service centers"
    )

    page.get_by_role("link", name="Procedures").click()
    count = page.get_by_test_id("result-count")
    everything = count.inner_text()
    page.locator("#q").fill("cap lai can cuoc")
    # htmx swaps the results in as the person types, without a page load.
    expect(count).not_to_have_text(everything)
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "identity card" in text.lower()
    # The address keeps the search, so it can be bookmarked or shared.
    assert parse_qs(urlparse(page.url).query)["q"] == ["cap lai can cuoc"]
