"""A year of demo dossiers, made by driving the real services through simulated time.

``history_simulate`` walks the days of a period one by one. Each day every
center of the demo province gets arrivals that follow the patterns the seed
articles describe: Monday peaks, a year-end rush, identity cards, driving
licences and criminal records first. Each arrival is then carried through
its life by the people who would really act: the desk receives and routes,
the agency's approver assigns and resolves, the desk hands the result over.
Every change goes through ``dossiers.services`` with ``at=`` set to the
simulated moment, so statuses, due moments and the event log are exactly
what the software itself produces.

The period ends "now": dossiers received in the last days are still open,
some waiting for papers or fees, a few already overdue.

Running it again does not duplicate anything. The last simulated day is kept
in a ``sequences`` row; a later run only simulates the days after it,
picking up the dossiers still open.

The package's modules, by theme:

- ``rates``: how many dossiers arrive and how often each turn of events happens;
- ``people``: made-up citizens and businesses;
- ``staff``: the desk officers, specialists and approvers who act;
- ``cases``: the published cases and their share of the demand;
- ``tracks``: what is kept about each center and each dossier on its way;
- ``processing``: the queue, who acts, and the steps from assignment to hand-over;
- ``simulation``: the days, the arrivals and the intake at the desk.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.test.utils import override_settings
from django.utils import timezone
from sequences.models import Sequence

from catalog.models import Procedure
from core.demo import PROVINCE
from deadlines.engine import VN_TZ
from dossiers.history.people import FAMILY_NAMES, id_number_for, person_new
from dossiers.history.rates import DEFAULT_VOLUME
from dossiers.history.simulation import Simulation
from dossiers.history.staff import staff_ensure
from dossiers.models import Dossier, Status
from units.models import Unit

__all__ = [
    "DEFAULT_VOLUME",
    "FAMILY_NAMES",
    "HistoryError",
    "HistoryResult",
    "history_simulate",
    "id_number_for",
    "person_new",
    "staff_ensure",
]

MARKER_PREFIX = "demo-history:"


class HistoryError(Exception):
    """The history cannot be made (no demo province, a date in the future)."""


@dataclass
class HistoryResult:
    start: dt.date
    until: dt.date
    created: int
    skipped: bool
    seconds: float
    staff_created: int
    by_status: dict[str, int]
    on_time: int
    finished: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.finished if self.finished else None

    def summary(self) -> str:
        total = sum(self.by_status.values())
        mix = ", ".join(
            f"{status.replace('_', ' ')} {n:,}"
            for status, n in sorted(self.by_status.items(), key=lambda item: -item[1])
        )
        rate = f"{self.on_time_rate:.1%}" if self.on_time_rate is not None else "n/a"
        head = (
            f"Demo history already up to {self.until:%d/%m/%Y}"
            if self.skipped
            else f"Demo history {self.start:%d/%m/%Y}-{self.until:%d/%m/%Y}: "
            f"{self.created:,} new dossiers in {self.seconds:.0f} s"
        )
        return f"{head}; {total:,} in all ({mix}); on time {rate}."


@contextmanager
def _quiet_queries() -> Iterator[None]:
    # With DEBUG on, every query is formatted and logged; that is a tenth of
    # the run time here and tells nobody anything.
    with override_settings(DEBUG=False):
        yield


def _province() -> Unit:
    province = Unit.objects.filter(code=PROVINCE.code).first()
    if province is None:
        raise HistoryError("The demo province is not loaded: run manage.py demo first.")
    return province


def _status_mix(province: Unit) -> tuple[dict[str, int], int, int]:
    dossiers = Dossier.objects.filter(receiving_unit__province=province).exclude(
        status=Status.DRAFT
    )
    by_status = dict(
        dossiers.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    done = dossiers.filter(
        status__in=[Status.RESOLVED, Status.RETURNED], due_at__isnull=False
    ).aggregate(
        finished=Count("id"),
        on_time=Count("id", filter=Q(finished_at__lte=F("due_at"))),
    )
    return by_status, done["on_time"], done["finished"]


def history_simulate(
    *,
    days: int = 365,
    seed: int = 1,
    until: dt.date | None = None,
    volume: float = DEFAULT_VOLUME,
    now: dt.datetime | None = None,
    progress: Callable[[dt.date], None] | None = None,
) -> HistoryResult:
    """Fill the demo province with ``days`` of dossiers ending ``until`` (today by default).

    On today the simulation stops at the current moment; on an earlier
    ``until`` at the end of that day. Days already simulated are skipped.
    """
    began = time.perf_counter()
    real_now = now or timezone.now()
    today = timezone.localdate(real_now)
    until = until or today
    if until > today:
        raise HistoryError(f"The history cannot end in the future ({until:%d/%m/%Y}).")
    if days < 1:
        raise HistoryError("Simulate at least one day.")
    cap = (
        real_now.astimezone(VN_TZ)
        if until == today
        else dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), VN_TZ)
    )
    province = _province()
    if not Procedure.objects.published().exists():
        raise HistoryError("The catalog is empty: run manage.py demo first.")
    staff = staff_ensure(province=province, seed=seed)
    marker = f"{MARKER_PREFIX}{province.code}"
    done = Sequence.objects.filter(name=marker).values_list("last", flat=True).first()
    start = until - dt.timedelta(days=days - 1)
    resume = done is not None
    if done is not None:
        start = max(start, dt.date.fromordinal(done + 1))
    created = 0
    if start <= until:
        with _quiet_queries():
            simulation = Simulation(
                province=province, staff=staff, seed=seed, volume=volume, now=cap
            )
            if resume:
                simulation.resume_open(dt.datetime.combine(start, dt.time(), VN_TZ))
            day = start
            while day <= until:
                with transaction.atomic():
                    simulation.run_day(day)
                    Sequence.objects.update_or_create(
                        name=marker, defaults={"last": day.toordinal()}
                    )
                if progress is not None:
                    progress(day)
                day += dt.timedelta(days=1)
            created = simulation.created
    by_status, on_time, finished = _status_mix(province)
    return HistoryResult(
        start=start,
        until=until,
        created=created,
        skipped=start > until,
        seconds=time.perf_counter() - began,
        staff_created=staff.created,
        by_status=by_status,
        on_time=on_time,
        finished=finished,
    )
