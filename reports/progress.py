"""The progress report (báo cáo tình hình, tiến độ giải quyết hồ sơ) from the counters.

For a period of days ``start`` to ``end`` (both included, local time) and a
set of receiving units, every line counts the dossiers received at those
units, grouped by unit, competent agency (as the catalog names it), field or
procedure:

Received
    *Carried over*: received before the period's first day and still open at
    its start (received, processing, waiting for papers or fees: statuses 2,
    4, 5 and 6). *New*: received during the period (status 2 reached: taken
    at the desk, by post, or accepted from an online filing), split by
    submission channel. *Total* = carried over + new.
Processed
    Resolved (result ready, 9, later handed over, 10) or withdrawn (7) during
    the period. *Early*: finished on a date before the due date. *On time*:
    on the due date and not after the due moment. *Late*: after the due
    moment, even by one minute. A dossier withdrawn while paused is judged at
    the moment its pause began, since its clock stood still from then on.
In process at the period end
    Received or processing (2, 4) at midnight after the last day. *Overdue*:
    its due moment then in force (moved by every pause and extension so far)
    was before that midnight, i.e. it fell due on the last day or earlier.
    *On time*: the others.
Paused at the period end
    Waiting for papers or fees (5, 6) at midnight after the last day, plus the
    dossiers stopped (8) during the period. *Overdue*: the due moment had
    already passed when the clock stopped (the pause began, or processing was
    stopped); an extension granted during a pause judges it again against
    the new date. *On time*: the others.

So carried over + new = processed + in process + paused, for every line.
Online share = new online / new. On-time rate = (early + on time) /
processed. Returns: results handed over during the period, at the desk,
online (an electronic result through the system) or by post.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from catalog.models import ProcedureVersion
from core.models import in_language
from reports.counters import NIL
from reports.figures import percent
from reports.models import FLOWS, STOCKS, Tally
from reports.periods import Span, as_q, spans, up_to, year_before
from units.models import Unit

GROUPINGS = {
    "unit": _("Receiving unit"),
    "agency": _("Competent agency"),
    "field": _("Field"),
    "procedure": _("Procedure"),
}


@dataclass
class Line:
    """One line of the report; the figures are as defined in the module docstring."""

    key: str = ""
    label: str = ""
    code: str = ""
    carried: int = 0
    new_online: int = 0
    new_direct: int = 0
    new_post: int = 0
    done_early: int = 0
    done_on_time: int = 0
    done_late: int = 0
    withdrawn: int = 0
    running: int = 0
    running_overdue: int = 0
    paused_now: int = 0
    paused_now_overdue: int = 0
    stopped_on_time: int = 0
    stopped_overdue: int = 0
    returned_direct: int = 0
    returned_online: int = 0
    returned_post: int = 0
    submitted: int = 0
    refused: int = 0
    papers: int = 0
    papers_digitised: int = 0
    papers_reused: int = 0
    dossiers_digitised: int = 0

    @property
    def new(self) -> int:
        return self.new_online + self.new_direct + self.new_post

    @property
    def received(self) -> int:
        return self.carried + self.new

    @property
    def done(self) -> int:
        return self.done_early + self.done_on_time + self.done_late

    @property
    def running_on_time(self) -> int:
        return self.running - self.running_overdue

    @property
    def paused(self) -> int:
        return self.paused_now + self.stopped_on_time + self.stopped_overdue

    @property
    def paused_overdue(self) -> int:
        return self.paused_now_overdue + self.stopped_overdue

    @property
    def paused_on_time(self) -> int:
        return self.paused - self.paused_overdue

    @property
    def returned(self) -> int:
        return self.returned_direct + self.returned_online + self.returned_post

    @property
    def online_share(self) -> Fraction | None:
        """Exact, rounded only where it is shown (``reports.figures``)."""
        return Fraction(self.new_online, self.new) if self.new else None

    @property
    def on_time_rate(self) -> Fraction | None:
        """Exact, rounded only where it is shown (``reports.figures``)."""
        return Fraction(self.done_early + self.done_on_time, self.done) if self.done else None

    @property
    def balanced(self) -> bool:
        return self.received == self.done + self.running + self.paused

    def add(self, other: Line) -> None:
        for f in fields(self):
            if f.type == "int":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


# Counter columns and the line attribute each one fills.
FLOW_TO_LINE = {
    "received_online": "new_online",
    "received_direct": "new_direct",
    "received_post": "new_post",
    **{name: name for name in FLOWS if not name.startswith("received_")},
}
STOCK_TO_LINE = {
    "running": "running",
    "running_overdue": "running_overdue",
    "paused": "paused_now",
    "paused_overdue": "paused_now_overdue",
}


@dataclass
class Progress:
    start: dt.date
    end: dt.date
    by: str
    lines: list[Line] = field(default_factory=list)
    total: Line = field(default_factory=Line)


def _sums(
    unit_ids: Collection[uuid.UUID], parts: list[Span], columns: Iterable[str], by: str
) -> list[dict[str, Any]]:
    if not parts or not unit_ids:
        return []
    # By unit: the unit's own total rows; otherwise the rows of each version.
    rows = Tally.objects.filter(as_q(parts, unit_ids))
    if by == "unit":
        group, rows = "unit_id", rows.filter(version_id=NIL)
    else:
        group, rows = "version_id", rows.exclude(version_id=NIL)
    return list(rows.values(group).annotate(**{c: Sum(c) for c in columns}).order_by())


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    code: str


def _groups(by: str, ids: set[uuid.UUID]) -> dict[uuid.UUID, Group]:
    """The line each unit (by unit) or each procedure version belongs to."""
    if by == "unit":
        return {u.pk: Group(str(u.pk), u.name, u.code) for u in Unit.objects.filter(pk__in=ids)}
    versions = ProcedureVersion.objects.filter(pk__in=ids).select_related("procedure__field")
    groups: dict[uuid.UUID, Group] = {}
    for v in versions:
        procedure = v.procedure
        if by == "procedure":
            groups[v.pk] = Group(str(procedure.pk), v.name, procedure.code)
        elif by == "field":
            groups[v.pk] = Group(
                str(procedure.field_id), procedure.field.name, procedure.field.code
            )
        else:
            name = in_language(v.agency_name_vi, v.agency_name_en)
            groups[v.pk] = Group(v.agency_name_vi, name, v.agency)
    return groups


def progress(
    *, unit_ids: Collection[uuid.UUID], start: dt.date, end: dt.date, by: str = "unit"
) -> Progress:
    """The report for the dossiers received at ``unit_ids``; three queries on the counters."""
    if by not in GROUPINGS:
        raise ValueError(f"Unknown grouping {by!r}")
    group = "unit_id" if by == "unit" else "version_id"
    flows = _sums(unit_ids, spans(start, end), FLOW_TO_LINE, by)
    before = _sums(unit_ids, up_to(start - dt.timedelta(days=1)), STOCKS, by)
    after = _sums(unit_ids, up_to(end), STOCKS, by)
    ids = {row[group] for row in [*flows, *before, *after]}
    groups = _groups(by, ids)
    lines: dict[str, Line] = {}

    def line_of(row: dict[str, Any]) -> Line:
        found = groups.get(row[group]) or Group(str(row[group]), str(row[group]), "")
        if found.key not in lines:
            lines[found.key] = Line(key=found.key, label=found.label, code=found.code)
        return lines[found.key]

    for row in flows:
        line = line_of(row)
        for column, name in FLOW_TO_LINE.items():
            setattr(line, name, getattr(line, name) + (row[column] or 0))
    for row in before:
        line_of(row).carried += (row["running"] or 0) + (row["paused"] or 0)
    for row in after:
        line = line_of(row)
        for column, name in STOCK_TO_LINE.items():
            setattr(line, name, getattr(line, name) + (row[column] or 0))
    report = Progress(start=start, end=end, by=by)
    report.lines = sorted(
        (line for line in lines.values() if _shows(line)), key=lambda x: (x.code, x.label)
    )
    for line in report.lines:
        report.total.add(line)
    return report


def _shows(line: Line) -> bool:
    """A line with anything to say for the period."""
    return any(getattr(line, f.name) for f in fields(line) if f.type == "int") or bool(
        line.received
    )


@dataclass(frozen=True)
class Change:
    label: str
    now: int | Fraction | None
    before: int | Fraction | None
    percent: bool = False

    @property
    def difference(self) -> int | Fraction | None:
        """Now less before; for shares, the difference of the percentages as shown.

        So 51,72 % against 48,35 % reads +3,37 pp whatever the unrounded shares were.
        """
        if self.now is None or self.before is None:
            return None
        if self.percent:
            now, before = percent(self.now), percent(self.before)
            assert now is not None and before is not None
            return Fraction(now - before) / 100
        return self.now - self.before


def year_earlier(report: Progress, unit_ids: Collection[uuid.UUID]) -> Progress:
    return progress(
        unit_ids=unit_ids,
        start=year_before(report.start),
        end=year_before(report.end),
        by=report.by,
    )


def changes(now: Line, before: Line) -> list[Change]:
    """The headline figures of a line against the same line a year earlier."""
    return [
        Change(str(_("Received (new)")), now.new, before.new),
        Change(str(_("Received (total)")), now.received, before.received),
        Change(str(_("Processed")), now.done, before.done),
        Change(str(_("Processed late")), now.done_late, before.done_late),
        Change(str(_("In process, overdue")), now.running_overdue, before.running_overdue),
        Change(str(_("Returned at the desk")), now.returned_direct, before.returned_direct),
        Change(
            str(_("Returned online (electronic result)")),
            now.returned_online,
            before.returned_online,
        ),
        Change(str(_("Returned by post")), now.returned_post, before.returned_post),
        Change(str(_("Online share")), now.online_share, before.online_share, percent=True),
        Change(str(_("On-time rate")), now.on_time_rate, before.on_time_rate, percent=True),
    ]
