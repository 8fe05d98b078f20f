"""Deadline arithmetic for dossiers: working time, due moments, pauses and steps.

This module is plain Python on purpose: no Django, no database. Pages,
reports and the benchmark call it thousands of times per request, so it keeps
a precomputed table of working days per calendar and answers every question
with a binary search plus a little arithmetic.

The model of time
-----------------
A ``WorkCalendar`` says which days are working days (Monday to Friday, minus
announced days off, plus make-up Saturdays or Sundays) and which hours of such
a day count (by default 07:00-11:30 and 13:30-17:00, an 8-hour day).

Internally every moment is mapped to its *position*: the number of working
microseconds between a fixed origin and that moment. Positions only grow while
the clock runs and stand still outside working time, so:

* working time between two moments is the difference of their positions;
* adding working time is finding the earliest moment whose position reaches
  the target, which makes a deadline that ends exactly at 11:30 or 17:00 land
  there and not at the start of the next period.

Integer microseconds (the resolution of ``datetime``) keep the arithmetic
exact: adding and then measuring gives back the same number.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_PERIODS",
    "VN_TZ",
    "Interval",
    "Number",
    "Outcome",
    "StepUsage",
    "TimeUnit",
    "WorkCalendar",
    "allocate_steps",
    "charged_step",
    "classify",
    "due_at",
    "due_soon",
    "due_with_pauses",
    "split_budget",
    "step_usage",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
# Same-day procedures received after this time are due the next working day.
DEFAULT_CUTOFF = time(15, 0)

Number = int | float | Decimal
# A span of time; an open span (end None) runs up to "now".
Interval = tuple[datetime, datetime | None]

_US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * _US_PER_SECOND
_US_PER_DAY = 86_400 * _US_PER_SECOND

# The working-day table first covers these years, which holds every dossier
# the software will realistically see, and grows when a date outside shows up.
_TABLE_FIRST = date(2000, 1, 1).toordinal()
_TABLE_END = date(2061, 1, 1).toordinal()
_GROW_DAYS = 3653
# Positions count from this ordinal. It stays inside the table however the
# table grows, so positions computed before and after a growth agree.
_ORIGIN = _TABLE_FIRST
_MIN_ORD = date.min.toordinal()
_MAX_ORD = date.max.toordinal()


class TimeUnit(StrEnum):
    """How a procedure's processing time is expressed (same values as the catalog)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"


class Outcome(StrEnum):
    """Where a dossier stands against its due moment."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"


class _Table:
    """Sorted ordinals of the working days in [lo, hi).

    Every working day has the same periods, so the working time before the
    i-th working day is i times the day length: this list *is* the cumulative
    table, and adding working time becomes a bisect instead of a day loop.
    """

    __slots__ = ("hi", "lo", "ords", "origin")

    def __init__(self, lo: int, hi: int, ords: list[int]) -> None:
        self.lo = lo
        self.hi = hi
        self.ords = ords
        self.origin = bisect_left(ords, _ORIGIN)


def _to_us(value: time) -> int:
    if value.tzinfo is not None:
        raise ValueError("Working periods and cut-offs are wall-clock times without a zone.")
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US_PER_SECOND + (
        value.microsecond
    )


def _require_aware(moment: datetime, what: str = "moment") -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"The {what} must be an aware datetime (with a time zone).")


def _amount(value: Number, what: str = "value") -> float:
    if isinstance(value, bool):
        raise ValueError(f"The {what} must be a number.")
    amount = float(value)
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"The {what} must be a finite number of at least zero.")
    return amount


@dataclass(frozen=True)
class WorkCalendar:
    """The working days and hours of one unit.

    Saturday and Sunday are off unless listed in ``working_days`` (make-up
    days the government swaps for a bridged weekday). ``days_off`` holds the
    weekday holidays and bridged days. Periods are half-open: a moment at
    17:00 sharp is already outside the afternoon period.

    Instances are immutable and hashable; the working-day table is built on
    first use and kept on the instance, so share one instance per unit.
    """

    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    same_day_cutoff: time = DEFAULT_CUTOFF
    tz: tzinfo = VN_TZ

    # Derived in __post_init__; not part of equality or the hash.
    _spans: tuple[tuple[int, int, int], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _day_us: int = field(init=False, repr=False, compare=False, default=0)
    _off: frozenset[int] = field(init=False, repr=False, compare=False, default=frozenset())
    _extra: frozenset[int] = field(init=False, repr=False, compare=False, default=frozenset())
    _table: _Table | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("A calendar needs at least one working period.")
        spans: list[tuple[int, int, int]] = []
        before = 0
        previous_end = -1
        for start, end in periods:
            start_us, end_us = _to_us(start), _to_us(end)
            if start_us >= end_us:
                raise ValueError("A working period must end after it starts.")
            if start_us < previous_end:
                raise ValueError("Working periods must be in order and must not overlap.")
            spans.append((start_us, end_us, before))
            before += end_us - start_us
            previous_end = end_us
        _to_us(self.same_day_cutoff)
        days_off = frozenset(self.days_off)
        working_days = frozenset(self.working_days)
        clash = days_off & working_days
        if clash:
            raise ValueError(f"Dates both off and working: {sorted(clash)}")
        setattr_ = object.__setattr__
        setattr_(self, "periods", periods)
        setattr_(self, "days_off", days_off)
        setattr_(self, "working_days", working_days)
        setattr_(self, "_spans", tuple(spans))
        setattr_(self, "_day_us", before)
        setattr_(self, "_off", frozenset(d.toordinal() for d in days_off))
        setattr_(self, "_extra", frozenset(d.toordinal() for d in working_days))

    # -- the working-day table -------------------------------------------------

    def _build(self, lo: int, hi: int) -> _Table:
        off, extra = self._off, self._extra
        ords = [
            o
            for o in range(lo, hi)
            # Ordinal 1 (1 January of year 1) was a Monday, so (o - 1) % 7 is
            # the weekday with Monday = 0.
            if o in extra or ((o - 1) % 7 < 5 and o not in off)
        ]
        table = _Table(lo, hi, ords)
        # A race between two threads only builds the same table twice.
        object.__setattr__(self, "_table", table)
        return table

    def _cover(self, ordinal: int) -> _Table:
        """The table, grown if needed so that it holds ``ordinal``."""
        table = self._table
        if table is None:
            table = self._build(_TABLE_FIRST, _TABLE_END)
        if table.lo <= ordinal < table.hi:
            return table
        lo = min(table.lo, max(_MIN_ORD, ordinal - _GROW_DAYS))
        hi = max(table.hi, min(_MAX_ORD + 1, ordinal + _GROW_DAYS))
        return self._build(lo, hi)

    # -- positions on the working-time line --------------------------------------

    def _local(self, moment: datetime) -> datetime:
        _require_aware(moment)
        return moment.astimezone(self.tz)

    def _pos(self, moment: datetime) -> int:
        """Working microseconds from the origin up to ``moment``."""
        local = self._local(moment)
        ordinal = local.toordinal()
        table = self._table
        if table is None or not table.lo <= ordinal < table.hi:
            table = self._cover(ordinal)
        ords = table.ords
        i = bisect_left(ords, ordinal)
        pos = (i - table.origin) * self._day_us
        if i < len(ords) and ords[i] == ordinal:
            clock = (
                (local.hour * 60 + local.minute) * 60 + local.second
            ) * _US_PER_SECOND + local.microsecond
            for start, end, before in self._spans:
                if clock <= start:
                    return pos + before
                if clock < end:
                    return pos + before + clock - start
            pos += self._day_us
        return pos

    def _at(self, target: int) -> datetime:
        """The earliest moment whose position reaches ``target``.

        The remainder is taken in (0, day length], so a target that is a whole
        number of days lands at the end of the last period (17:00), never at
        07:00 the next working day.
        """
        day_us = self._day_us
        q, r = divmod(target - 1, day_us)
        r += 1
        table = self._table if self._table is not None else self._cover(_ORIGIN)
        i = q + table.origin
        while not 0 <= i < len(table.ords):
            table = self._cover(self._edge(table, upward=i >= 0))
            i = q + table.origin
        ordinal = table.ords[i]
        for start, end, before in self._spans:
            if r <= before + end - start:
                return self._moment(ordinal, start + r - before)
        raise AssertionError("unreachable: remainder exceeds the day length")  # pragma: no cover

    def _moment(self, ordinal: int, clock: int) -> datetime:
        day = date.fromordinal(ordinal)
        seconds, micro = divmod(clock, _US_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime(day.year, day.month, day.day, hour, minute, second, micro, self.tz)

    @staticmethod
    def _edge(table: _Table, *, upward: bool) -> int:
        """The first ordinal just outside the table, in the direction it must grow."""
        edge = table.hi if upward else table.lo - 1
        if not _MIN_ORD <= edge <= _MAX_ORD:
            raise ValueError("The deadline falls outside the dates Python can represent.")
        return edge

    def _next_working_ordinal(self, ordinal: int, *, after: bool = False) -> int:
        """The first working day on (or, with ``after``, strictly after) ``ordinal``."""
        table = self._cover(ordinal)
        find = bisect_right if after else bisect_left
        i = find(table.ords, ordinal)
        while i >= len(table.ords):
            table = self._cover(self._edge(table, upward=True))
            i = find(table.ords, ordinal)
        return table.ords[i]

    def _day_end(self, ordinal: int) -> datetime:
        return self._moment(ordinal, self._spans[-1][1])

    # -- public questions ----------------------------------------------------------

    @property
    def day_minutes(self) -> float:
        """Length of one working day in minutes (480 for the default periods)."""
        return self._day_us / _US_PER_MINUTE

    def is_working_day(self, day: date) -> bool:
        """True for Monday-Friday not off, and for listed make-up days."""
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def next_working_start(self, moment: datetime) -> datetime:
        """When the clock starts for something received at ``moment``.

        Inside a working period that is the moment itself; outside (lunch,
        evening, a weekend or a holiday) it is the start of the next period.
        The answer is in the calendar's time zone.
        """
        local = self._local(moment)
        ordinal = local.toordinal()
        if self.is_working_day(local.date()):
            clock = (
                (local.hour * 60 + local.minute) * 60 + local.second
            ) * _US_PER_SECOND + local.microsecond
            for start, end, _before in self._spans:
                if clock < start:
                    return self._moment(ordinal, start)
                if clock < end:
                    return local
        following = self._next_working_ordinal(ordinal, after=True)
        return self._moment(following, self._spans[0][0])

    def add_working_minutes(self, start: datetime, minutes: Number) -> datetime:
        """The earliest moment by which ``minutes`` of working time have run since ``start``.

        Time outside the working periods does not count. Landing exactly on
        the end of a period returns that end (11:30, 17:00). Adding zero
        returns ``start`` unchanged (in the calendar's zone).
        """
        amount = round(_amount(minutes, "number of minutes") * _US_PER_MINUTE)
        if amount <= 0:
            return self._local(start)
        return self._at(self._pos(start) + amount)

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes inside [a, b]; zero when ``b`` is not after ``a``."""
        _require_aware(a)
        _require_aware(b)
        if b <= a:
            return 0.0
        return (self._pos(b) - self._pos(a)) / _US_PER_MINUTE

    def _working_us(self, a: datetime, b: datetime) -> int:
        return self._pos(b) - self._pos(a) if b > a else 0


# -- due moments -----------------------------------------------------------------------


def _unit(unit: str) -> TimeUnit:
    try:
        return TimeUnit(unit)
    except ValueError:
        raise ValueError(f"Unknown time unit {unit!r}.") from None


def _calendar_day_due(calendar: WorkCalendar, start: datetime, days: int) -> datetime:
    # Civil Code art. 147-148: a period counted in days ends at the end of its
    # last day; if that day is a weekly rest day or a holiday, the period ends
    # at the end of the next working day. "End of the day" for an office is
    # the end of its last working period.
    last = start.toordinal() + days
    return calendar._day_end(calendar._next_working_ordinal(last))


def _same_day_due(calendar: WorkCalendar, start: datetime) -> datetime:
    # Received up to the cut-off (15:00): due at the end of the same working
    # day. Received after it: due at the end of the next working day. The
    # clock start is always on a working day here.
    ordinal = start.toordinal()
    if start.time() > calendar.same_day_cutoff:
        ordinal = calendar._next_working_ordinal(ordinal, after=True)
    return calendar._day_end(ordinal)


def due_at(accepted_at: datetime, value: Number, unit: str, calendar: WorkCalendar) -> datetime:
    """The moment a dossier accepted at ``accepted_at`` is due.

    The clock starts at acceptance, or at the next working period when the
    dossier was accepted outside working hours.

    * ``working_days``: ``value`` working days of working time are added to
      the clock start (fractions such as 0.5 are half a working day).
    * ``same_day``: the end of the clock start's working day, or of the next
      working day when the clock starts after the cut-off; ``value`` is not
      used.
    * ``calendar_days``: the end of the last working period on the date
      ``value`` days after the clock start's date, moved to the end of the
      next working day when that date is not one (Civil Code art. 148). A
      fraction of a day counts as a whole day, since such periods only end
      at the end of a day.

    Raises ``ValueError`` for naive datetimes, negative values or an unknown
    unit. The answer is in the calendar's time zone.
    """
    kind = _unit(unit)
    amount = _amount(value)
    if kind is TimeUnit.WORKING_DAYS:
        work = round(amount * calendar._day_us)
        if work > 0:
            # Adding from the acceptance moment equals adding from the clock
            # start, because the gap between them holds no working time.
            return calendar._at(calendar._pos(accepted_at) + work)
        return calendar.next_working_start(accepted_at)
    start = calendar.next_working_start(accepted_at)
    if kind is TimeUnit.SAME_DAY:
        return _same_day_due(calendar, start)
    return _calendar_day_due(calendar, start, math.ceil(amount))


def _merged(
    intervals: Iterable[Interval], now: datetime | None, floor: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """Sorted, non-overlapping spans; open spans end at ``now``, all start at ``floor``."""
    closed: list[tuple[datetime, datetime]] = []
    for begin, end in intervals:
        _require_aware(begin, "pause start")
        if end is None:
            if now is None:
                now = datetime.now(VN_TZ)
            end = max(begin, now)
        else:
            _require_aware(end, "pause end")
            if end < begin:
                raise ValueError("A span cannot end before it starts.")
        if floor is not None and begin < floor:
            begin = floor
        if end > begin:
            closed.append((begin, end))
    closed.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in closed:
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def due_with_pauses(
    accepted_at: datetime,
    value: Number,
    unit: str,
    calendar: WorkCalendar,
    pauses: Sequence[Interval],
    now: datetime | None = None,
) -> datetime:
    """The due moment after the clock stood still during ``pauses``.

    A supplement request or a wait for fees stops the clock; when it restarts
    the due moment moves later by the working time spent paused. A pause still
    open counts up to ``now`` (the current time when not given). Overlapping
    pauses count once, and only time after the clock start counts.

    For calendar-day procedures the due date moves by the calendar days
    paused, rounded up to whole days, and the end-of-day rule of Civil Code
    art. 148 is applied again to the new date.
    """
    kind = _unit(unit)
    amount = _amount(value)
    start = calendar.next_working_start(accepted_at)
    spans = _merged(pauses, now, floor=start)
    if kind is TimeUnit.CALENDAR_DAYS:
        paused = sum((end - begin for begin, end in spans), timedelta())
        paused_us = paused // timedelta(microseconds=1)
        extra_days = -(-paused_us // _US_PER_DAY)
        return _calendar_day_due(calendar, start, math.ceil(amount) + extra_days)
    base = due_at(accepted_at, amount, kind, calendar)
    paused_work = sum(calendar._working_us(begin, end) for begin, end in spans)
    if paused_work <= 0:
        return base
    return calendar._at(calendar._pos(base) + paused_work)


# -- steps ---------------------------------------------------------------------------------


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
        used += round(_amount(budget, "budget") * _US_PER_MINUTE)
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
    paused = _merged(pauses, now)
    rows: list[tuple[int, int]] = []
    for i, budget in enumerate(budgets):
        spans = _merged(intervals[i], now) if i < len(intervals) else []
        budget_us = round(_amount(budget, "budget") * _US_PER_MINUTE)
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
            used=used / _US_PER_MINUTE,
            budget=budget / _US_PER_MINUTE,
            over=max(0, used - budget) / _US_PER_MINUTE,
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


# -- classification ----------------------------------------------------------------------


def classify(
    due: datetime,
    calendar: WorkCalendar,
    *,
    finished_at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Early, on time or late for a finished dossier; on time or overdue for an open one.

    Finished: ``late`` when it finished after the due moment, even by a
    minute; ``early`` when it finished on a calendar date before the due
    date; otherwise ``on_time``. Open (no ``finished_at``): ``overdue`` once
    ``now`` (the current time when not given) is after the due moment.
    Dates are read in the calendar's time zone.
    """
    _require_aware(due, "due moment")
    if finished_at is not None:
        _require_aware(finished_at, "finish moment")
        if finished_at > due:
            return Outcome.LATE
        if finished_at.astimezone(calendar.tz).date() < due.astimezone(calendar.tz).date():
            return Outcome.EARLY
        return Outcome.ON_TIME
    if now is None:
        now = datetime.now(calendar.tz)
    _require_aware(now, "current moment")
    return Outcome.OVERDUE if now > due else Outcome.ON_TIME


def due_soon(due: datetime, now: datetime, calendar: WorkCalendar) -> bool:
    """True while an open dossier is not yet overdue but has at most one working day left.

    One working day is the calendar's day length (480 minutes by default), so
    a dossier due Monday 17:00 is "due soon" from Friday 17:00 on.
    """
    _require_aware(due, "due moment")
    _require_aware(now, "current moment")
    if now > due:
        return False
    return calendar._working_us(now, due) <= calendar._day_us
