"""Properties that must hold for any acceptance moment, value and pause."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.engine import (
    Outcome,
    TimeUnit,
    allocate_steps,
    classify,
    due_at,
    due_with_pauses,
    split_budget,
)

from .calendars import VN, at

PROPERTY = settings(max_examples=200, deadline=None)
START = at(2024, 1, 1)
SPAN_MINUTES = int((at(2028, 1, 1) - START).total_seconds() // 60)
DAY = 480

moments = st.integers(0, SPAN_MINUTES).map(lambda m: START + timedelta(minutes=m))
# Half-day steps up to 30 working days, like the catalog's values.
values = st.integers(0, 60).map(lambda halves: halves / 2)
units = st.sampled_from(list(TimeUnit))
durations = st.integers(0, 30 * 24 * 60).map(lambda m: timedelta(minutes=m))
pauses = st.lists(st.tuples(st.integers(0, 60 * 24 * 60), durations), max_size=4)


def _pauses(
    accepted: datetime, raw: list[tuple[int, timedelta]]
) -> list[tuple[datetime, datetime]]:
    return [
        (accepted + timedelta(minutes=offset), accepted + timedelta(minutes=offset) + length)
        for offset, length in raw
    ]


def _union_minutes(spans: list[tuple[datetime, datetime]], floor: datetime) -> float:
    """Working minutes in the union of ``spans`` after ``floor``, merged independently."""
    total = 0.0
    covered = floor
    for begin, end in sorted(spans):
        begin = max(begin, covered)
        if end > begin:
            total += VN.working_minutes_between(begin, end)
            covered = end
    return total


@PROPERTY
@given(moments, moments, values, units)
def test_later_acceptance_is_never_due_earlier(
    a: datetime, b: datetime, value: float, unit: str
) -> None:
    early, late = sorted((a, b))
    assert due_at(early, value, unit, VN) <= due_at(late, value, unit, VN)


@PROPERTY
@given(moments, values, values, units)
def test_more_time_is_never_due_earlier(accepted: datetime, v: float, w: float, unit: str) -> None:
    small, big = sorted((v, w))
    assert due_at(accepted, small, unit, VN) <= due_at(accepted, big, unit, VN)


@PROPERTY
@given(moments, values)
def test_working_days_hold_exactly_their_minutes(moment: datetime, value: float) -> None:
    start = VN.next_working_start(moment)
    due = due_at(start, value, TimeUnit.WORKING_DAYS, VN)
    assert VN.working_minutes_between(start, due) == value * DAY
    # Accepting outside working hours changes nothing against the clock start.
    assert due == due_at(moment, value, TimeUnit.WORKING_DAYS, VN)


@PROPERTY
@given(moments, values, units)
def test_due_lands_on_a_working_day_inside_or_at_the_end_of_a_period(
    moment: datetime, value: float, unit: str
) -> None:
    due = due_at(moment, value, unit, VN)
    assert VN.is_working_day(due.date())
    assert any(begin < due.time() <= end for begin, end in VN.periods) or value == 0


@PROPERTY
@given(moments, st.integers(1, 40).map(lambda d: d / 2), pauses)
def test_pauses_move_the_due_moment_by_the_paused_working_time(
    accepted: datetime, value: float, raw: list[tuple[int, timedelta]]
) -> None:
    spans = _pauses(accepted, raw)
    plain = due_at(accepted, value, TimeUnit.WORKING_DAYS, VN)
    paused = due_with_pauses(accepted, value, TimeUnit.WORKING_DAYS, VN, spans)
    assert paused >= plain
    clock = VN.next_working_start(accepted)
    assert VN.working_minutes_between(plain, paused) == _union_minutes(spans, clock)


@PROPERTY
@given(moments, values, units, pauses, moments)
def test_pauses_never_shorten_and_empty_pauses_change_nothing(
    accepted: datetime, value: float, unit: str, raw: list[tuple[int, timedelta]], instant: datetime
) -> None:
    spans = _pauses(accepted, raw)
    with_pauses = due_with_pauses(accepted, value, unit, VN, spans)
    assert with_pauses >= due_at(accepted, value, unit, VN)
    zero = (instant, instant)
    assert due_with_pauses(accepted, value, unit, VN, [*spans, zero]) == with_pauses


@PROPERTY
@given(moments, st.integers(0, 40 * DAY))
def test_add_then_measure_round_trips(start: datetime, minutes: int) -> None:
    end = VN.add_working_minutes(start, minutes)
    assert end >= start
    assert VN.working_minutes_between(start, end) == minutes


@PROPERTY
@given(moments, moments)
def test_measure_then_add_reaches_the_same_working_instant(a: datetime, b: datetime) -> None:
    start, end = sorted((a, b))
    back = VN.add_working_minutes(start, VN.working_minutes_between(start, end))
    # The earliest moment with that much work done: never after ``end``, and
    # no working time between the two.
    assert back <= end
    assert VN.working_minutes_between(back, end) == 0


@PROPERTY
@given(moments, st.integers(1, 60), st.lists(st.integers(0, 10), min_size=1, max_size=5))
def test_steps_add_up_to_the_legal_time(
    accepted: datetime, halves: int, weights: list[int]
) -> None:
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    total = halves * DAY // 2
    budgets = split_budget(total, weights)
    assert sum(budgets) == total
    exact = [total * w / sum(weights) for w in weights]
    assert all(abs(b - e) < 1 for b, e in zip(budgets, exact, strict=True))
    dues = allocate_steps(accepted, budgets, VN)
    assert dues == sorted(dues)
    assert dues[-1] == due_at(accepted, halves / 2, TimeUnit.WORKING_DAYS, VN)


@PROPERTY
@given(moments, values, units)
def test_classification_edges(accepted: datetime, value: float, unit: str) -> None:
    due = due_at(accepted, value, unit, VN)
    minute = timedelta(minutes=1)
    assert classify(due, VN, finished_at=due) is Outcome.ON_TIME
    assert classify(due, VN, finished_at=due + minute) is Outcome.LATE
    assert classify(due, VN, now=due) is Outcome.ON_TIME
    assert classify(due, VN, now=due + minute) is Outcome.OVERDUE
