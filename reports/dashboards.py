"""What the center manager and the province look at every day.

Figures come from the counters (``reports.progress``) except the list of
overdue dossiers and who holds the open ones, which read the few open
dossiers themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from dossiers.models import Dossier, Status
from reports.counters import NIL
from reports.figures import percent
from reports.models import Tally
from reports.progress import Line, Progress, progress

WEEKDAYS = 7
TREND_DAYS = 30
HEAT_WEEKS = 8
OVERDUE_SHOWN = 50


@dataclass
class DaySeries:
    days: list[dt.date] = field(default_factory=list)
    online: list[int] = field(default_factory=list)
    direct: list[int] = field(default_factory=list)
    post: list[int] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)

    def rows(self) -> list[tuple[dt.date, int, int, int, int, int]]:
        return list(
            zip(self.days, self.online, self.direct, self.post, self.done, self.late, strict=True)
        )


def trend(unit_ids: Collection[uuid.UUID], last: dt.date, days: int = TREND_DAYS) -> DaySeries:
    """Received by channel and processed, day by day, for the ``days`` up to ``last``."""
    first = last - dt.timedelta(days=days - 1)
    sums = {
        row["day"]: row
        for row in Tally.objects.filter(
            grain="d", day__range=(first, last), unit_id__in=list(unit_ids), version_id=NIL
        )
        .values("day")
        .annotate(
            online=Sum("received_online"),
            direct=Sum("received_direct"),
            post=Sum("received_post"),
            early=Sum("done_early"),
            on_time=Sum("done_on_time"),
            late=Sum("done_late"),
        )
        .order_by()
    }
    series = DaySeries()
    for n in range(days):
        day = first + dt.timedelta(days=n)
        row = sums.get(day, {})
        series.days.append(day)
        series.online.append(row.get("online") or 0)
        series.direct.append(row.get("direct") or 0)
        series.post.append(row.get("post") or 0)
        late = row.get("late") or 0
        series.done.append((row.get("early") or 0) + (row.get("on_time") or 0) + late)
        series.late.append(late)
    return series


@dataclass
class Heat:
    """Receptions by weekday (Monday first) and hour of the day."""

    hours: list[int]
    cells: list[list[int]]  # [weekday][hour index]
    peak: int
    first: dt.date
    last: dt.date

    def weekday_names(self) -> list[str]:
        return [
            _("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"),
            _("Friday"), _("Saturday"), _("Sunday"),
        ]  # fmt: skip

    def rows(self) -> list[tuple[str, list[tuple[int, int]]]]:
        """(weekday, [(count, shade 0-4)]) for the table."""
        shade = (lambda n: 0) if not self.peak else (lambda n: min(4, -(-4 * n // self.peak)))
        return [
            (name, [(n, shade(n)) for n in self.cells[i]])
            for i, name in enumerate(self.weekday_names())
        ]


def weekday_hours(unit_ids: Collection[uuid.UUID], last: dt.date, weeks: int = HEAT_WEEKS) -> Heat:
    first = last - dt.timedelta(days=7 * weeks - 1)
    rows = (
        Tally.objects.filter(grain="h", day__range=(first, last), unit_id__in=list(unit_ids))
        .values("day", "tag")
        .annotate(n=Sum("received_online") + Sum("received_direct") + Sum("received_post"))
        .order_by()
    )
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["day"].weekday(), int(row["tag"]))
        counts[key] = counts.get(key, 0) + (row["n"] or 0)
    used = sorted({hour for _day, hour in counts})
    hours = list(range(min([7, *used]), max([17, *used]) + 1))
    cells = [[counts.get((day, hour), 0) for hour in hours] for day in range(WEEKDAYS)]
    return Heat(hours, cells, max([0, *counts.values()]), first, last)


def overdue_now(unit_ids: Collection[uuid.UUID], now: dt.datetime) -> list[Dossier]:
    """Open dossiers whose clock runs and whose due moment has passed, oldest due first."""
    return list(
        Dossier.objects.filter(
            receiving_unit_id__in=list(unit_ids),
            status__in=[Status.RECEIVED, Status.PROCESSING],
            due_at__lt=now,
        )
        .select_related("procedure_version__procedure", "competent_unit", "assignee")
        .order_by("due_at")[:OVERDUE_SHOWN]
    )


@dataclass
class Officer:
    user: User | None
    name: str
    received_today: int = 0
    received_month: int = 0
    returned_month: int = 0
    done_month: int = 0
    late_month: int = 0
    holding: int = 0
    holding_overdue: int = 0


def officers(unit_ids: Collection[uuid.UUID], today: dt.date, now: dt.datetime) -> list[Officer]:
    """Who received, returned and resolved what this month, and who holds open dossiers."""
    month = today.replace(day=1)
    rows = (
        Tally.objects.filter(grain="o", day__range=(month, today), unit_id__in=list(unit_ids))
        .values("tag")
        .annotate(
            received=Sum("received_online") + Sum("received_direct") + Sum("received_post"),
            received_today=Sum("received_direct", filter=Q(day=today)),
            received_today_online=Sum("received_online", filter=Q(day=today)),
            received_today_post=Sum("received_post", filter=Q(day=today)),
            returned=Sum("returned_direct") + Sum("returned_online") + Sum("returned_post"),
            done=Sum("done_early") + Sum("done_on_time") + Sum("done_late"),
            late=Sum("done_late"),
        )
        .order_by()
    )
    found: dict[uuid.UUID, Officer] = {}
    for row in rows:
        officer = found.setdefault(uuid.UUID(row["tag"]), Officer(None, ""))
        officer.received_month += row["received"] or 0
        officer.received_today += sum(
            row[k] or 0 for k in ("received_today", "received_today_online", "received_today_post")
        )
        officer.returned_month += row["returned"] or 0
        officer.done_month += row["done"] or 0
        officer.late_month += row["late"] or 0
    holding = (
        Dossier.objects.filter(
            receiving_unit_id__in=list(unit_ids),
            status__in=[
                Status.RECEIVED,
                Status.PROCESSING,
                Status.SUPPLEMENT_REQUESTED,
                Status.FEES_REQUESTED,
            ],
            assignee__isnull=False,
        )
        .values("assignee")
        .annotate(
            n=Count("id"),
            overdue=Count(
                "id",
                filter=Q(status__in=[Status.RECEIVED, Status.PROCESSING], due_at__lt=now),
            ),
        )
        .order_by()
    )
    for row in holding:
        officer = found.setdefault(row["assignee"], Officer(None, ""))
        officer.holding, officer.holding_overdue = row["n"], row["overdue"]
    users = User.objects.in_bulk(list(found))
    for user_id, officer in found.items():
        officer.user = users.get(user_id)
        officer.name = officer.user.get_full_name() if officer.user else str(user_id)[:8]
    return sorted(found.values(), key=lambda o: (-o.received_month - o.done_month, o.name))


@dataclass
class CenterBoard:
    today: Line
    month: Line
    month_report: Progress
    trend: DaySeries
    heat: Heat
    top: list[Line]
    overdue: list[Dossier]
    officers: list[Officer]


def center_board(unit_ids: Collection[uuid.UUID], now: dt.datetime) -> CenterBoard:
    today = now.date()
    month = progress(unit_ids=unit_ids, start=today.replace(day=1), end=today, by="procedure")
    top = sorted(month.lines, key=lambda line: (-line.new, line.code))[:10]
    return CenterBoard(
        today=progress(unit_ids=unit_ids, start=today, end=today).total,
        month=month.total,
        month_report=month,
        trend=trend(unit_ids, today),
        heat=weekday_hours(unit_ids, today),
        top=top,
        overdue=overdue_now(unit_ids, now),
        officers=officers(unit_ids, today, now),
    )


@dataclass
class Ranked:
    rank: int
    line: Line


def ranking(report: Progress) -> list[Ranked]:
    """Centers by on-time rate, then fewest overdue in process, then online share."""
    lines = sorted(
        report.lines,
        key=lambda x: (
            -(x.on_time_rate if x.on_time_rate is not None else -1),
            x.running_overdue,
            -(x.online_share or 0),
            x.code,
        ),
    )
    return [Ranked(i + 1, line) for i, line in enumerate(lines)]


def chart_data(report: Progress) -> dict[str, Any]:
    """What the province charts draw, in the order of the table below them."""
    lines = report.lines
    return {
        "labels": [x.label for x in lines],
        "online": [x.new_online for x in lines],
        "direct": [x.new_direct for x in lines],
        "post": [x.new_post for x in lines],
        "on_time": [_percent(x.on_time_rate) for x in lines],
        "online_share": [_percent(x.online_share) for x in lines],
    }


def _percent(share: Fraction | None) -> float | None:
    """A share as the chart's percentage, rounded as the table under it shows it."""
    shown = percent(share)
    return None if shown is None else float(shown)
