"""What a center manager watches: open dossiers by agency, the late ones, staff load."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Assignment, Role, User
from catalog.models import Step
from deadlines.calendar import calendar_for_unit
from dossiers.models import Dossier, DossierEvent, Status
from units.models import Unit
from work.queue import OPEN_STATUSES, WORKING, Timing, soon_limit, timing_q
from work.steps import StepReport, step_report

OVERDUE_SHOWN = 50


def centers_for(user: User) -> list[Unit]:
    """The centers a manager runs; every center of the province for its administrator."""
    assignments = list(user.assignments.select_related("unit"))
    managed = {a.unit_id for a in assignments if a.role == Role.MANAGER}
    provinces = {a.unit.province_id or a.unit_id for a in assignments if a.role == Role.ADMIN}
    centers = Unit.objects.centers().filter(Q(pk__in=managed) | Q(province_id__in=provinces))
    return list(centers.order_by("level", "name_vi"))


@dataclass
class AgencyRow:
    unit: Unit | None
    total: int = 0
    overdue: int = 0
    soon: int = 0
    on_time: int = 0
    paused: int = 0
    received: int = 0


def by_agency(center: Unit, now: dt.datetime) -> list[AgencyRow]:
    """Open dossiers received at ``center``, per competent agency and timing."""
    soon = soon_limit(calendar_for_unit(center), now)
    open_here = Dossier.objects.filter(status__in=OPEN_STATUSES, receiving_unit=center)
    counted = (
        open_here.values("competent_unit_id")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=timing_q(Timing.OVERDUE, now, soon)),
            soon=Count("pk", filter=timing_q(Timing.SOON, now, soon)),
            on_time=Count("pk", filter=timing_q(Timing.ON_TIME, now, soon)),
            paused=Count("pk", filter=timing_q(Timing.PAUSED, now, soon)),
            received=Count("pk", filter=Q(status=Status.RECEIVED)),
        )
        .order_by()
    )
    rows = list(counted)
    units = Unit.objects.in_bulk([r["competent_unit_id"] for r in rows])
    result = [
        AgencyRow(
            unit=units.get(r["competent_unit_id"]),
            **{k: v for k, v in r.items() if k != "competent_unit_id"},
        )
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r.overdue, -r.soon, r.unit.name_vi if r.unit else ""))


@dataclass
class LateRow:
    dossier: Dossier
    report: StepReport
    late_by: float  # working minutes
    day_minutes: float


def overdue(center: Unit, now: dt.datetime) -> list[LateRow]:
    """The overdue dossiers of ``center``, most late first, with the agency charged."""
    dossiers = list(
        Dossier.objects.filter(receiving_unit=center, status__in=WORKING, due_at__lt=now)
        .select_related(
            "procedure_version", "case", "receiving_unit", "competent_unit", "assignee", "applicant"
        )
        .order_by("due_at", "pk")[:OVERDUE_SHOWN]
    )
    events: dict[Any, list[DossierEvent]] = defaultdict(list)
    for event in DossierEvent.objects.filter(dossier__in=dossiers).order_by("at", "seq"):
        events[event.dossier_id].append(event)
    steps: dict[Any, list[Step]] = defaultdict(list)
    for step in Step.objects.filter(case_id__in={d.case_id for d in dossiers}).order_by("position"):
        steps[step.case_id].append(step)
    codes = {str(e.data.get("to_unit")) for es in events.values() for e in es if e.data}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    calendar = calendar_for_unit(center)
    rows = []
    for dossier in dossiers:
        report = step_report(
            dossier, events[dossier.pk], steps=steps[dossier.case_id], units=units, now=now
        )
        assert dossier.due_at is not None
        late = calendar.working_minutes_between(dossier.due_at, now)
        rows.append(LateRow(dossier, report, late, calendar.day_minutes))
    return rows


@dataclass
class LoadRow:
    name: str
    user_id: Any
    handled: int = 0  # dossiers they acted on this week
    actions: int = 0
    holding: int = 0  # open dossiers assigned to them now
    roles: list[str] = field(default_factory=list)


def week_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0, 0), tzinfo=local.tzinfo)


def staff_load(center: Unit, now: dt.datetime) -> list[LoadRow]:
    """Per officer: dossiers of this center they handled this week, and those they hold.

    An officer acts for a unit they hold a role in (the center, or the agency the
    event was booked to); applicants who filed online act too, but are not staff.
    """
    as_staff = Exists(
        Assignment.objects.filter(
            Q(unit=OuterRef("unit")) | Q(unit=center.pk), user=OuterRef("actor")
        )
    )
    handled = (
        DossierEvent.objects.filter(
            as_staff, dossier__receiving_unit=center, at__gte=week_start(now), actor__isnull=False
        )
        .values("actor_id", "actor_name")
        .annotate(dossiers=Count("dossier", distinct=True), actions=Count("pk"))
        .order_by()
    )
    rows: dict[Any, LoadRow] = {}
    for row in handled:
        rows[row["actor_id"]] = LoadRow(
            row["actor_name"], row["actor_id"], row["dossiers"], row["actions"]
        )
    holding = (
        Dossier.objects.filter(
            receiving_unit=center, status__in=OPEN_STATUSES, assignee__isnull=False
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = {r["assignee_id"]: r["n"] for r in holding}
    missing = set(held) - set(rows)
    for user in User.objects.filter(pk__in=missing):
        rows[user.pk] = LoadRow(user.get_full_name(), user.pk)
    for pk, count in held.items():
        rows[pk].holding = count
    return sorted(rows.values(), key=lambda r: (-r.handled, -r.holding, r.name))
