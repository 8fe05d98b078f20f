"""The counters as the event log says they should be: rebuild them, or check them.

Each dossier's events are replayed in the order the services appended them
(by moment, then sequence number) through the same :class:`~reports.counters.Book`
the live counting uses. The due moment after a resumption is not written in
the log, so it is worked out again exactly as ``dossiers.services.due_moment``
does, with the unit's working-day calendar as it is today: if an
administrator later changes days off that a paused dossier spanned, the
rebuild follows the new calendar and ``reports_verify`` shows the difference.

One receiving unit is replayed at a time, so memory holds one unit's rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q

from catalog.models import Case
from deadlines.calendar import calendar_for_unit
from deadlines.engine import WorkCalendar, due_with_pauses
from dossiers.models import Dossier, DossierComponent, DossierEvent
from reports.counters import _PAUSES, _RESUMES, _SILENT, Book, Key
from reports.models import MEASURES, Tally
from units.models import Unit

Rows = dict[Key, dict[str, int]]


@dataclass(frozen=True)
class Ev:
    """An event as the replay needs it."""

    action: str
    at: dt.datetime
    seq: int
    from_status: str
    actor_id: uuid.UUID | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Life:
    """A dossier's fixed facts and its events, oldest first."""

    id: uuid.UUID
    unit_id: uuid.UUID
    version_id: uuid.UUID
    channel: str
    assignee_id: uuid.UUID | None
    time_value: Decimal
    time_unit: str
    papers: tuple[int, int, int, bool] = (0, 0, 0, False)
    events: Sequence[Ev] = field(default_factory=tuple)


def due_moment_of(
    events: Sequence[Ev], received_at: dt.datetime, life: Life, calendar: WorkCalendar
) -> dt.datetime:
    """``dossiers.services.due_moment`` over the events appended so far."""
    closed: list[tuple[dt.datetime, dt.datetime]] = []
    opened: dt.datetime | None = None
    extension: Ev | None = None
    for event in events:
        if event.action in _PAUSES and opened is None:
            opened = event.at
        elif event.action in _RESUMES and opened is not None:
            closed.append((opened, event.at))
            opened = None
        elif event.action == "extend" and (
            extension is None or (event.at, event.seq) >= (extension.at, extension.seq)
        ):
            extension = event
    if extension is None:
        return due_with_pauses(received_at, life.time_value, life.time_unit, calendar, closed)
    new_due = dt.datetime.fromisoformat(extension.data["new_due"])
    later = [(a, b) for a, b in closed if a >= extension.at]
    paused = sum(calendar.working_minutes_between(a, b) for a, b in later)
    return calendar.add_working_minutes(new_due, paused) if paused else new_due


def replay(life: Life, calendar: WorkCalendar, book: Book | None = None) -> Book:
    """Book a dossier's whole life, event by event, as ``count_event`` did live."""
    book = book or Book(life.unit_id, life.version_id)
    book.version_id = life.version_id
    due: dt.datetime | None = None
    received_at: dt.datetime | None = None
    pause_start: dt.datetime | None = None
    for index, event in enumerate(life.events):
        action, at = event.action, event.at
        if action == "submit":
            book.submitted(at)
        elif action == "refuse":
            book.refused(at)
        elif action == "receive":
            received_at = at
            due = dt.datetime.fromisoformat(event.data["due_at"])
            book.received(at, life.channel, due, event.actor_id)
            book.reception_papers(at, *life.papers)
        elif due is None or received_at is None:
            continue  # nothing else counts before reception
        elif action in _PAUSES:
            book.paused(at, due)
            pause_start = at
        elif action in _RESUMES and pause_start is not None:
            new_due = due_moment_of(life.events[: index + 1], received_at, life, calendar)
            book.resumed(at, pause_start, due, new_due)
            due, pause_start = new_due, None
        elif action == "extend":
            new_due = dt.datetime.fromisoformat(event.data["new_due"])
            book.extended(at, due, new_due, pause_start)
            due = new_due
        elif action == "stop":
            book.stopped(at, due, pause_start)
        elif action == "withdraw":
            book.withdrawn(at, due, pause_start)
        elif action == "resolve":
            book.resolved(at, due, life.assignee_id or event.actor_id)
        elif action == "return":
            book.returned(at, event.data["channel"], event.actor_id)
    return book


def _papers(dossier_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int, int, bool]]:
    digitised = Q(reused=True) | ~Q(file="")
    rows = (
        DossierComponent.objects.filter(dossier_id__in=dossier_ids, supplement=False)
        .values("dossier_id")
        .annotate(
            n=Count("id"),
            digitised=Count("id", filter=digitised),
            reused=Count("id", filter=Q(reused=True)),
        )
    )
    return {
        r["dossier_id"]: (
            r["n"],
            r["digitised"],
            r["reused"],
            r["n"] > 0 and r["n"] == r["digitised"],
        )
        for r in rows
    }


CHUNK = 2000


def lives_of(unit: Unit) -> Iterator[Life]:
    """Every dossier received at ``unit`` with its counted events, in chunks."""
    cases = {
        c["id"]: (c["time_value"], c["time_unit"])
        for c in Case.objects.filter(dossiers__receiving_unit=unit)
        .distinct()
        .values("id", "time_value", "time_unit")
    }
    dossiers = (
        Dossier.objects.filter(receiving_unit=unit)
        .exclude(status="draft")
        .order_by("id")
        .values_list("id", "procedure_version_id", "channel", "assignee_id", "case_id")
    )
    batch: list[tuple[Any, ...]] = []
    for row in dossiers.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from lives_for(unit, batch, cases)
            batch = []
    if batch:
        yield from lives_for(unit, batch, cases)


def lives_for(
    unit: Unit, batch: list[tuple[Any, ...]], cases: dict[Any, tuple[Decimal, str]]
) -> Iterator[Life]:
    ids = [row[0] for row in batch]
    events: dict[uuid.UUID, list[Ev]] = {i: [] for i in ids}
    rows = (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .exclude(action__in=_SILENT)
        .order_by("dossier_id", "at", "seq")
        .values_list("dossier_id", "action", "at", "seq", "from_status", "actor_id", "data")
    )
    for dossier_id, action, at, seq, from_status, actor_id, data in rows:
        events[dossier_id].append(Ev(action, at, seq, from_status, actor_id, data or {}))
    papers = _papers(ids)
    for dossier_id, version_id, channel, assignee_id, case_id in batch:
        time_value, time_unit = cases[case_id]
        yield Life(
            id=dossier_id,
            unit_id=unit.pk,
            version_id=version_id,
            channel=channel,
            assignee_id=assignee_id,
            time_value=time_value,
            time_unit=time_unit,
            papers=papers.get(dossier_id, (0, 0, 0, False)),
            events=events[dossier_id],
        )


def expected_rows(unit: Unit) -> Rows:
    """The counter rows of ``unit`` the event log implies."""
    calendar = calendar_for_unit(unit)
    book = Book(unit.pk, unit.pk)
    for life in lives_of(unit):
        replay(life, calendar, book)
    return book.nonzero()


def stored_rows(unit_id: uuid.UUID) -> Rows:
    rows: Rows = {}
    values = Tally.objects.filter(unit_id=unit_id).values_list(
        "grain", "day", "unit_id", "version_id", "tag", *MEASURES
    )
    for grain, day, unit, version, tag, *counts in values:
        kept = {m: n for m, n in zip(MEASURES, counts, strict=True) if n}
        if kept:
            rows[(grain, day, unit, version, tag)] = kept
    return rows


def _units() -> list[Unit]:
    """Units that received dossiers, or that still have counters."""
    with_dossiers = set(Dossier.objects.values_list("receiving_unit_id", flat=True).distinct())
    with_tallies = set(Tally.objects.values_list("unit_id", flat=True).distinct())
    return list(Unit.objects.filter(pk__in=with_dossiers | with_tallies).order_by("code"))


def _lock(mode: str) -> None:
    """Hold writers off the counters until the transaction ends.

    A service that appends an event in the meantime waits at its upsert and
    commits after us, so the log we read and the counters we write agree.
    SQLite's immediate transactions already hold the one write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE reports_tally IN {mode} MODE")


@dataclass
class RebuildResult:
    units: int = 0
    rows: int = 0


def tallies_rebuild(*, batch_size: int = 5000) -> RebuildResult:
    """Replace every counter with what the event log implies."""
    result = RebuildResult()
    with transaction.atomic():
        _lock("EXCLUSIVE")
        units = _units()
        Tally.objects.all().delete()
        for unit in units:
            rows = expected_rows(unit)
            Tally.objects.bulk_create(
                (
                    Tally(grain=g, day=d, unit_id=u, version_id=v, tag=t, **kept)
                    for (g, d, u, v, t), kept in rows.items()
                ),
                batch_size=batch_size,
            )
            result.units += 1
            result.rows += len(rows)
    return result


@dataclass
class Mismatch:
    key: Key
    stored: dict[str, int]
    expected: dict[str, int]


@dataclass
class VerifyResult:
    units: int = 0
    rows: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def tallies_verify() -> VerifyResult:
    """Compare every stored counter with the event log; nothing is changed."""
    result = VerifyResult()
    with transaction.atomic():
        _lock("SHARE")
        for unit in _units():
            expected = expected_rows(unit)
            stored = stored_rows(unit.pk)
            for key in sorted(expected.keys() | stored.keys(), key=str):
                if expected.get(key, {}) != stored.get(key, {}):
                    result.mismatches.append(
                        Mismatch(key, stored.get(key, {}), expected.get(key, {}))
                    )
            result.units += 1
            result.rows += len(expected)
    return result
