"""One page of the public procedure search, read as plain values.

The search page is the busiest public page, and it answers again each time a
citizen pauses while typing. A page reads only the columns it shows, as
tuples rather than three model instances per row, and turns them here into
:class:`Row`: strings already in the page's language, so the template only
prints them.

A search with words matches few procedures, and finding them is a scan of
every version's search text; the page and the number of matches then come
from that one scan (a window count). Browsing without words counts first, a
cheap count of active procedures, and sorts only as far as the page: a window
count there would make the database sort the whole catalog.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils.translation import get_language

from catalog.models import Field, OnlineLevel, Procedure, ProcedureQuerySet
from catalog.text import fold, vietnamese_order
from core.models import in_language

PAGE_SIZE = 20
FIELDS_KEPT = 60  # seconds
_FIELDS_KEY = "catalog:fields"
# Far past any catalog's end, and far from overflowing the database's integers.
_LAST_PAGE_ASKED = 100_000

_COLUMNS = (
    "code",
    "current_version__name_vi",
    "current_version__name_en",
    "field__name_vi",
    "field__name_en",
    "current_version__agency_name_vi",
    "current_version__agency_name_en",
    "current_version__online_level",
)


@dataclass(frozen=True, slots=True)
class Row:
    code: str
    url: str
    name: str
    field: str
    agency: str
    online_level: str
    online_label: str


@dataclass(frozen=True)
class ResultPage:
    """Page ``number`` (from 1) of ``count`` matches; ``link`` is the search's query string."""

    rows: list[Row]
    count: int
    number: int
    link: str

    @property
    def num_pages(self) -> int:
        return _last_page(self.count)

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_link(self) -> str:
        return self._link_to(self.number - 1) if self.number > 1 else ""

    @property
    def next_link(self) -> str:
        return self._link_to(self.number + 1) if self.number < self.num_pages else ""

    def _link_to(self, number: int) -> str:
        return f"?{self.link}&page={number}" if self.link else f"?page={number}"


def result_page(query: str, *, field_code: str, online: str, number: str | None) -> ResultPage:
    """Page ``number`` (from 1) of the published procedures matching the search.

    ``query`` holds the words typed; ``field_code`` and ``online`` (a known
    :class:`OnlineLevel` value) narrow it when not empty. The order is by
    field then code; past the end comes the last page.
    """
    words = tuple(fold(query).split())
    wanted = _page_number(number)
    found: list[Sequence[Any]] = []
    if words:
        found = _matches(words, field_code, online, wanted)
    if found:
        count = int(found[0][-1])
    elif words and wanted == 1:
        count = 0  # the scan found nothing at all: no second scan to count it
    else:
        # Browsing, or a search asked for a page past its end.
        listing = _listing(words, field_code, online)
        count = listing.count()
        wanted = min(wanted, _last_page(count))
        found = list(_slice(listing.values_list(*_COLUMNS), wanted)) if count else []
    labels = {value: str(label) for value, label in OnlineLevel.choices}
    english = (get_language() or "vi").startswith("en")
    # A procedure's page is the list's address and the code, which needs no
    # quoting (d.dddddd or MC.nnnn): one reverse() for the page, not one a row.
    prefix = reverse("catalog:list")
    keep = {"q": query, "field": field_code, "online": online}
    return ResultPage(
        rows=[_row(values, prefix, labels, english) for values in found],
        count=count,
        number=wanted,
        link=urlencode({key: value for key, value in keep.items() if value}),
    )


def _listing(words: Sequence[str], field_code: str, online: str) -> ProcedureQuerySet:
    procedures = Procedure.objects.published().search_words(words)
    if field_code:
        procedures = procedures.filter(field__code=field_code)
    if online:
        procedures = procedures.filter(current_version__online_level=online)
    return procedures.order_by("field__name_vi", "code")


# Stand-ins for the search's values while its statement is written; none holds
# a character that LIKE patterns escape, and none is part of another.
_FIELD_SLOT = "\x01field\x01"
_ONLINE_SLOT = "\x01online\x01"
_WORD_SLOT = re.compile("\x01word([0-9]+)\x01")


def _word_slot(number: int) -> str:
    return f"\x01word{number}\x01"


def _matches(words: Sequence[str], field_code: str, online: str, page: int) -> list[Any]:
    """The rows of page ``page`` with the number of matches last, in one statement.

    Writing the statement (building the query set and compiling it) took as
    long as running it; searches with as many words, the same filters and
    the same page share one statement, written once a process.
    """
    sql, slots = _statement(len(words), bool(field_code), bool(online), page, connection.vendor)
    values = {_FIELD_SLOT: field_code, _ONLINE_SLOT: online}
    like = [connection.ops.prep_for_like_query(word) for word in words]
    params = [
        (values[slot] if slot in values else _WORD_SLOT.sub(lambda m: like[int(m[1])], slot))
        if isinstance(slot, str)
        else slot
        for slot in slots
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@lru_cache(maxsize=256)
def _statement(
    words: int, field: bool, online: bool, page: int, vendor: str
) -> tuple[str, tuple[Any, ...]]:
    """The SQL of :func:`_matches` and its parameters, with stand-ins for the values."""
    listing = _listing(
        [_word_slot(number) for number in range(words)],
        _FIELD_SLOT if field else "",
        _ONLINE_SLOT if online else "",
    )
    counted = listing.annotate(total=Window(Count("pk"))).values_list(*_COLUMNS, "total")
    return _slice(counted, page).query.sql_with_params()


def field_choices() -> list[tuple[str, str]]:
    """Every field as (code, name in the page's language), for the search form.

    Fields change a few times a year and the form is on every search page:
    the list is kept :data:`FIELDS_KEPT` seconds in the cache, and dropped
    from it when a field is saved or deleted (in the process that saved it;
    other processes see the change when their copy runs out).
    """
    fields = cache.get(_FIELDS_KEY)
    if fields is None:
        fields = list(Field.objects.values_list("code", "name_vi", "name_en"))
        cache.set(_FIELDS_KEY, fields, FIELDS_KEPT)
    shown = [(code, in_language(name_vi, name_en)) for code, name_vi, name_en in fields]
    return sorted(shown, key=lambda choice: vietnamese_order(choice[1]))


def forget_fields(**kwargs: Any) -> None:
    """Drop the kept field list; connected to a field's saving and deletion."""
    cache.delete(_FIELDS_KEY)


def _page_number(value: str | None) -> int:
    """The page asked for; anything but a positive whole number asks for the first."""
    try:
        return min(max(int(value or 1), 1), _LAST_PAGE_ASKED)
    except ValueError:
        return 1


def _last_page(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))


def _slice(rows: QuerySet[Any, Any], number: int) -> QuerySet[Any, Any]:
    start = (number - 1) * PAGE_SIZE
    return rows[start : start + PAGE_SIZE]


def _row(values: Sequence[Any], prefix: str, labels: dict[str, str], english: bool) -> Row:
    # The rule of core.models.in_language, with the page's language read once.
    code, name_vi, name_en, field_vi, field_en, agency_vi, agency_en, online = values[:8]
    return Row(
        code=code,
        url=f"{prefix}{code}/",
        name=name_en if english and name_en else name_vi,
        field=field_en if english and field_en else field_vi,
        agency=agency_en if english and agency_en else agency_vi,
        online_level=online,
        online_label=labels.get(online, online),
    )
