"""Who held a dossier at which step, for how long, against the step's budget.

The catalog splits a case's legal time into steps (desk, agency, approver),
each with a budget in days. The dossier's events say when it moved: the
reception starts the desk step, routing and forwarding carry the step and
the unit now holding it (``data["step"]``, ``data["to_unit"]``), and
returning the result ends the last one. Working time is counted in the
receiving center's calendar, and time while the clock was stopped for a
supplement or fees is charged to nobody.

A delay is charged to the first step that used more than its budget, and
within it to the unit that held the dossier when that budget ran out: that
agency drafts the apology (form 04).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Step, StepActor
from deadlines.calendar import calendar_for_unit
from deadlines.engine import Interval, WorkCalendar, charged_step, split_budget, step_usage
from deadlines.engine import due_at as engine_due_at
from dossiers.models import Action, Dossier, DossierEvent
from units.models import Unit

PAUSE_STARTS = {Action.REQUEST_SUPPLEMENT, Action.REQUEST_FEES}
PAUSE_ENDS = {Action.RECEIVE_SUPPLEMENT, Action.RECORD_PAYMENT}
MOVES = {Action.ROUTE, Action.FORWARD, Action.PROPOSE, Action.SEND_BACK, Action.RESOLVE}
ENDS = {Action.RETURN, Action.STOP, Action.WITHDRAW, Action.REFUSE}


@dataclass
class Hold:
    """One unit holding one step of the dossier, from ``start`` to ``end`` (None: still)."""

    line: int
    unit: Unit | None
    start: dt.datetime
    end: dt.datetime | None = None
    used: float = 0.0  # working minutes, pauses excluded


@dataclass
class StepLine:
    position: int | None
    name: str
    actor: str
    budget: float  # working minutes
    used: float = 0.0
    holds: list[Hold] = field(default_factory=list)
    current: bool = False
    charged: bool = False

    @property
    def done(self) -> bool:
        """Held and handed on: done, even if in no working time (a day off, a minute)."""
        return bool(self.holds) and not self.current

    @property
    def over(self) -> float:
        return max(0.0, self.used - self.budget)

    @property
    def units(self) -> list[tuple[Unit | None, float]]:
        """Each unit that held this step, with the working minutes it used, in order."""
        totals: dict[Any, list[Any]] = {}
        for hold in self.holds:
            key = hold.unit.pk if hold.unit else None
            totals.setdefault(key, [hold.unit, 0.0])[1] += hold.used
        return [(unit, minutes) for unit, minutes in totals.values()]

    @property
    def actor_label(self) -> str:
        return str(StepActor(self.actor).label) if self.actor in StepActor.values else ""


@dataclass
class StepReport:
    lines: list[StepLine]
    day_minutes: float
    charged: StepLine | None = None
    charged_unit: Unit | None = None
    current: StepLine | None = None

    @property
    def budget(self) -> float:
        return sum(line.budget for line in self.lines)

    @property
    def used(self) -> float:
        return sum(line.used for line in self.lines)


def pauses_in(events: Iterable[DossierEvent]) -> list[Interval]:
    """The spans the clock stood still (supplement, fees); an open one ends None."""
    spans: list[Interval] = []
    opened: dt.datetime | None = None
    for event in events:
        if event.action in PAUSE_STARTS and opened is None:
            opened = event.at
        elif event.action in PAUSE_ENDS and opened is not None:
            spans.append((opened, event.at))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    return spans


def _lines(dossier: Dossier, steps: Sequence[Step], calendar: WorkCalendar) -> list[StepLine]:
    assert dossier.received_at is not None
    case = dossier.case
    legal_due = engine_due_at(dossier.received_at, case.time_value, case.time_unit, calendar)
    total = round(calendar.working_minutes_between(dossier.received_at, legal_due))
    weights = [s.days for s in steps]
    if steps and sum(weights) > 0:
        budgets = split_budget(total, weights)
        return [
            StepLine(position=s.position, name=s.name, actor=s.actor, budget=b)
            for s, b in zip(steps, budgets, strict=True)
        ]
    # No step budgets in the catalog: the whole legal time is one step.
    return [StepLine(position=None, name=str(_("Processing")), actor="", budget=float(total))]


class _Walk:
    """Turns the event log into holds, one line of the report at a time."""

    def __init__(self, dossier: Dossier, lines: list[StepLine], units: dict[str, Unit]) -> None:
        self.dossier = dossier
        self.lines = lines
        self.units = units
        self.by_position = {line.position: i for i, line in enumerate(lines)}
        self.holds: list[Hold] = []
        self.open: Hold | None = None

    def index(self, position: Any) -> int:
        if position in self.by_position:
            return self.by_position[position]
        return 0 if len(self.lines) == 1 else self._current_index()

    def _current_index(self) -> int:
        return self.open.line if self.open else 0

    def next_of(self, actor: str) -> int | None:
        after = self._current_index()
        for i in range(after + 1, len(self.lines)):
            if self.lines[i].actor == actor:
                return i
        return None

    def close(self, at: dt.datetime) -> None:
        if self.open is not None:
            self.open.end = at
            self.open = None

    def start(self, line: int | None, unit: Unit | None, at: dt.datetime) -> None:
        self.close(at)
        if line is not None:
            self.open = Hold(line=line, unit=unit, start=at)
            self.holds.append(self.open)

    def event(self, event: DossierEvent) -> None:
        data = event.data or {}
        dossier = self.dossier
        line: int | None
        if event.action == Action.RECEIVE:
            self.start(0, dossier.receiving_unit, event.at)
        elif event.action == Action.RESOLVE:
            # The result waits at the desk: the desk's return step, if the
            # catalog has one, holds it until it is handed over.
            line = self.index(data["step"]) if "step" in data else self.next_of(StepActor.DESK)
            if line is not None and self.lines[line].actor != StepActor.DESK:
                line = None
            self.start(line, dossier.receiving_unit, event.at)
        elif event.action in MOVES:
            if "step" in data:
                line = self.index(data["step"])
            else:
                line = self.next_of(StepActor.AGENCY)
                line = self._current_index() if line is None else line
            unit = self.units.get(str(data.get("to_unit", ""))) or dossier.competent_unit
            self.start(line, unit, event.at)
        elif event.action in ENDS:
            self.close(event.at)


def step_report(
    dossier: Dossier,
    events: Sequence[DossierEvent] | None = None,
    *,
    steps: Sequence[Step] | None = None,
    units: dict[str, Unit] | None = None,
    now: dt.datetime | None = None,
) -> StepReport:
    """Budget, time used and holders of each step; which step and unit a delay is charged to.

    ``events``, ``steps`` and ``units`` (by code) may be passed in when the
    caller has them for many dossiers at once; otherwise they are read.
    """
    calendar = calendar_for_unit(dossier.receiving_unit)
    if dossier.received_at is None:
        return StepReport(lines=[], day_minutes=calendar.day_minutes)
    now = now or timezone.now()
    if events is None:
        events = list(dossier.events.select_related("unit").order_by("at", "seq"))
    if steps is None:
        steps = list(dossier.case.steps.order_by("position"))
    lines = _lines(dossier, steps, calendar)
    if units is None:
        codes = {str(e.data.get("to_unit")) for e in events if (e.data or {}).get("to_unit")}
        units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    walk = _Walk(dossier, lines, units)
    for event in events:
        walk.event(event)
    pauses = pauses_in(events)
    intervals: list[list[Interval]] = [[] for _line in lines]
    for hold in walk.holds:
        intervals[hold.line].append((hold.start, hold.end))
        span: list[Interval] = [(hold.start, hold.end)]
        hold.used = step_usage([span], [0], calendar, pauses=pauses, now=now)[0].used
        lines[hold.line].holds.append(hold)
    budgets = [line.budget for line in lines]
    for line, usage in zip(
        lines, step_usage(intervals, budgets, calendar, pauses=pauses, now=now), strict=True
    ):
        line.used = usage.used
    report = StepReport(lines=lines, day_minutes=calendar.day_minutes)
    if walk.open is not None:
        report.current = lines[walk.open.line]
        report.current.current = True
    charged = charged_step(intervals, budgets, calendar, pauses=pauses, now=now)
    if charged is not None:
        line = lines[charged]
        line.charged = True
        report.charged = line
        report.charged_unit = _unit_when_budget_ran_out(line)
    return report


def _unit_when_budget_ran_out(line: StepLine) -> Unit | None:
    used = 0.0
    for hold in sorted(line.holds, key=lambda h: h.start):
        used += hold.used
        if used > line.budget:
            return hold.unit
    return line.holds[-1].unit if line.holds else None
