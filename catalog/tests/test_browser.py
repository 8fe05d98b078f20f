"""Paging through search results in Chromium, with htmx and without JavaScript."""

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from catalog.io import catalog_import
from catalog.search import PAGE_SIZE
from catalog.tests.conftest import SAMPLE
from catalog.tests.test_search_page import add_badges

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_next_page_swaps_the_results_in_place_and_keeps_the_address(page) -> None:
    catalog_import(path=SAMPLE)
    add_badges(PAGE_SIZE + 5)
    page.goto(page.base_url + "/procedures/?q=phu+hieu")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(PAGE_SIZE)
    page.evaluate("window.sameDocument = true")

    page.get_by_role("link", name="Trang sau").click()
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("9.000020")
    assert page.evaluate("window.sameDocument === true"), "htmx should not reload the page"
    assert parse_qs(urlparse(page.url).query) == {"q": ["phu hieu"], "page": ["2"]}

    page.get_by_role("link", name="Trang trước").click()
    expect(rows).to_have_count(PAGE_SIZE)
    # A new search starts again at its first page.
    page.locator("#q").fill("phu hieu so 17")
    expect(page.get_by_test_id("result-count")).to_have_text("1 thủ tục")
    assert "page" not in parse_qs(urlparse(page.url).query)


def test_next_page_without_javascript(page) -> None:
    catalog_import(path=SAMPLE)
    add_badges(PAGE_SIZE + 5)
    context = page.context.browser.new_context(locale="vi-VN", java_script_enabled=False)
    plain = context.new_page()
    plain.goto(page.base_url + "/procedures/?q=phu+hieu")
    plain.get_by_role("link", name="Trang sau").click()
    rows = plain.locator("#results tbody tr")
    expect(rows).to_have_count(5)
    expect(plain.get_by_text("Trang 2/2")).to_be_visible()
    context.close()
