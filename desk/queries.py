"""What the desk looks up: dossiers by what people say at the counter, and today's lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from catalog.text import fold
from desk.models import ApplicantName
from dossiers.models import Dossier, Status

SEARCH_LIMIT = 20
LIST_LIMIT = 25
QUERY_MAX = 100
_SEPARATORS = re.compile(r"[\s.\-]")


def _rows(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    related = ("applicant", "procedure_version", "case", "competent_unit")
    return queryset.select_related(*related).only(
        "code",
        "status",
        "channel",
        "created_at",
        "submitted_at",
        "received_at",
        "due_at",
        "paused_at",
        "finished_at",
        "authorised_name",
        "applicant__full_name",
        "applicant__id_number",
        "applicant__phone",
        "procedure_version__name_vi",
        "procedure_version__name_en",
        "case__name_vi",
        "case__name_en",
        "competent_unit__name_vi",
        "competent_unit__name_en",
    )


def search_dossiers(unit_ids: Iterable[Any], query: str) -> list[Dossier]:
    """Dossiers of these desks matching a code, a name (accents optional), an id or a phone."""
    query = query.strip()[:QUERY_MAX]
    words = fold(query).split()
    if not words:
        return []
    digits = _SEPARATORS.sub("", query)
    condition = Q(code__icontains=query)
    if digits.isdigit() and len(digits) >= 4:
        condition |= (
            Q(applicant__id_number__startswith=digits)
            | Q(applicant__phone__contains=digits)
            | Q(authorised_id_number__startswith=digits)
            | Q(authorised_phone__contains=digits)
        )
    if not digits.isdigit():
        names = ApplicantName.objects.all()
        for word in words:
            names = names.filter(folded__contains=word)
        condition |= Q(applicant_id__in=names.values("applicant_id"))
    found = Dossier.objects.filter(condition, receiving_unit_id__in=list(unit_ids))
    return list(_rows(found).order_by("-created_at")[:SEARCH_LIMIT])


# The lists of a desk's day, each with the moment that orders it (oldest first).
WORKLISTS: list[tuple[str, str]] = [
    (Status.SUBMITTED, "submitted_at"),
    # Received and not yet sent to the agency: the desk sends them in batches.
    (Status.RECEIVED, "received_at"),
    (Status.RESOLVED, "finished_at"),
    (Status.SUPPLEMENT_REQUESTED, "paused_at"),
]


@dataclass(frozen=True)
class Worklist:
    status: str
    total: int
    rows: list[Dossier]


def worklists(unit_ids: Iterable[Any]) -> list[Worklist]:
    """Online filings to accept, dossiers to send to their agencies, results to hand over,
    dossiers waiting for papers."""
    ids = list(unit_ids)
    mine = Dossier.objects.filter(receiving_unit_id__in=ids)
    counts = dict(
        mine.filter(status__in=[status for status, _order in WORKLISTS])
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    lists = []
    for status, order in WORKLISTS:
        total = counts.get(status, 0)
        rows = list(_rows(mine.filter(status=status)).order_by(order)[:LIST_LIMIT]) if total else []
        lists.append(Worklist(status=status, total=total, rows=rows))
    return lists
