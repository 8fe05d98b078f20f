"""Deadline arithmetic for dossiers: working time, due moments, pauses and steps.

This package is plain Python on purpose: no Django, no database. Pages,
reports and the benchmark call it thousands of times per request, so it keeps
a precomputed table of working days per calendar and answers every question
with a binary search plus a little arithmetic. Callers import from here:
``from deadlines.engine import due_at``.

- ``working_time``: the calendar of working days and hours, and positions on it;
- ``due``: the due moment from acceptance, and after pauses;
- ``steps``: budgets per step, their due moments, and which step a delay is charged to;
- ``outcome``: early, on time, late or overdue, and due soon.

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

from deadlines.engine.due import TimeUnit, due_at, due_with_pauses
from deadlines.engine.outcome import Outcome, classify, due_soon
from deadlines.engine.steps import (
    StepUsage,
    allocate_steps,
    charged_step,
    split_budget,
    step_usage,
)
from deadlines.engine.working_time import (
    DEFAULT_CUTOFF,
    DEFAULT_PERIODS,
    VN_TZ,
    Interval,
    Number,
    WorkCalendar,
)

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
