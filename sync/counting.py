"""Counters for events that arrive from another node.

The node that wrote an event counted it live (``reports.counters.count_event``)
with the dossier as it was then. Where its copy arrives, the dossier's life
is replayed from the event log as ``reports_rebuild`` does, before and after
the new events, and the difference is booked: the receiving side's counters
end equal to the writer's, however the events were batched.

A dossier that is new on the receiving side has no "before", and its whole
life is in the batch that brings it (its row, its papers, every event so
far): its replay is built from the batch's records instead of being read
back from the database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from catalog.models import Case
from deadlines.calendar import calendar_for_unit
from deadlines.engine import WorkCalendar
from dossiers.models import Dossier
from reports.counters import _SILENT, Book
from reports.rebuild import Ev, Life, Rows, lives_for, replay
from units.models import Unit

Before = dict[uuid.UUID, Rows]


def _cases(case_ids: Iterable[Any]) -> dict[Any, tuple[Decimal, str]]:
    return {
        c["id"]: (c["time_value"], c["time_unit"])
        for c in Case.objects.filter(pk__in=set(case_ids)).values("id", "time_value", "time_unit")
    }


def _units(unit_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Unit]:
    return {u.pk: u for u in Unit.objects.filter(pk__in=list(unit_ids))}


def _booked(units: Mapping[uuid.UUID, Unit], lives: Iterable[Life]) -> Before:
    """The rows ``lives`` add up to, unit by unit (``units`` holds every unit they name)."""
    books: dict[uuid.UUID, tuple[Book, WorkCalendar]] = {}
    for life in lives:
        if life.unit_id not in books:
            books[life.unit_id] = (
                Book(life.unit_id, life.unit_id),
                calendar_for_unit(units[life.unit_id]),
            )
        book, calendar = books[life.unit_id]
        replay(life, calendar, book)
    return {unit_id: book.nonzero() for unit_id, (book, _) in books.items()}


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
    cases = _cases(r[4] for r in rows)
    units = _units(by_unit)
    return _booked(
        units, (life for pk, u in units.items() for life in lives_for(u, by_unit[pk], cases))
    )


def lives_before(dossier_ids: set[uuid.UUID]) -> Before:
    return _rows_by_unit(dossier_ids) if dossier_ids else {}


@lru_cache(maxsize=4096)
def _uuid_of(text: str) -> uuid.UUID:
    """Units, versions, cases and officers recur on every dossier of a batch."""
    return uuid.UUID(text)


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value in (None, "") else _uuid_of(str(value))


def lives_in_batch(
    dossiers: Iterable[dict[str, Any]],
    events: Iterable[dict[str, Any]],
    components: Iterable[dict[str, Any]],
) -> Iterator[Life]:
    """The lives of ``dossiers`` as the batch's snapshots tell them, as ``lives_for`` reads
    them from the database once the batch is applied: the same events, order and papers."""
    wanted = {str(d["id"]): d for d in dossiers if d["status"] != "draft"}
    told: dict[str, list[Ev]] = {pk: [] for pk in wanted}
    for e in events:
        mine = told.get(str(e["dossier_id"]))
        if mine is None or e["action"] in _SILENT:
            continue
        at = dt.datetime.fromisoformat(e["at"]) if isinstance(e["at"], str) else e["at"]
        mine.append(
            Ev(
                e["action"],
                at,
                int(e["seq"]),
                e["from_status"],
                _uuid(e["actor_id"]),
                e["data"] or {},
            )
        )
    papers: dict[str, list[int]] = {}
    for c in components:
        pk = str(c["dossier_id"])
        if pk not in wanted or c["supplement"]:
            continue
        counts = papers.setdefault(pk, [0, 0, 0])
        counts[0] += 1
        counts[1] += bool(c["reused"] or c["file"])
        counts[2] += bool(c["reused"])
    cases = _cases(d["case_id"] for d in wanted.values())
    for pk, d in wanted.items():
        time_value, time_unit = cases[_uuid(d["case_id"])]
        n, digitised, reused = papers.get(pk, (0, 0, 0))
        yield Life(
            id=uuid.UUID(pk),
            unit_id=_uuid_of(str(d["receiving_unit_id"])),
            version_id=_uuid_of(str(d["procedure_version_id"])),
            channel=d["channel"],
            assignee_id=_uuid(d["assignee_id"]),
            time_value=time_value,
            time_unit=time_unit,
            papers=(n, digitised, reused, n > 0 and n == digitised),
            events=sorted(told[pk], key=lambda ev: (ev.at, ev.seq)),
        )


def units_named(lives: Iterable[Life]) -> dict[uuid.UUID, Unit]:
    """The units ``lives`` are booked to, for :func:`book_difference`."""
    return _units({life.unit_id for life in lives})


def book_difference(
    before: Before,
    dossier_ids: set[uuid.UUID],
    arrived: Iterable[Life] = (),
    named: Mapping[uuid.UUID, Unit] | None = None,
) -> None:
    """Book what ``dossier_ids`` add up to now, less ``before``; ``arrived`` are the lives
    of dossiers new on this side, already built from their batch, and ``named`` their
    units when the caller read them already."""
    after = _rows_by_unit(dossier_ids) if dossier_ids else {}
    arrived = list(arrived)
    if named is None:
        named = units_named(arrived)
    for unit_id, rows in _booked(named, arrived).items():
        mine = after.setdefault(unit_id, {})
        for key, measures in rows.items():
            kept = mine.setdefault(key, {})
            for measure, n in measures.items():
                kept[measure] = kept.get(measure, 0) + n
    for unit_id in set(before) | set(after):
        book = Book(unit_id, unit_id)
        for key, measures in after.get(unit_id, {}).items():
            for measure, n in measures.items():
                book.add(key, measure, n)
        for key, measures in before.get(unit_id, {}).items():
            for measure, n in measures.items():
                book.add(key, measure, -n)
        book.write()
