"""Calendars shared by the deadline tests, built without the database.

``VN`` holds the days the seed would write for 2023-2028 (library plus the
announced days in fixtures/official_days_off.json); ``PLAIN`` has weekends only.
"""

from datetime import datetime

from deadlines.engine import VN_TZ, WorkCalendar
from deadlines.seed import calendar_from_plan, planned_days

VN = calendar_from_plan(planned_days(range(2023, 2029)))
PLAIN = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware moment on Vietnamese wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
