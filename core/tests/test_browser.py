"""The public pages as a person sees them in Chromium."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

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
    assert page.get_by_role("heading", level=1).inner_text() == "Public administration service centers"

    page.get_by_role("link", name="Procedures").click()
    page.locator("#q").fill("cap lai can cuoc")
    # htmx replaces the results as the person types, without a page load.
    page.wait_for_function(
        "document.querySelector('#results') && document.querySelector('#results').innerText.includes('1.')"
        " && !document.querySelector('#results').innerText.includes('Marriage')"
    )
    results = page.locator("#results").inner_text()
    assert "identity card" in results.lower() or "căn cước" in results.lower()
    assert "cap lai can cuoc" in page.url.replace("+", " ")
