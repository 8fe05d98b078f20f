"""Per-day counters kept in step with the dossier event log.

``count_event`` runs inside the transaction of every event the dossier
services append, and turns it into one multi-row upsert of ``Tally`` rows;
``reports.rebuild`` turns a whole log into the same rows. Both go through
:class:`Book`, so the live counters and a rebuild agree by construction.

How a dossier is counted
------------------------
Everything is booked to the dossier's receiving unit and procedure version,
which never change, on the local (Asia/Ho_Chi_Minh) day of the event.

* Flows are counted on the day they happen: submitted online, not accepted,
  received (by submission channel), processed (resolved or withdrawn: early,
  on time or late), stopped, returned (by return channel), papers received.
* Stocks are changes: a dossier adds 1 to ``running`` on the day its clock
  starts running (reception, resumption) and takes it back on the day it
  stops (pause, result, stop, withdrawal). The dossiers in process at the end
  of day E are the sum of all ``running`` changes up to E.
* An open dossier is overdue at the end of day E when its due moment in force
  is before midnight, i.e. due on day E or earlier. So ``running_overdue``
  gets +1 on the later of the day the clock starts and the due day (a date
  that may lie in the future), and -1 on the later of the day it stops and
  the due day: the two cancel when the dossier finished before it fell due.
* A paused dossier's clock stands still, so its standing is fixed when the
  pause begins: overdue if the due moment had already passed by then.
  An extension granted during a pause re-judges it against the new date.

Every change is written to the day, month and year row at once, so a sum
over any period reads whole years and months where it can; and to the
unit's own rows (procedure version ``NIL``) as well as the procedure's, so
a report by unit reads one row per unit and bucket whatever the catalog's
size.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.db import connection

from deadlines.engine import VN_TZ, Outcome, WorkCalendar, classify

if TYPE_CHECKING:
    from dossiers.models import Dossier, DossierEvent

NIL = uuid.UUID(int=0)
# Only the time zone of this calendar matters for judging early / on time / late.
_JUDGE = WorkCalendar()

Key = tuple[str, dt.date, uuid.UUID, uuid.UUID, str]


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


def outcome(due: dt.datetime, finished: dt.datetime) -> str:
    """The column a result counts in, by the engine's rule: late by one minute is late."""
    judged = classify(due, _JUDGE, finished_at=finished)
    return {Outcome.EARLY: "done_early", Outcome.ON_TIME: "done_on_time"}.get(judged, "done_late")


class Book:
    """What some events of one dossier change in the counters, row by row."""

    def __init__(self, unit_id: uuid.UUID, version_id: uuid.UUID) -> None:
        self.unit_id = unit_id
        self.version_id = version_id
        self.rows: dict[Key, dict[str, int]] = {}
        # The six rows a day's change goes to, by day and procedure version: a replay
        # books many dossiers of a few days into one book.
        self._cubes: dict[tuple[dt.date, uuid.UUID], list[dict[str, int]]] = {}

    # -- rows ------------------------------------------------------------------------------

    def add(self, key: Key, measure: str, n: int = 1) -> None:
        row = self.rows.setdefault(key, {})
        row[measure] = row.get(measure, 0) + n

    def cube(self, day: dt.date, measure: str, n: int = 1) -> None:
        """Book on the day, its month and its year, for the procedure and for the unit."""
        rows = self._cubes.get((day, self.version_id))
        if rows is None:
            rows = self._cubes[day, self.version_id] = [
                self.rows.setdefault((grain, first, self.unit_id, version, ""), {})
                for grain, first in (
                    ("d", day),
                    ("m", day.replace(day=1)),
                    ("y", day.replace(month=1, day=1)),
                )
                for version in (self.version_id, NIL)
            ]
        for row in rows:
            row[measure] = row.get(measure, 0) + n

    def officer(self, at: dt.datetime, user_id: uuid.UUID | None, measure: str) -> None:
        if user_id is not None:
            self.add(("o", local_day(at), self.unit_id, NIL, user_id.hex), measure)

    # -- what happens to a dossier ---------------------------------------------------------

    def running_starts(self, at: dt.datetime, due: dt.datetime) -> None:
        day = local_day(at)
        self.cube(day, "running")
        self.cube(max(day, local_day(due)), "running_overdue")

    def running_stops(self, at: dt.datetime, due: dt.datetime) -> None:
        day = local_day(at)
        self.cube(day, "running", -1)
        self.cube(max(day, local_day(due)), "running_overdue", -1)

    def pause_starts(self, at: dt.datetime, overdue: bool) -> None:
        self.cube(local_day(at), "paused")
        if overdue:
            self.cube(local_day(at), "paused_overdue")

    def pause_ends(self, at: dt.datetime, overdue: bool) -> None:
        self.cube(local_day(at), "paused", -1)
        if overdue:
            self.cube(local_day(at), "paused_overdue", -1)

    def submitted(self, at: dt.datetime) -> None:
        self.cube(local_day(at), "submitted")

    def refused(self, at: dt.datetime) -> None:
        self.cube(local_day(at), "refused")

    def received(
        self, at: dt.datetime, channel: str, due: dt.datetime, actor_id: uuid.UUID | None
    ) -> None:
        measure = f"received_{channel}"
        self.cube(local_day(at), measure)
        local = at.astimezone(VN_TZ)
        self.add(("h", local.date(), self.unit_id, NIL, f"{local.hour:02d}"), measure)
        self.officer(at, actor_id, measure)
        self.running_starts(at, due)

    def reception_papers(
        self, at: dt.datetime, papers: int, digitised: int, reused: int, whole: bool
    ) -> None:
        day = local_day(at)
        for measure, n in (
            ("papers", papers),
            ("papers_digitised", digitised),
            ("papers_reused", reused),
            ("dossiers_digitised", int(whole)),
        ):
            if n:
                self.cube(day, measure, n)

    def paused(self, at: dt.datetime, due: dt.datetime) -> None:
        self.running_stops(at, due)
        self.pause_starts(at, overdue=at > due)

    def resumed(
        self, at: dt.datetime, pause_start: dt.datetime, old_due: dt.datetime, new_due: dt.datetime
    ) -> None:
        self.pause_ends(at, overdue=pause_start > old_due)
        self.running_starts(at, new_due)

    def extended(
        self,
        at: dt.datetime,
        old_due: dt.datetime,
        new_due: dt.datetime,
        pause_start: dt.datetime | None,
    ) -> None:
        if pause_start is None:
            self.running_stops(at, old_due)
            self.running_starts(at, new_due)
        else:
            self.pause_ends(at, overdue=pause_start > old_due)
            self.pause_starts(at, overdue=pause_start > new_due)

    def _ends(
        self, at: dt.datetime, due: dt.datetime, pause_start: dt.datetime | None
    ) -> dt.datetime:
        """Close the running or paused stock; the moment the dossier is judged at."""
        if pause_start is None:
            self.running_stops(at, due)
            return at
        self.pause_ends(at, overdue=pause_start > due)
        return pause_start

    def stopped(self, at: dt.datetime, due: dt.datetime, pause_start: dt.datetime | None) -> None:
        judged = self._ends(at, due, pause_start)
        self.cube(local_day(at), "stopped_overdue" if judged > due else "stopped_on_time")

    def withdrawn(self, at: dt.datetime, due: dt.datetime, pause_start: dt.datetime | None) -> None:
        judged = self._ends(at, due, pause_start)
        self.cube(local_day(at), outcome(due, judged))
        self.cube(local_day(at), "withdrawn")

    def resolved(self, at: dt.datetime, due: dt.datetime, officer_id: uuid.UUID | None) -> None:
        self.running_stops(at, due)
        measure = outcome(due, at)
        self.cube(local_day(at), measure)
        self.officer(at, officer_id, measure)

    def returned(self, at: dt.datetime, channel: str, actor_id: uuid.UUID | None) -> None:
        measure = f"returned_{channel}"
        self.cube(local_day(at), measure)
        self.officer(at, actor_id, measure)

    # -- writing ---------------------------------------------------------------------------

    def nonzero(self) -> dict[Key, dict[str, int]]:
        """The rows with the changes that did not cancel out."""
        rows: dict[Key, dict[str, int]] = {}
        for key, measures in self.rows.items():
            kept = {m: n for m, n in measures.items() if n}
            if kept:
                rows[key] = kept
        return rows

    def write(self) -> None:
        """One upsert for every row."""
        rows = self.nonzero()
        if not rows:
            return
        table = "reports_tally"
        columns = sorted({m for kept in rows.values() for m in kept})
        keys = ["grain", "day", "unit_id", "version_id", "tag"]
        if connection.vendor == "postgresql":
            # One array a column: a handful of parameters however many rows, so
            # psycopg keeps the statement's parsed form (it parses anew any
            # statement with more than 50 parameters).
            types = ["text", "date", "uuid", "uuid", "text"] + ["integer"] * len(columns)
            source = "SELECT * FROM unnest(" + ", ".join(f"%s::{t}[]" for t in types) + ")"
            params: list[Any] = [[key[i] for key in rows] for i in range(5)]
            params += [[kept.get(m, 0) for kept in rows.values()] for m in columns]
        else:
            cells = "(" + ", ".join(["%s"] * (5 + len(columns))) + ")"
            source = "VALUES " + ", ".join([cells] * len(rows))
            params = []
            for (grain, day, unit_id, version_id, tag), kept in rows.items():
                params += [grain, day.isoformat(), unit_id.hex, version_id.hex, tag]
                params += [kept.get(m, 0) for m in columns]
        sql = (
            f"INSERT INTO {table} ({', '.join(keys + columns)}) {source} "
            "ON CONFLICT (grain, day, unit_id, version_id, tag) DO UPDATE SET "
            + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def paper_counts(dossier: Dossier) -> tuple[int, int, int, bool]:
    """The papers handed over with the dossier (not supplements): how many, how many
    digitised (scanned or reused), how many reused, and whether all were digitised.

    Read from ``dossier.components``: an intake has them in memory already.
    """
    handed = [c for c in dossier.components.all() if not c.supplement]
    digitised = sum(1 for c in handed if c.file or c.reused)
    reused = sum(1 for c in handed if c.reused)
    return len(handed), digitised, reused, bool(handed) and digitised == len(handed)


# Events that change no counter: the dossier moves inside the agencies.
_SILENT = frozenset({"create", "route", "assign", "forward", "propose", "send_back"})
_PAUSES = ("request_supplement", "request_fees")
_RESUMES = frozenset({"receive_supplement", "record_payment"})
_PAUSED_STATUSES = frozenset({"supplement_requested", "fees_requested"})


def _open_pause_start(dossier: Dossier) -> dt.datetime:
    """When the pause a stop or withdrawal ends began (the service has cleared it already)."""
    start = (
        dossier.events.filter(action__in=_PAUSES)
        .order_by("-at", "-seq")
        .values_list("at", flat=True)
        .first()
    )
    assert start is not None, "a paused dossier has a pause event"
    return start


def count_event(dossier: Dossier, event: DossierEvent) -> None:
    """Called by the dossier services in the transaction of every event they append.

    It runs after the event row is written and before the dossier's row is
    saved, with the dossier's fields as the service has set them so far:
    reception, result, pause and stop have set theirs; a resumption and an
    extension have not yet moved the due moment. The ids it books to come
    from the dossier in memory, and so do a reception's papers when the
    service holds them (an intake): the upsert then carries plain numbers,
    which the database plans in a fraction of the time subqueries took.
    """
    action = event.action
    if action in _SILENT:
        return
    book = Book(dossier.receiving_unit_id, dossier.procedure_version_id)
    at = event.at
    due = dossier.due_at
    if action == "submit":
        book.submitted(at)
    elif action == "refuse":
        book.refused(at)
    elif action == "receive":
        assert due is not None
        book.received(at, dossier.channel, due, event.actor_id)
        book.reception_papers(at, *paper_counts(dossier))
    elif action in _PAUSES:
        assert due is not None
        book.paused(at, due)
    elif action in _RESUMES:
        # Imported here: the services import this module.
        from dossiers.services import due_moment

        assert due is not None and dossier.paused_at is not None
        new_due = due_moment(dossier)
        assert new_due is not None
        book.resumed(at, dossier.paused_at, due, new_due)
    elif action == "extend":
        assert due is not None
        new_due = dt.datetime.fromisoformat(event.data["new_due"])
        book.extended(at, due, new_due, dossier.paused_at)
    elif action in {"stop", "withdraw"}:
        if event.from_status == "submitted":
            return  # withdrawn before reception: never counted as received
        assert due is not None
        pause_start = _open_pause_start(dossier) if event.from_status in _PAUSED_STATUSES else None
        if action == "stop":
            book.stopped(at, due, pause_start)
        else:
            book.withdrawn(at, due, pause_start)
    elif action == "resolve":
        assert due is not None
        book.resolved(at, due, dossier.assignee_id or event.actor_id)
    elif action == "return":
        book.returned(at, dossier.return_channel or event.data["channel"], event.actor_id)
    else:
        return
    book.write()
