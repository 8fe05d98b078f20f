"""The public procedure search: words without accents, pages of results, few queries."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.io import ImportReport, catalog_import
from catalog.models import Field, Procedure
from catalog.search import PAGE_SIZE, result_page
from catalog.tests.conftest import SAMPLE
from catalog.text import fold

pytestmark = pytest.mark.django_db

LIST = reverse("catalog:list")
HTMX = {"HX-Request": "true"}


def add_badges(count: int) -> None:
    """``count`` more procedures named "Cấp phù hiệu số N", codes 9.000000 onwards."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    model = data["procedures"][0]
    data["procedures"] = [
        {
            **model,
            "code": f"9.{n:06d}",
            "field": "XAY_DUNG",
            "name_vi": f"Cấp phù hiệu số {n}",
            "name_en": f"Badge number {n}",
            "online_level": "partial" if n % 2 else "none",
            "keywords": [],
        }
        for n in range(count)
    ]
    catalog_import(text=json.dumps(data, ensure_ascii=False))


def codes(body: str) -> list[str]:
    """The procedure codes of the result rows, in order."""
    return re.findall(r'<small class="muted">([^<]+)</small>', body)


def search(client: Client, **params: str | int) -> str:
    return client.get(LIST, params).content.decode()


def test_words_without_accents_find_the_current_name(
    client: Client, imported: ImportReport
) -> None:
    body = client.get(LIST, {"q": "cap lai can cuoc"}, headers={"accept-language": "vi"})
    text = body.content.decode()
    assert codes(text) == ["2.001234"]
    assert "Cấp lại thẻ căn cước" in text
    assert codes(search(client, q="CẤP LẠI  căn cước")) == ["2.001234"]
    assert codes(search(client, q="khai sinh giay phep")) == []


def test_rows_speak_the_page_language(client: Client, imported: ImportReport) -> None:
    english = search(client, q="khai sinh")
    assert "Birth registration" in english
    assert "Civil status" in english
    assert "Commune People&#x27;s Committee" in english
    assert "Fully online" in english
    assert f'href="{reverse("catalog:detail", args=["1.001193"])}"' in english
    vietnamese = Client(headers={"accept-language": "vi"}).get(LIST, {"q": "khai sinh"})
    assert "Đăng ký khai sinh" in vietnamese.content.decode()
    assert "Hộ tịch" in vietnamese.content.decode()


def test_only_the_current_version_of_a_published_procedure_is_searched(
    client: Client, imported: ImportReport
) -> None:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    birth = next(p for p in data["procedures"] if p["code"] == "1.001193")
    data["procedures"] = [{**birth, "name_vi": "Đăng ký khai sinh cho trẻ", "keywords": []}]
    catalog_import(text=json.dumps(data, ensure_ascii=False))
    assert Procedure.objects.get(code="1.001193").versions.count() == 2

    assert codes(search(client, q="cho tre")) == ["1.001193"]
    # The first version said "sinh con" in its keywords; the current one does not.
    assert codes(search(client, q="sinh con")) == []
    Procedure.objects.filter(code="1.001193").update(is_active=False)
    assert codes(search(client, q="cho tre")) == []


def test_results_come_in_pages_that_keep_the_search(client: Client, imported: ImportReport) -> None:
    add_badges(PAGE_SIZE + 5)
    first = search(client, q="phu hieu", online="none")
    assert "13 procedures" in first
    assert len(codes(first)) == 13

    first = search(client, q="phu hieu")
    assert "25 procedures" in first
    assert codes(first) == [f"9.{n:06d}" for n in range(PAGE_SIZE)]
    assert "Page 1 of 2" in first
    next_link = "?q=phu+hieu&amp;page=2"
    assert f'href="{next_link}" hx-get="{next_link}"' in first
    assert 'rel="prev"' not in first

    second = search(client, q="phu hieu", page=2)
    assert codes(second) == [f"9.{n:06d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert 'href="?q=phu+hieu&amp;page=1"' in second
    assert 'rel="next"' not in second
    # An old link past the end shows the last page; nonsense shows the first.
    assert codes(search(client, q="phu hieu", page=9)) == codes(second)
    assert codes(search(client, q="phu hieu", page=10**30)) == codes(second)
    assert codes(search(client, q="phu hieu", page="x")) == codes(first)
    assert codes(search(client, q="phu hieu", page=-1)) == codes(first)
    browsing = search(client, field="XAY_DUNG", page=10**30)
    assert "Page 2 of 2" in browsing


def test_filters_narrow_and_are_kept_in_page_links(client: Client, imported: ImportReport) -> None:
    add_badges(PAGE_SIZE * 2 + 2)
    body = search(client, field="XAY_DUNG", online="none")
    assert "21 procedures" in body
    assert "?field=XAY_DUNG&amp;online=none&amp;page=2" in body
    assert '<option value="XAY_DUNG" selected>' in body
    assert '<option value="none" selected>' in body
    assert codes(search(client, field="CAN_CUOC")) == ["2.001234"]
    # An unknown filing way is ignored rather than matching nothing.
    assert "46 procedures" in search(client, online="fax")


@pytest.mark.parametrize(
    ("query", "field", "online", "page", "some"),
    [
        ("phu hieu", "", "", "1", True),
        ("phu hieu", "", "", "3", True),
        ("PHÙ hiệu số 1", "XAY_DUNG", "partial", "1", True),
        ("so 1", "", "none", "2", True),
        ("hieu so", "CAN_CUOC", "", "1", False),
        # Characters that LIKE reads as wildcards are matched as themselves.
        ("so_1", "", "", "1", False),
        ("1%", "", "", "1", False),
        ("phu \\", "", "", "1", False),
        # A word looking like the statement's own stand-ins is a word.
        ("\x01word1\x01 phu", "", "", "1", False),
    ],
)
def test_a_shared_statement_finds_what_the_query_set_finds(
    imported: ImportReport, query: str, field: str, online: str, page: str, some: bool
) -> None:
    add_badges(PAGE_SIZE * 2 + 5)
    found = result_page(query, field_code=field, online=online, number=page)
    words = fold(query).split()
    listing = Procedure.objects.published().search_words(words).order_by("field__name_vi", "code")
    if field:
        listing = listing.filter(field__code=field)
    if online:
        listing = listing.filter(current_version__online_level=online)
    codes = list(listing.values_list("code", flat=True))
    start = (found.number - 1) * PAGE_SIZE
    assert found.count == len(codes)
    assert [row.code for row in found.rows] == codes[start : start + PAGE_SIZE]
    assert bool(codes) is some


def test_the_htmx_answer_is_the_results_alone(client: Client, imported: ImportReport) -> None:
    body = client.get(LIST, {"q": "khai sinh"}, headers=HTMX).content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert codes(body) == ["1.001193"]
    # A history restore wants the whole page back.
    restore = client.get(
        LIST, {"q": "khai sinh"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_nothing_found_says_how_to_search_better(client: Client, imported: ImportReport) -> None:
    body = search(client, q="khong co thu tuc nay")
    assert "0 procedures" in body
    assert "Try fewer words, or words without accents." in body


@pytest.mark.parametrize("size", [3, 60])
def test_the_search_page_costs_the_same_queries_however_many_match(
    client: Client, imported: ImportReport, django_assert_num_queries, size: int
) -> None:
    add_badges(size)
    # The page of rows with the number of matches, and the fields of the form.
    with django_assert_num_queries(2):
        page = search(client, q="phu hieu")
    assert len(codes(page)) == min(size, PAGE_SIZE)
    last = (size - 1) // PAGE_SIZE + 1
    with django_assert_num_queries(1):
        client.get(LIST, {"q": "phu hieu", "page": last}, headers=HTMX)
    # Browsing without words counts apart: the count and the page; the
    # fields of the form are kept from the first page.
    with django_assert_num_queries(2):
        search(client, field="XAY_DUNG")


def test_the_form_lists_a_renamed_field_at_once(client: Client, imported: ImportReport) -> None:
    assert '<option value="XAY_DUNG" >' in search(client, q="phu hieu")
    field = Field.objects.get(code="XAY_DUNG")
    field.name_en = "Planning and construction"
    field.save()
    assert '<option value="XAY_DUNG" >Planning and construction</option>' in search(client)
    Field.objects.create(code="MOI", name_vi="Lĩnh vực mới", name_en="New field")
    assert '<option value="MOI" >New field</option>' in search(client)
