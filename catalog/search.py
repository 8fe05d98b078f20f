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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils.translation import get_language

from catalog.models import Field, OnlineLevel, ProcedureQuerySet
from core.models import in_language

PAGE_SIZE = 20
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


def result_page(
    procedures: ProcedureQuerySet, *, words: bool, number: str | None, keep: dict[str, str]
) -> ResultPage:
    """Page ``number`` of ``procedures`` by field then code; past the end, the last page.

    ``words`` says the search has words (see the module's note); ``keep``
    holds the search's parameters, repeated in the links to other pages.
    """
    listing = procedures.order_by("field__name_vi", "code")
    wanted = _page_number(number)
    found: list[Sequence[Any]] = []
    if words:
        counted = listing.annotate(total=Window(Count("pk"))).values_list(*_COLUMNS, "total")
        found = list(_slice(counted, wanted))
    if found:
        count = int(found[0][-1])
    elif words and wanted == 1:
        count = 0  # the scan found nothing at all: no second scan to count it
    else:
        # Browsing, or a search asked for a page past its end.
        count = listing.count()
        wanted = min(wanted, _last_page(count))
        found = list(_slice(listing.values_list(*_COLUMNS), wanted)) if count else []
    labels = {value: str(label) for value, label in OnlineLevel.choices}
    english = (get_language() or "vi").startswith("en")
    # A procedure's page is the list's address and the code, which needs no
    # quoting (d.dddddd or MC.nnnn): one reverse() for the page, not one a row.
    prefix = reverse("catalog:list")
    return ResultPage(
        rows=[_row(values, prefix, labels, english) for values in found],
        count=count,
        number=wanted,
        link=urlencode({key: value for key, value in keep.items() if value}),
    )


def field_choices() -> list[tuple[str, str]]:
    """Every field as (code, name in the page's language), for the search form."""
    return [
        (code, in_language(name_vi, name_en))
        for code, name_vi, name_en in Field.objects.values_list("code", "name_vi", "name_en")
    ]


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
