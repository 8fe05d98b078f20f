"""Counters for events that arrive from another node.

The node that wrote an event counted it live (``reports.counters.count_event``)
with the dossier as it was then. Where its copy arrives, the dossier's life
is replayed from the event log as ``reports_rebuild`` does, before and after
the new events, and the difference is booked: the receiving side's counters
end equal to the writer's, however the events were batched.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from catalog.models import Case
from deadlines.calendar import calendar_for_unit
from dossiers.models import Dossier
from reports.counters import Book
from reports.rebuild import Rows, lives_for, replay
from units.models import Unit

Before = dict[uuid.UUID, Rows]


def _rows_by_unit(dossier_ids: Iterable[uuid.UUID]) -> Before:
    rows = list(
        Dossier.objects.filter(pk__in=list(dossier_ids))
        .exclude(status="draft")
        .values_list(
            "id", "procedure_version_id", "channel", "assignee_id", "case_id", "receiving_unit_id"
        )
    )
    by_unit: dict[uuid.UUID, list[tuple[object, ...]]] = defaultdict(list)
    for row in rows:
        by_unit[row[5]].append(row[:5])
    cases = {
        c["id"]: (c["time_value"], c["time_unit"])
        for c in Case.objects.filter(pk__in={r[4] for r in rows}).values(
            "id", "time_value", "time_unit"
        )
    }
    result: Before = {}
    for unit in Unit.objects.filter(pk__in=list(by_unit)):
        calendar = calendar_for_unit(unit)
        book = Book(unit.pk, unit.pk)
        for life in lives_for(unit, by_unit[unit.pk], cases):
            replay(life, calendar, book)
        result[unit.pk] = book.nonzero()
    return result


def lives_before(dossier_ids: set[uuid.UUID]) -> Before:
    return _rows_by_unit(dossier_ids) if dossier_ids else {}


def book_difference(before: Before, dossier_ids: set[uuid.UUID]) -> None:
    if not dossier_ids:
        return
    after = _rows_by_unit(dossier_ids)
    for unit_id in set(before) | set(after):
        book = Book(unit_id, unit_id)
        for key, measures in after.get(unit_id, {}).items():
            for measure, n in measures.items():
                book.add(key, measure, n)
        for key, measures in before.get(unit_id, {}).items():
            for measure, n in measures.items():
                book.add(key, measure, -n)
        book.write()
