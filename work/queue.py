"""The work queue: open dossiers of the agencies (or center) a person works for.

Sorted by due moment, so the dossier with the least time left comes first;
one page at a time, with every row's facts read in a fixed number of
queries whatever the size of the province.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import BooleanField, Count, Expression, F, Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from catalog.models import Step
from deadlines.calendar import calendar_for_unit
from deadlines.engine import WorkCalendar
from dossiers.models import OPEN, PAUSED, Dossier, DossierQuerySet, Status

# The partial indexes of the queue (dossiers migration 0005) are declared
# with this condition; queries repeat it with ``StatusIn``.
OPEN_STATUSES = sorted(OPEN)
WORKING = [Status.PROCESSING, Status.RECEIVED]
AGENCY_ROLES = {Role.SPECIALIST, Role.APPROVER}
QUEUE_ROLES = {Role.SPECIALIST, Role.APPROVER, Role.MANAGER}


class Timing(StrEnum):
    """Where an open dossier stands against its due moment, as the queue colours it."""

    OVERDUE = "overdue"
    SOON = "soon"
    ON_TIME = "on_time"
    PAUSED = "paused"

    @property
    def label(self) -> str:
        return str(TIMING_LABELS[self])


TIMING_LABELS = {
    Timing.OVERDUE: _("Overdue"),
    Timing.SOON: _("Due within a working day"),
    Timing.ON_TIME: _("On time"),
    Timing.PAUSED: _("Clock stopped"),
}


@dataclass(frozen=True)
class Scope:
    """The units whose dossiers a person's queue shows."""

    agencies: frozenset[Any]
    centers: frozenset[Any]

    def __bool__(self) -> bool:
        return bool(self.agencies or self.centers)

    def q(self) -> Q:
        if not self:
            return Q(pk__in=[])
        where = Q()
        if self.agencies:
            where |= Q(competent_unit_id__in=sorted(self.agencies, key=str))
        if self.centers:
            where |= Q(receiving_unit_id__in=sorted(self.centers, key=str))
        return where


def scope_of(user: User) -> Scope:
    assignments = list(user.assignments.all())
    return Scope(
        agencies=frozenset(a.unit_id for a in assignments if a.role in AGENCY_ROLES),
        centers=frozenset(a.unit_id for a in assignments if a.role == Role.MANAGER),
    )


class StatusIn(Expression):
    """``status IN ('a', 'b', ...)`` with the statuses written into the SQL.

    SQLite uses a partial index only when the query repeats the index's
    condition, and it cannot tell whether bound parameters do; the statuses
    are constants of the code, so they are written out instead.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, statuses: Iterable[str]) -> None:
        super().__init__()
        self.statuses = sorted(str(s) for s in statuses)
        if not all(s.replace("_", "").isalnum() for s in self.statuses):
            raise ValueError("statuses are plain words")
        self.column: Any = F("status")

    def resolve_expression(self, *args: Any, **kwargs: Any) -> StatusIn:
        resolved = copy.copy(self)
        resolved.column = self.column.resolve_expression(*args, **kwargs)
        return resolved

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.column)
        values = ", ".join(f"'{s}'" for s in self.statuses)
        return f"{sql} IN ({values})", list(params)


def open_dossiers(scope: Scope) -> DossierQuerySet:
    return Dossier.objects.filter(StatusIn(OPEN_STATUSES)).filter(scope.q())


@dataclass(frozen=True)
class Filters:
    who: str = ""  # "", "mine", "unassigned", "approval"
    procedure: str = ""
    status: str = ""
    timing: str = ""


def soon_limit(calendar: WorkCalendar, now: dt.datetime) -> dt.datetime:
    """The last due moment that counts as due within one working day from ``now``."""
    return calendar.add_working_minutes(now, calendar.day_minutes)


def timing_q(timing: str, now: dt.datetime, soon: dt.datetime) -> Q:
    if timing == Timing.OVERDUE:
        return Q(status__in=WORKING, due_at__lt=now)
    if timing == Timing.SOON:
        return Q(status__in=WORKING, due_at__gte=now, due_at__lte=soon)
    if timing == Timing.ON_TIME:
        return Q(status__in=WORKING, due_at__gt=soon)
    if timing == Timing.PAUSED:
        return Q(status__in=sorted(PAUSED))
    return Q()


def filtered(
    queryset: DossierQuerySet,
    filters: Filters,
    user: User,
    now: dt.datetime,
    soon: dt.datetime,
) -> DossierQuerySet:
    if filters.who == "mine":
        queryset = queryset.filter(assignee=user)
    elif filters.who == "unassigned":
        queryset = queryset.filter(assignee__isnull=True, status=Status.PROCESSING)
    elif filters.who == "approval":
        queryset = queryset.filter(result_proposed_at__isnull=False)
    if filters.procedure:
        queryset = queryset.filter(procedure_version__procedure_id=filters.procedure)
    if filters.status in OPEN_STATUSES:
        queryset = queryset.filter(status=filters.status)
    return queryset.filter(timing_q(filters.timing, now, soon))


def counts(
    queryset: DossierQuerySet, user: User, now: dt.datetime, soon: dt.datetime
) -> dict[str, int]:
    """How many dossiers the queue holds, how many are late or nearly, and how many are mine."""
    return queryset.aggregate(
        total=Count("*"),
        overdue=Count("due_at", filter=timing_q(Timing.OVERDUE, now, soon)),
        soon=Count("due_at", filter=timing_q(Timing.SOON, now, soon)),
        paused=Count("due_at", filter=timing_q(Timing.PAUSED, now, soon)),
        mine=Count("due_at", filter=Q(assignee=user)),
    )


def known_count(filters: Filters, totals: dict[str, int]) -> int | None:
    """The number of dossiers ``filters`` select when the header counts already hold it."""
    if filters == Filters():
        return totals["total"]
    if filters == Filters(who="mine"):
        return totals["mine"]
    if filters.timing in {"overdue", "soon", "paused"} and filters == Filters(
        timing=filters.timing
    ):
        return totals[filters.timing]
    return None


@dataclass
class Row:
    dossier: Dossier
    timing: Timing
    left: float  # working minutes to the due moment; negative when overdue
    day_minutes: float
    step: Step | None


def timing_of(dossier: Dossier, calendar: WorkCalendar, now: dt.datetime) -> tuple[Timing, float]:
    due = dossier.due_at
    if due is None:
        return Timing.ON_TIME, 0.0
    if dossier.status in PAUSED:
        left = calendar.working_minutes_between(dossier.paused_at or now, due)
        return Timing.PAUSED, left
    if now > due:
        return Timing.OVERDUE, -calendar.working_minutes_between(due, now)
    left = calendar.working_minutes_between(now, due)
    return (Timing.SOON if left <= calendar.day_minutes else Timing.ON_TIME), left


def rows_for(dossiers: Iterable[Dossier], now: dt.datetime) -> list[Row]:
    """The page's rows with their timing and current step, in one query for the steps."""
    page = list(dossiers)
    steps = {
        (s.case_id, s.position): s
        for s in Step.objects.filter(case_id__in={d.case_id for d in page})
    }
    rows = []
    for dossier in page:
        calendar = calendar_for_unit(dossier.receiving_unit)
        timing, left = timing_of(dossier, calendar, now)
        step = steps.get((dossier.case_id, dossier.step))
        rows.append(Row(dossier, timing, left, calendar.day_minutes, step))
    return rows


def nav_label(user: User, label: Any) -> Any:
    """The header link's label with the number of open dossiers assigned to ``user``."""
    mine = Dossier.objects.filter(StatusIn(OPEN_STATUSES), assignee=user).count()
    if not mine:
        return label
    title = ngettext(
        "%(n)d open dossier assigned to you", "%(n)d open dossiers assigned to you", mine
    ) % {"n": mine}
    return format_html('{} <span class="tag" title="{}">{}</span>', label, title, mine)
