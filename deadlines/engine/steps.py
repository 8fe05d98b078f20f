"""Steps: each agency's share of a dossier's legal time, and the one a delay is charged to."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from deadlines.engine.working_time import (
    US_PER_MINUTE,
    VN_TZ,
    Interval,
    Number,
    WorkCalendar,
    merge_spans,
    non_negative_amount,
)


@dataclass(frozen=True)
class StepUsage:
    """Working time one step (one agency or actor) used against its budget, in minutes."""

    step: int
    used: float
    budget: float
    over: float


def split_budget(total_minutes: int, weights: Sequence[Number]) -> list[int]:
    """Whole-minute budgets in proportion to ``weights`` that add up to ``total_minutes``.

    Largest-remainder rounding: every share is floored, then the minutes left
    over go one each to the shares that lost the most, earlier steps first on
    ties. Exact fractions avoid float drift.
    """
    if isinstance(total_minutes, bool) or not isinstance(total_minutes, int):
        raise ValueError("The total must be a whole number of minutes.")
    if total_minutes < 0:
        raise ValueError("The total must be at least zero.")
    if not weights:
        raise ValueError("At least one weight is needed.")
    try:
        exact = [Fraction(w) for w in weights]
    except (TypeError, ValueError, OverflowError):
        raise ValueError("Weights must be finite numbers.") from None
    if any(w < 0 for w in exact):
        raise ValueError("Weights must be at least zero.")
    whole = sum(exact)
    if whole == 0:
        raise ValueError("At least one weight must be above zero.")
    shares = [total_minutes * w / whole for w in exact]
    budgets = [math.floor(s) for s in shares]
    left = total_minutes - sum(budgets)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - budgets[i]), i))
    for i in order[:left]:
        budgets[i] += 1
    return budgets


def allocate_steps(
    start: datetime, budgets_minutes: Sequence[Number], calendar: WorkCalendar
) -> list[datetime]:
    """The due moment of each step when steps run one after another from ``start``.

    Step i is due once the budgets of steps 0..i have run, counted from the
    clock start; the last one equals the dossier's due moment when the
    budgets add up to the legal time.
    """
    clock = calendar.next_working_start(start)
    origin = calendar._pos(clock)
    used = 0
    dues: list[datetime] = []
    for budget in budgets_minutes:
        used += round(non_negative_amount(budget, "budget") * US_PER_MINUTE)
        dues.append(calendar._at(origin + used) if used > 0 else clock)
    return dues


def _used_us(
    calendar: WorkCalendar,
    spans: list[tuple[datetime, datetime]],
    pauses: list[tuple[datetime, datetime]],
) -> int:
    used = sum(calendar._working_us(begin, end) for begin, end in spans)
    for begin, end in spans:
        for pause_begin, pause_end in pauses:
            overlap_begin, overlap_end = max(begin, pause_begin), min(end, pause_end)
            if overlap_end > overlap_begin:
                used -= calendar._working_us(overlap_begin, overlap_end)
    return used


def _usage(
    intervals: Sequence[Iterable[Interval]],
    budgets: Sequence[Number],
    calendar: WorkCalendar,
    pauses: Sequence[Interval],
    now: datetime | None,
) -> list[tuple[int, int]]:
    if len(intervals) > len(budgets):
        raise ValueError("There are more steps with spans than budgets.")
    if now is None:
        now = datetime.now(VN_TZ)
    paused = merge_spans(pauses, now)
    rows: list[tuple[int, int]] = []
    for i, budget in enumerate(budgets):
        spans = merge_spans(intervals[i], now) if i < len(intervals) else []
        budget_us = round(non_negative_amount(budget, "budget") * US_PER_MINUTE)
        rows.append((_used_us(calendar, spans, paused), budget_us))
    return rows


def step_usage(
    intervals: Sequence[Iterable[Interval]],
    budgets: Sequence[Number],
    calendar: WorkCalendar,
    *,
    pauses: Sequence[Interval] = (),
    now: datetime | None = None,
) -> list[StepUsage]:
    """Working time each step held the dossier, against its budget.

    ``intervals[i]`` lists the spans during which step i held the dossier
    (the process control slip records them; a step sent back for rework has
    several). A step without spans has used nothing. Open spans run to
    ``now``. Time inside ``pauses`` is not charged to any step, since the
    clock was stopped for everyone.
    """
    return [
        StepUsage(
            step=i,
            used=used / US_PER_MINUTE,
            budget=budget / US_PER_MINUTE,
            over=max(0, used - budget) / US_PER_MINUTE,
        )
        for i, (used, budget) in enumerate(_usage(intervals, budgets, calendar, pauses, now))
    ]


def charged_step(
    intervals: Sequence[Iterable[Interval]],
    budgets: Sequence[Number],
    calendar: WorkCalendar,
    *,
    pauses: Sequence[Interval] = (),
    now: datetime | None = None,
) -> int | None:
    """Index of the first step that used more than its budget, or None.

    That step's agency is the one a delay is charged to: it must draft the
    apology letter (form 04) and it is named in the late-dossier reports.
    Comparison is in whole microseconds, so rounding never invents a delay.
    """
    for i, (used, budget) in enumerate(_usage(intervals, budgets, calendar, pauses, now)):
        if used > budget:
            return i
    return None
