"""Working time: the days and hours of a unit that count, and positions on that time line."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

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
US_PER_MINUTE = 60 * _US_PER_SECOND
US_PER_DAY = 86_400 * _US_PER_SECOND

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


def require_aware(moment: datetime, what: str = "moment") -> None:
    """Refuse a naive datetime: every moment the engine takes carries its time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"The {what} must be an aware datetime (with a time zone).")


def non_negative_amount(value: Number, what: str = "value") -> float:
    """``value`` as a float, refused unless it is a finite number of at least zero."""
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
        require_aware(moment)
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
        return self._day_us / US_PER_MINUTE

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
        amount = round(non_negative_amount(minutes, "number of minutes") * US_PER_MINUTE)
        if amount <= 0:
            return self._local(start)
        return self._at(self._pos(start) + amount)

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes inside [a, b]; zero when ``b`` is not after ``a``."""
        require_aware(a)
        require_aware(b)
        if b <= a:
            return 0.0
        return (self._pos(b) - self._pos(a)) / US_PER_MINUTE

    def _working_us(self, a: datetime, b: datetime) -> int:
        return self._pos(b) - self._pos(a) if b > a else 0


def merge_spans(
    intervals: Iterable[Interval], now: datetime | None, floor: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """Sorted, non-overlapping spans; open spans end at ``now``, all start at ``floor``."""
    closed: list[tuple[datetime, datetime]] = []
    for begin, end in intervals:
        require_aware(begin, "pause start")
        if end is None:
            if now is None:
                now = datetime.now(VN_TZ)
            end = max(begin, now)
        else:
            require_aware(end, "pause end")
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
