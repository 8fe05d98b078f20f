"""Hand-checked deadline cases.

Default day: 07:00-11:30 (270 min) + 13:30-17:00 (210 min) = 480 min.
The ``VN`` calendar is the seeded one (library + announced days off).
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from deadlines.engine import (
    Outcome,
    StepUsage,
    TimeUnit,
    WorkCalendar,
    allocate_steps,
    charged_step,
    classify,
    due_at,
    due_soon,
    due_with_pauses,
    split_budget,
    step_usage,
)

from .calendars import PLAIN, VN, at

WD, CD, SD = TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS, TimeUnit.SAME_DAY


@pytest.mark.parametrize(
    ("accepted", "value", "unit", "due"),
    [
        # Fri 13 Feb 2026 16:00, 3 WD = 1440 min. Fri 16:00-17:00 = 60; Tết
        # 14-22 Feb off; Mon 23 = 480 (540); Tue 24 = 480 (1020); Wed 25 needs
        # 420: morning 270 (1290), 13:30 + 150 = 16:00.
        (at(2026, 2, 13, 16), 3, WD, at(2026, 2, 25, 16)),
        # Same day, Mon 2 Mar 2026 15:30: after the 15:00 cut-off, so the end
        # of the next working day, Tue 3 Mar 17:00.
        (at(2026, 3, 2, 15, 30), 0, SD, at(2026, 3, 3, 17)),
        # Same day at 14:59: before the cut-off, due 17:00 that day.
        (at(2026, 3, 2, 14, 59), 0, SD, at(2026, 3, 2, 17)),
        # Same day at 15:00 sharp: not "after 15:00", still that day.
        (at(2026, 3, 2, 15), 0, SD, at(2026, 3, 2, 17)),
        # Same day, Fri 13 Feb 2026 15:30: next working day after Tết is
        # Mon 23 Feb, due 17:00.
        (at(2026, 2, 13, 15, 30), 0, SD, at(2026, 2, 23, 17)),
        # Same day accepted Sat 7 Mar 2026: clock starts Mon 9 Mar 07:00,
        # before the cut-off, due Mon 17:00.
        (at(2026, 3, 7, 10), 0, SD, at(2026, 3, 9, 17)),
        # Saturday 7 Mar 2026 10:00, 1 WD: starts Mon 9 Mar 07:00, +480 = 17:00.
        (at(2026, 3, 7, 10), 1, WD, at(2026, 3, 9, 17)),
        # Tue 3 Mar 2026 18:00, 1 WD: starts Wed 4 Mar 07:00, due Wed 17:00.
        (at(2026, 3, 3, 18), 1, WD, at(2026, 3, 4, 17)),
        # Tue 3 Mar 12:00 (lunch), 0.5 WD = 240: starts 13:30, 210 to 17:00,
        # 30 more on Wed 4 Mar: 07:30.
        (at(2026, 3, 3, 12), 0.5, WD, at(2026, 3, 4, 7, 30)),
        # Mon 2 Mar 09:00, 1 WD: 150 to 11:30 + 210 = 360; Tue 07:00 + 120 = 09:00.
        (at(2026, 3, 2, 9), 1, WD, at(2026, 3, 3, 9)),
        # Mon 2 Mar 07:00, 0.5 WD = 240: 07:00 + 240 = 11:00.
        (at(2026, 3, 2, 7), Decimal("0.5"), WD, at(2026, 3, 2, 11)),
        # Mon 2 Mar 09:00, 0.5 WD = 240: 150 to 11:30, 13:30 + 90 = 15:00.
        (at(2026, 3, 2, 9), 0.5, WD, at(2026, 3, 2, 15)),
        # Mon 2 Mar 07:00, 1.5 WD = 720: Mon 480, Tue 07:00 + 240 = 11:00.
        (at(2026, 3, 2, 7), 1.5, WD, at(2026, 3, 3, 11)),
        # Mon 2 Mar 09:00, 15 WD: the 15th working day after 2 Mar is 23 Mar
        # (3,4,5,6,9,10,11,12,13,16,17,18,19,20,23), same clock time 09:00.
        (at(2026, 3, 2, 9), 15, WD, at(2026, 3, 23, 9)),
        # Make-up Saturday 26 Apr 2025: Fri 25 Apr 09:00, 2 WD = 960. Fri 360;
        # Sat 26 works 480 (840); Mon 28 07:00 + 120 = 09:00.
        (at(2025, 4, 25, 9), 2, WD, at(2025, 4, 28, 9)),
        # Make-up Saturday 4 May 2024: Thu 2 May 13:30, 2 WD = 960. Thu 210;
        # Fri 3 May 480 (690); Sat 4 May 07:00 + 270 = 11:30 (a period end).
        (at(2024, 5, 2, 13, 30), 2, WD, at(2024, 5, 4, 11, 30)),
        # 30/4-1/5 2024 bridge: Fri 26 Apr 07:00, 2 WD. Fri 480; Sat-Wed
        # 27 Apr-1 May off (Mon 29 bridged); Thu 2 May 480 -> 17:00.
        (at(2024, 4, 26, 7), 2, WD, at(2024, 5, 2, 17)),
        # Make-up Saturday 10 Jan 2026: Fri 9 Jan 07:00, 2 WD: Fri 480, Sat 480
        # -> Sat 10 Jan 17:00.
        (at(2026, 1, 9, 7), 2, WD, at(2026, 1, 10, 17)),
        # Crossing New Year 2026: Wed 31 Dec 2025 16:00, 1 WD. Wed 60; 1-4 Jan
        # off (2 Jan bridged); Mon 5 Jan needs 420: 270 + 13:30 + 150 = 16:00.
        (at(2025, 12, 31, 16), 1, WD, at(2026, 1, 5, 16)),
        # Crossing New Year 2025: Tue 31 Dec 2024 09:00, 2 WD = 960. Tue 360;
        # Wed 1 Jan off; Thu 2 Jan 480 (840); Fri 3 Jan 07:00 + 120 = 09:00.
        (at(2024, 12, 31, 9), 2, WD, at(2025, 1, 3, 9)),
        # Tết 2025: Fri 24 Jan 09:00, 1 WD. Fri 360; 25 Jan-2 Feb off;
        # Mon 3 Feb 07:00 + 120 = 09:00.
        (at(2025, 1, 24, 9), 1, WD, at(2025, 2, 3, 9)),
        # Tết 2024: Wed 7 Feb 09:00, 1 WD. Wed 360; 8-14 Feb off;
        # Thu 15 Feb 07:00 + 120 = 09:00.
        (at(2024, 2, 7, 9), 1, WD, at(2024, 2, 15, 9)),
        # National Day 2025: Fri 29 Aug 09:00, 1 WD. Fri 360; Mon 1 and Tue 2
        # Sep off; Wed 3 Sep 07:00 + 120 = 09:00.
        (at(2025, 8, 29, 9), 1, WD, at(2025, 9, 3, 9)),
        # Calendar days, Mon 2 Mar 2026 10:00 + 3 days = Thu 5 Mar, a working
        # day: end of its last period, 17:00.
        (at(2026, 3, 2, 10), 3, CD, at(2026, 3, 5, 17)),
        # Calendar days ending on a weekend: 2 Mar + 5 = Sat 7 Mar -> the next
        # working day, Mon 9 Mar 17:00 (Civil Code art. 148).
        (at(2026, 3, 2, 10), 5, CD, at(2026, 3, 9, 17)),
        # Calendar days ending on a holiday: Mon 13 Apr 2026 + 14 = Mon 27 Apr,
        # the Hùng Kings day in lieu -> Tue 28 Apr 17:00.
        (at(2026, 4, 13, 9), 14, CD, at(2026, 4, 28, 17)),
        # Calendar days ending in Tết: Tue 10 Feb 2026 + 7 = Tue 17 Feb (Tết)
        # -> next working day Mon 23 Feb 17:00.
        (at(2026, 2, 10, 9), 7, CD, at(2026, 2, 23, 17)),
        # Calendar days counted from the clock start: accepted Sat 7 Mar 2026,
        # the clock starts Mon 9 Mar; + 2 days = Wed 11 Mar 17:00.
        (at(2026, 3, 7, 10), 2, CD, at(2026, 3, 11, 17)),
    ],
)
def test_due_at(accepted: datetime, value: float, unit: str, due: datetime) -> None:
    assert due_at(accepted, value, unit, VN) == due


@pytest.mark.parametrize(
    ("moment", "start"),
    [
        # Saturday -> Monday 07:00.
        (at(2026, 3, 7, 10), at(2026, 3, 9, 7)),
        # 18:00 -> next morning 07:00.
        (at(2026, 3, 3, 18), at(2026, 3, 4, 7)),
        # Lunch 12:00 -> 13:30.
        (at(2026, 3, 3, 12), at(2026, 3, 3, 13, 30)),
        # 11:30 and 17:00 are already outside their periods (half-open).
        (at(2026, 3, 3, 11, 30), at(2026, 3, 3, 13, 30)),
        (at(2026, 3, 3, 17), at(2026, 3, 4, 7)),
        # Before opening -> 07:00 the same day; inside a period -> itself.
        (at(2026, 3, 3, 6, 15), at(2026, 3, 3, 7)),
        (at(2026, 3, 3, 7), at(2026, 3, 3, 7)),
        (at(2026, 3, 3, 10, 5), at(2026, 3, 3, 10, 5)),
        # Tết holiday Tue 17 Feb 2026 -> Mon 23 Feb 07:00.
        (at(2026, 2, 17, 9), at(2026, 2, 23, 7)),
        # Make-up Saturday 26 Apr 2025 is a working day.
        (at(2025, 4, 26, 8), at(2025, 4, 26, 8)),
    ],
)
def test_next_working_start(moment: datetime, start: datetime) -> None:
    assert VN.next_working_start(moment) == start


def test_landing_on_period_ends() -> None:
    monday = at(2026, 3, 2, 7)
    # 07:00 + 270 = 11:30 exactly: stays at 11:30, not 13:30.
    assert VN.add_working_minutes(monday, 270) == at(2026, 3, 2, 11, 30)
    # 07:00 + 480 = 17:00 exactly: stays at 17:00, not 07:00 the next day.
    assert VN.add_working_minutes(monday, 480) == at(2026, 3, 2, 17)
    # One minute more spills into the next period: 13:31 and Tue 07:01.
    assert VN.add_working_minutes(monday, 271) == at(2026, 3, 2, 13, 31)
    assert VN.add_working_minutes(monday, 481) == at(2026, 3, 3, 7, 1)
    # Adding nothing changes nothing, even outside working hours.
    assert VN.add_working_minutes(at(2026, 3, 2, 20), 0) == at(2026, 3, 2, 20)


def test_working_minutes_between() -> None:
    # Fri 13 Feb 16:00 -> Wed 25 Feb 16:00 across Tết: 60 + 480 + 480 + 420.
    assert VN.working_minutes_between(at(2026, 2, 13, 16), at(2026, 2, 25, 16)) == 1440
    # 11:00 -> 14:00 across lunch: 30 + 30.
    assert VN.working_minutes_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == 60
    # Whole weekend: nothing. Reversed: nothing.
    assert VN.working_minutes_between(at(2026, 3, 6, 17), at(2026, 3, 9, 7)) == 0
    assert VN.working_minutes_between(at(2026, 3, 3), at(2026, 3, 2)) == 0
    # Seconds count: 07:00:00 -> 07:00:30 is half a minute.
    assert (
        VN.working_minutes_between(at(2026, 3, 2, 7), at(2026, 3, 2, 7) + timedelta(seconds=30))
        == 0.5
    )


def test_other_time_zones_are_converted() -> None:
    # 02:00 UTC is 09:00 in Vietnam; 1 WD -> Tue 3 Mar 09:00 +07:00.
    due = due_at(datetime(2026, 3, 2, 2, tzinfo=UTC), 1, WD, VN)
    assert due == at(2026, 3, 3, 9)
    assert due.utcoffset() == timedelta(hours=7)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 3, 2, 9), 1, WD, VN)
    with pytest.raises(ValueError, match="at least zero"):
        due_at(at(2026, 3, 2, 9), -1, WD, VN)
    with pytest.raises(ValueError, match="Unknown time unit"):
        due_at(at(2026, 3, 2, 9), 1, "fortnights", VN)
    with pytest.raises(ValueError, match="both off and working"):
        WorkCalendar(
            days_off=frozenset({at(2026, 3, 7).date()}),
            working_days=frozenset({at(2026, 3, 7).date()}),
        )
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(periods=((time(7), time(12)), (time(11), time(17))))


def test_unit_periods_and_cutoff() -> None:
    # A unit open 07:30-11:30 and 13:00-17:00 (8 hours) with a 16:00 cut-off.
    calendar = WorkCalendar(
        periods=((time(7, 30), time(11, 30)), (time(13), time(17))), same_day_cutoff=time(16)
    )
    assert calendar.day_minutes == 480
    # Same day at 15:30 is before this unit's cut-off: due 17:00 that day.
    assert due_at(at(2026, 3, 2, 15, 30), 0, SD, calendar) == at(2026, 3, 2, 17)
    # 12:45 is lunch here: starts 13:00; 0.5 WD = 240 -> 17:00 the same day.
    assert due_at(at(2026, 3, 2, 12, 45), 0.5, WD, calendar) == at(2026, 3, 2, 17)


def test_far_dates_grow_the_table() -> None:
    # Beyond the precomputed 2000-2060 range, plain weekends only.
    # Mon 3 Jan 2095 09:00 + 1 WD -> Tue 4 Jan 09:00.
    assert due_at(at(2095, 1, 3, 9), 1, WD, PLAIN) == at(2095, 1, 4, 9)
    # Fri 29 Dec 1995 09:00 + 1 WD -> Mon 1 Jan 1996 09:00 (no holidays in PLAIN).
    assert due_at(at(1995, 12, 29, 9), 1, WD, PLAIN) == at(1996, 1, 1, 9)


# -- pauses ------------------------------------------------------------------------


def test_supplement_pause_of_ten_working_days() -> None:
    accepted = at(2026, 3, 2, 9)
    # Base: 15 WD -> Mon 23 Mar 09:00 (see test_due_at).
    assert due_at(accepted, 15, WD, VN) == at(2026, 3, 23, 9)
    # Paused Tue 3 Mar 09:00 -> Tue 17 Mar 09:00: 10 working days
    # (4,5,6,9,10,11,12,13,16,17). Due moves 10 WD past 23 Mar:
    # 24,25,26,27,30,31 Mar, 1,2,3,6 Apr -> Mon 6 Apr 09:00.
    pause = (at(2026, 3, 3, 9), at(2026, 3, 17, 9))
    assert VN.working_minutes_between(*pause) == 4800
    assert due_with_pauses(accepted, 15, WD, VN, [pause]) == at(2026, 4, 6, 9)


def test_open_pause_counts_up_to_now() -> None:
    # 3 WD from Mon 2 Mar 09:00 -> Thu 5 Mar 09:00; open pause since Tue 09:00,
    # now Tue 11:00: 120 min -> Thu 11:00.
    accepted = at(2026, 3, 2, 9)
    pauses = [(at(2026, 3, 3, 9), None)]
    now = at(2026, 3, 3, 11)
    assert due_with_pauses(accepted, 3, WD, VN, pauses, now=now) == at(2026, 3, 5, 11)
    # Without "now", the current time is used.
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):
        assert due_with_pauses(accepted, 3, WD, VN, pauses) == at(2026, 3, 5, 11)


def test_overlapping_pauses_count_once() -> None:
    # 09:00-11:00 and 10:00-11:30 on Tue 3 Mar: union 09:00-11:30 = 150 min.
    # Thu 5 Mar 09:00 + 150 = 11:30, a period end.
    pauses = [(at(2026, 3, 3, 9), at(2026, 3, 3, 11)), (at(2026, 3, 3, 10), at(2026, 3, 3, 11, 30))]
    assert due_with_pauses(at(2026, 3, 2, 9), 3, WD, VN, pauses) == at(2026, 3, 5, 11, 30)


def test_pause_for_calendar_days() -> None:
    # 5 CD from Mon 2 Mar 10:00 -> Mon 9 Mar 17:00. A pause of 2 days 1 hour
    # rounds up to 3 days: 2 Mar + 8 = Tue 10 Mar 17:00.
    pause = (at(2026, 3, 3, 10), at(2026, 3, 5, 11))
    assert due_with_pauses(at(2026, 3, 2, 10), 5, CD, VN, [pause]) == at(2026, 3, 10, 17)


def test_pause_for_same_day() -> None:
    # Same day at 10:00 -> 17:00; paused 14:00-16:00 (120 min) -> Tue 07:00 + 120 = 09:00.
    pause = (at(2026, 3, 2, 14), at(2026, 3, 2, 16))
    assert due_with_pauses(at(2026, 3, 2, 10), 0, SD, VN, [pause]) == at(2026, 3, 3, 9)


# -- steps ---------------------------------------------------------------------------


def test_split_budget_adds_up() -> None:
    # 15 WD = 7200 min in 1:24:5 -> 240, 5760, 1200 exactly.
    assert split_budget(7200, [1, 24, 5]) == [240, 5760, 1200]
    # 1000 / 3 = 333.33: the first share gets the spare minute.
    assert split_budget(1000, [1, 1, 1]) == [334, 333, 333]
    # Remainders .714 x4 and .143: 1440 in 1:1:1:1:3 -> 206, 206, 206, 205, 617.
    assert split_budget(1440, [1, 1, 1, 1, 3]) == [206, 206, 206, 205, 617]
    assert split_budget(480, [Decimal("0.5"), Decimal("1.5")]) == [120, 360]
    with pytest.raises(ValueError):
        split_budget(480, [0, 0])


def test_allocate_steps_reaches_the_legal_time() -> None:
    accepted = at(2026, 3, 2, 9)
    budgets = split_budget(15 * 480, [1, 24, 5])  # 240, 5760, 1200
    dues = allocate_steps(accepted, budgets, VN)
    # Desk: 09:00 + 240 = 150 to 11:30 + 90 -> 15:00 Mon 2 Mar.
    # Agency: 6000 min = 12.5 WD -> 12th working day after 2 Mar is Wed 18 Mar,
    # 09:00 + 240 -> 15:00.  Approver: 7200 = 15 WD -> Mon 23 Mar 09:00.
    assert dues == [at(2026, 3, 2, 15), at(2026, 3, 18, 15), at(2026, 3, 23, 9)]
    assert dues[-1] == due_at(accepted, 15, WD, VN)


def test_step_usage_and_charged_step() -> None:
    budgets = [240, 5760, 1200]
    spans = [
        # Desk Mon 2 Mar 09:00-14:00: 150 + 30 = 180 <= 240.
        [(at(2026, 3, 2, 9), at(2026, 3, 2, 14))],
        # Agency Mon 14:00 -> Fri 20 Mar 09:00: Mon 180, Tue 3 - Thu 19 Mar
        # 13 days x 480 = 6240, Fri 120 -> 6540, 780 over.
        [(at(2026, 3, 2, 14), at(2026, 3, 20, 9))],
        # Approver Fri 20 Mar 09:00 -> Mon 23 Mar 09:00: 360 + 120 = 480.
        [(at(2026, 3, 20, 9), at(2026, 3, 23, 9))],
    ]
    assert step_usage(spans, budgets, VN, now=at(2026, 3, 24)) == [
        StepUsage(0, 180, 240, 0),
        StepUsage(1, 6540, 5760, 780),
        StepUsage(2, 480, 1200, 0),
    ]
    assert charged_step(spans, budgets, VN, now=at(2026, 3, 24)) == 1
    # A supplement pause Tue 3 -> Thu 5 Mar 07:00 (960 min) is nobody's time:
    # the agency used 6540 - 960 = 5580 <= 5760, nobody is charged.
    pause = [(at(2026, 3, 3, 7), at(2026, 3, 5, 7))]
    assert step_usage(spans, budgets, VN, pauses=pause, now=at(2026, 3, 24))[1].used == 5580
    assert charged_step(spans, budgets, VN, pauses=pause, now=at(2026, 3, 24)) is None
    # A step not reached yet has used nothing; an open span runs to now
    # (Mon 2 Mar 09:00 -> 10:00 = 60).
    open_spans = [[(at(2026, 3, 2, 9), None)]]
    usage = step_usage(open_spans, budgets, VN, now=at(2026, 3, 2, 10))
    assert [u.used for u in usage] == [60, 0, 0]


# -- classification ---------------------------------------------------------------------


def test_classify_finished() -> None:
    due = at(2026, 2, 25, 16)
    assert classify(due, VN, finished_at=at(2026, 2, 24, 10)) is Outcome.EARLY
    # Same date, before or at the due moment: on time.
    assert classify(due, VN, finished_at=at(2026, 2, 25, 9)) is Outcome.ON_TIME
    assert classify(due, VN, finished_at=due) is Outcome.ON_TIME
    # One minute late is late.
    assert classify(due, VN, finished_at=at(2026, 2, 25, 16, 1)) is Outcome.LATE
    # Date compared in Vietnam: 24 Feb 18:00 UTC is 25 Feb 01:00 here -> on time.
    assert classify(due, VN, finished_at=datetime(2026, 2, 24, 18, tzinfo=UTC)) is Outcome.ON_TIME


def test_classify_open() -> None:
    due = at(2026, 2, 25, 16)
    assert classify(due, VN, now=at(2026, 2, 25, 16)) is Outcome.ON_TIME
    assert classify(due, VN, now=at(2026, 2, 25, 16, 1)) is Outcome.OVERDUE
    with time_machine.travel(at(2026, 2, 26, 8), tick=False):
        assert classify(due, VN) is Outcome.OVERDUE


def test_due_soon() -> None:
    due = at(2026, 3, 9, 17)  # Monday
    # Fri 6 Mar 17:00 -> Mon 17:00: exactly one working day (480).
    assert due_soon(due, at(2026, 3, 6, 17), VN)
    # Fri 16:59: 481 min left, not yet.
    assert not due_soon(due, at(2026, 3, 6, 16, 59), VN)
    # Saturday: the weekend holds no working time, so 480 left.
    assert due_soon(due, at(2026, 3, 7, 12), VN)
    # Overdue is no longer "due soon".
    assert not due_soon(due, at(2026, 3, 9, 17, 1), VN)
