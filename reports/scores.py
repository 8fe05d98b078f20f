"""Scores of Decision 766/QĐ-TTg that MotCua's own data can support.

The decision scores service to citizens and businesses on 100 points:
transparency 18, progress and results 20, online service including payment
22, digitisation 22, satisfaction 18. Its sub-indicators are set by the
national monitoring guide; here each group is split evenly between the
indicators MotCua can measure, every formula is shown with its figures, and
an indicator without data says so and earns nothing: the page reports how
many points could be measured rather than inventing the rest.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.apps import apps
from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deadlines.engine import VN_TZ
from reports.figures import half_up
from reports.progress import Line


@dataclass(frozen=True)
class Indicator:
    name: str | Promise
    formula: str | Promise
    numerator: int | None
    denominator: int | None
    points: Fraction = Fraction(0)  # the indicator's share of its group, exact (22 / 3)

    @property
    def value(self) -> Fraction | None:
        if self.numerator is None or not self.denominator:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def score(self) -> Decimal | None:
        """Points earned, rounded half up to the two decimals every report shows.

        Totals add these rounded points, so a total is the sum of the points printed above it.
        """
        return None if self.value is None else half_up(self.points * self.value)


@dataclass
class Group:
    name: str | Promise
    points: int
    indicators: list[Indicator] = field(default_factory=list)
    note: str | Promise = ""

    @property
    def measured(self) -> Fraction:
        return sum((i.points for i in self.indicators if i.value is not None), Fraction(0))

    @property
    def score(self) -> Decimal | None:
        scored = [i.score for i in self.indicators if i.score is not None]
        return sum(scored, Decimal(0)) if scored else None


def _split(points: int, indicators: list[Indicator]) -> list[Indicator]:
    share = Fraction(points, len(indicators))
    return [Indicator(i.name, i.formula, i.numerator, i.denominator, share) for i in indicators]


def satisfaction(
    unit_ids: Collection[uuid.UUID], start: dt.date, end: dt.date
) -> tuple[int, int] | None:
    """(satisfied or very satisfied, all ratings) of the period, or None without ratings."""
    try:
        rating = apps.get_model("portal", "Rating")
    except LookupError:
        return None
    begin = dt.datetime.combine(start, dt.time(), VN_TZ)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), VN_TZ)
    counts = rating.objects.filter(
        center_id__in=list(unit_ids), created_at__gte=begin, created_at__lt=stop
    ).aggregate(
        all=Count("pk"), good=Count("pk", filter=Q(level__in=["very_satisfied", "satisfied"]))
    )
    if not counts["all"]:
        return None
    return counts["good"], counts["all"]


def groups_766(line: Line, rated: tuple[int, int] | None) -> list[Group]:
    """The five groups for the figures of one report line (usually the total)."""
    good, rated_all = rated if rated else (None, None)
    return [
        Group(
            _("Transparency"),
            18,
            [
                Indicator(
                    _("Public information on procedures"),
                    _("not recorded by MotCua"),
                    None,
                    None,
                    Fraction(18),
                )
            ],
            _("Measured on the national portal, not from dossiers."),
        ),
        Group(
            _("Progress and results"),
            20,
            _split(
                20,
                [
                    Indicator(
                        _("Processed early or on time"),
                        _("(early + on time) / processed"),
                        line.done_early + line.done_on_time,
                        line.done,
                    ),
                ],
            ),
        ),
        Group(
            _("Online service, including payment"),
            22,
            _split(
                22,
                [
                    Indicator(
                        _("Dossiers filed online"),
                        _("received online / received"),
                        line.new_online,
                        line.new,
                    ),
                    Indicator(
                        _("Fees paid online"), _("no record of how fees were paid"), None, None
                    ),
                ],
            ),
        ),
        Group(
            _("Digitisation"),
            22,
            _split(
                22,
                [
                    Indicator(
                        _("Dossiers digitised at reception"),
                        _("dossiers whose every paper was scanned or reused / received"),
                        line.dossiers_digitised,
                        line.new,
                    ),
                    Indicator(
                        _("Papers reused from digitised data"),
                        _("papers reused / papers received"),
                        line.papers_reused,
                        line.papers,
                    ),
                    Indicator(
                        _("Electronic results"),
                        _("results returned online / results returned"),
                        line.returned_online,
                        line.returned,
                    ),
                ],
            ),
        ),
        Group(
            _("Satisfaction"),
            18,
            _split(
                18,
                [
                    Indicator(
                        _("Applicants satisfied"),
                        _("(very satisfied + satisfied) / ratings"),
                        good,
                        rated_all,
                    )
                ],
            ),
        ),
    ]


def total(groups: list[Group]) -> tuple[Decimal, Fraction]:
    """(points earned, points that could be measured), out of 100.

    Earned is the sum of the indicators' rounded points, the figures a reader adds up;
    measured is exact: the groups' points split evenly (7,33 + 7,33 + 7,33 make 22).
    """
    return (
        sum((g.score or Decimal(0) for g in groups), Decimal(0)),
        sum((g.measured for g in groups), Fraction(0)),
    )
