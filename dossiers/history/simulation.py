"""The simulation: its centers, each day's arrivals, intake at the desk, resuming open dossiers."""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable
from typing import Any

from deadlines.calendar import calendar_for_unit
from deadlines.engine import VN_TZ
from dossiers import services
from dossiers.history.cases import CaseInfo, _cases
from dossiers.history.people import (
    DAK_LAK,
    ELSEWHERE,
    PHU_YEN,
    _business_new,
    _place_name,
    _weighted,
    person_new,
)
from dossiers.history.processing import Processing
from dossiers.history.rates import (
    AFTER_BREAK_FACTOR,
    ELSEWHERE_SHARE,
    EXTEND,
    FEES_LAND,
    FEES_OTHER,
    LAND_FIELDS,
    LATE,
    MONTH_FACTOR,
    NON_WORKING_ONLINE,
    ONLINE_SHARE,
    POST_SHARE,
    PROVINCIAL_BASE,
    REFUSE_AT_RECEPTION,
    RESULT_REFUSED,
    RETURNING,
    SUPPLEMENT,
    SUPPLEMENT_ABANDONED,
    WARD_BASE,
    WEEKDAY_FACTOR,
    WITHDRAW,
)
from dossiers.history.staff import Staff
from dossiers.history.tracks import Center, Plan, Track
from dossiers.models import OPEN, Applicant, ApplicantKind, Channel, Dossier, Status
from dossiers.services import ApplicantIn, PaperIn
from units.models import Level, Unit, UnitKind

REFUSAL_REASONS = (
    "Tờ khai không đúng mẫu quy định",
    "Giấy tờ tùy thân đã hết hiệu lực",
    "Hồ sơ không thuộc thẩm quyền giải quyết",
    "Thông tin trên tờ khai không khớp Cơ sở dữ liệu quốc gia về dân cư",
)


class Simulation(Processing):
    """Day by day, the arrivals at every center and their intake; ``Processing`` does the rest."""

    def __init__(
        self,
        *,
        province: Unit,
        staff: Staff,
        seed: int,
        volume: float,
        now: dt.datetime,
    ) -> None:
        super().__init__(staff=staff)
        self.province = province
        self.seed = seed
        self.volume = volume
        self.now = now
        self.created = 0
        self.taken: set[str] = set(
            Applicant.objects.exclude(id_number="").values_list("id_number", flat=True)
        )
        self._competent: dict[tuple[str, str, Any], bool] = {}
        self.centers = self._centers()
        self.handlers: dict[str, Callable[[Track, dt.datetime], None]] = {
            "arrive": self._arrive,
            "submit": self._submit,
            "receive": self._receive,
            "refuse": self._refuse,
            "route": self._route,
            "assign": self._assign,
            "supplement": self._supplement,
            "supplement_back": self._supplement_back,
            "fees": self._fees,
            "pay": self._pay,
            "stop": self._stop,
            "withdraw": self._withdraw,
            "extend": self._extend,
            "resolve": self._resolve,
            "return": self._return,
        }

    # -- setting up ----------------------------------------------------------------------------

    def _centers(self) -> list[Center]:
        units = list(
            Unit.objects.active()
            .centers()
            .filter(province=self.province)
            .select_related("parent")
            .order_by("code")
        )
        committees = list(
            Unit.objects.active()
            .filter(province=self.province, kind=UnitKind.WARD_COMMITTEE)
            .order_by("code")
        )
        cases = _cases()
        centers: list[Center] = []
        ward_index = 0
        for unit in units:
            committee = unit.ward_committee()
            if committee is None:
                base = PROVINCIAL_BASE
                home = self.province.name_vi.replace("UBND ", "")
                births: tuple[tuple[str, float], ...] = ((DAK_LAK, 0.7), (PHU_YEN, 0.15))
            else:
                base = WARD_BASE[ward_index % len(WARD_BASE)]
                ward_index += 1
                place = _place_name(committee)
                home = f"{place}, {self.province.name_vi.replace('UBND ', '')}"
                # Tuy Hòa was the capital of Phú Yên until the 2025 merger.
                births = (
                    ((PHU_YEN, 0.72), (DAK_LAK, 0.16))
                    if "Tuy Hòa" in place
                    else ((DAK_LAK, 0.76), (PHU_YEN, 0.06))
                )
            rest = 1.0 - sum(w for _c, w in births)
            births += tuple((code, rest / len(ELSEWHERE)) for code in ELSEWHERE)
            center = Center(
                unit=unit,
                calendar=calendar_for_unit(unit),
                base=base,
                home=home,
                birth_provinces=births,
            )
            if not self.staff.desks.get(unit.pk):
                continue
            for info, demand in cases:
                at_home = (info.level == Level.WARD) == (committee is not None)
                share = 1.0 if at_home else ELSEWHERE_SHARE
                if info.level == Level.WARD and committee is None:
                    # Filed at the provincial center for a ward: name the ward.
                    for ward in committees:
                        if self._decidable(info, unit, ward):
                            center.choices.append((info, ward))
                            center.weights.append(demand * share / len(committees))
                elif self._decidable(info, unit, None):
                    center.choices.append((info, None))
                    center.weights.append(demand * share)
            if center.choices:
                centers.append(center)
        return centers

    def _decidable(self, info: CaseInfo, unit: Unit, ward: Unit | None) -> bool:
        """Whether a competent agency with an approver exists for this case filed here."""
        key = (info.agency, info.level, unit.pk if ward is None else ward.pk)
        known = self._competent.get(key)
        if known is None:
            competent = unit.competent_unit(info.agency, info.level, ward=ward)
            known = competent is not None and bool(self.staff.approvers.get(competent.pk))
            self._competent[key] = known
        return known

    # -- the queue -----------------------------------------------------------------------------

    def run_day(self, day: dt.date) -> None:
        for center in self.centers:
            self._arrivals(center, day)
        end = min(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), VN_TZ), self.now)
        while self.queue and self.queue[0][0] < end:
            moment, _n, step, track = heapq.heappop(self.queue)
            self.handlers[step](track, moment)

    # -- arrivals ------------------------------------------------------------------------------

    def _factor(self, center: Center, day: dt.date) -> float:
        calendar = center.calendar
        if not calendar.is_working_day(day):
            return NON_WORKING_ONLINE
        factor = WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month - 1]
        off = 0
        previous = day - dt.timedelta(days=1)
        while off < 10 and not calendar.is_working_day(previous):
            off += 1
            previous -= dt.timedelta(days=1)
        if off >= 3:
            factor = max(factor, AFTER_BREAK_FACTOR * MONTH_FACTOR[day.month - 1])
        return factor

    def _arrivals(self, center: Center, day: dt.date) -> None:
        rng = random.Random(f"{self.seed}:{day.isoformat()}:{center.unit.code}")
        working = center.calendar.is_working_day(day)
        mean = center.base * self.volume * self._factor(center, day)
        noisy = max(0.0, rng.gauss(mean, 0.1 * mean))
        count = int(noisy) + (1 if rng.random() < noisy - int(noisy) else 0)
        for _ in range(count):
            info, ward = rng.choices(center.choices, weights=center.weights)[0]
            online_share = ONLINE_SHARE.get(info.online_level, 0.0)
            if not working:
                if online_share == 0:
                    continue
                channel = Channel.ONLINE
            elif rng.random() < online_share:
                channel = Channel.ONLINE
            elif rng.random() < POST_SHARE / (1 - online_share):
                channel = Channel.POST
            else:
                channel = Channel.DIRECT
            plan = self._plan(rng, info, channel)
            track = Track(
                center=center,
                info=info,
                plan=plan,
                rng=random.Random(rng.getrandbits(64)),
                ward=ward,
            )
            track.applicant = self._applicant(rng, center, info, day)
            moment = (
                self._online_moment(rng, day)
                if channel == Channel.ONLINE
                else self._desk_moment(rng, center, day)
            )
            self.push(moment, "arrive", track)

    def _plan(self, rng: random.Random, info: CaseInfo, channel: str) -> Plan:
        land = info.field in LAND_FIELDS
        fees = info.fees > 0 and rng.random() < (FEES_LAND if land else FEES_OTHER)
        supplement = not info.same_day and rng.random() < SUPPLEMENT
        return Plan(
            channel=channel,
            refuse=rng.random() < REFUSE_AT_RECEPTION,
            withdraw=rng.random() < WITHDRAW,
            supplement=supplement,
            abandon=supplement and rng.random() < SUPPLEMENT_ABANDONED,
            fees=fees,
            late=rng.random() < LATE,
            extend=not info.same_day and rng.random() < EXTEND,
            result_refused=rng.random() < RESULT_REFUSED,
        )

    def _applicant(
        self, rng: random.Random, center: Center, info: CaseInfo, day: dt.date
    ) -> ApplicantIn | Applicant:
        business = info.for_businesses and (not info.for_citizens or rng.random() < 0.3)
        if business:
            return _business_new(rng, home=center.home, taken=self.taken)
        if center.seen and rng.random() < RETURNING:
            return rng.choice(center.seen)
        return person_new(
            rng,
            today=day,
            home=center.home,
            taken=self.taken,
            birth_province=_weighted(rng, center.birth_provinces),
        )

    @staticmethod
    def _desk_moment(rng: random.Random, center: Center, day: dt.date) -> dt.datetime:
        periods = center.calendar.periods
        # Mornings are busier than afternoons.
        weights = [
            (dt.datetime.combine(day, end) - dt.datetime.combine(day, start)).total_seconds()
            * (1.5 if i == 0 else 1.0)
            for i, (start, end) in enumerate(periods)
        ]
        start, end = rng.choices(periods, weights=weights)[0]
        first = dt.datetime.combine(day, start, VN_TZ)
        span = (dt.datetime.combine(day, end, VN_TZ) - first).total_seconds() - 300
        return first + dt.timedelta(seconds=int(rng.random() * max(span, 60)))

    @staticmethod
    def _online_moment(rng: random.Random, day: dt.date) -> dt.datetime:
        hours = (0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 4, 5, 5, 4, 3, 3, 4, 5, 4, 3, 3, 4, 4, 3, 2, 1)
        hour = rng.choices(range(24), weights=hours)[0]
        return dt.datetime.combine(day, dt.time(hour), VN_TZ) + dt.timedelta(
            seconds=rng.randrange(3600)
        )

    # -- steps up to routing -------------------------------------------------------------------

    def _arrive(self, track: Track, at: dt.datetime) -> None:
        center, info, plan = track.center, track.info, track.plan
        self.created += 1
        applicant = track.applicant
        assert applicant is not None
        if plan.channel == Channel.ONLINE:
            if isinstance(applicant, ApplicantIn):
                applicant = services.applicant_find_or_create(data=applicant)
            track.citizen = self._citizen(applicant)
            track.dossier = services.dossier_create(
                actor=track.citizen,
                case=info.case,
                applicant=applicant,
                unit=center.unit,
                channel=Channel.ONLINE,
                ward=track.ward,
                at=at,
            )
            self._seen(center, applicant)
            minutes = track.rng.uniform(3, 40)
            self.push(at + dt.timedelta(minutes=minutes), "submit", track)
            return
        desk = self._desk(track)
        if plan.refuse:
            if isinstance(applicant, ApplicantIn):
                applicant = services.applicant_find_or_create(data=applicant)
            track.dossier = services.dossier_create(
                actor=desk,
                case=info.case,
                applicant=applicant,
                unit=center.unit,
                channel=plan.channel,
                ward=track.ward,
                at=at,
            )
            self.push(self._later(track, at, track.rng.uniform(3, 15)), "refuse", track)
            return
        track.dossier = services.dossier_intake(
            actor=desk,
            unit=center.unit,
            case=info.case,
            applicant=applicant,
            channel=plan.channel,
            papers=self._papers(track),
            ward=track.ward,
            at=at,
        )
        self._seen(center, track.dossier.applicant)
        self._received(track, at)

    def _papers(self, track: Track) -> list[PaperIn]:
        # Some papers are digitised copies the applicant already has on file.
        return [
            PaperIn(
                component_id=p.component_id,
                originals=p.originals,
                copies=p.copies,
                reused=track.rng.random() < 0.3,
            )
            for p in track.info.papers
        ]

    @staticmethod
    def _seen(center: Center, applicant: Applicant) -> None:
        if applicant.kind == ApplicantKind.CITIZEN and len(center.seen) < 5000:
            center.seen.append(applicant)

    def _submit(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.dossier = services.dossier_submit(
            actor=track.citizen, dossier=track.dossier, papers=self._papers(track), at=at
        )
        # The desk checks the online queue later that day or the next working day.
        step = "refuse" if track.plan.refuse else "receive"
        self.push(self._later(track, at, track.rng.uniform(20, 420)), step, track)

    def _receive(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.dossier = services.dossier_receive(
            actor=self._desk(track), dossier=track.dossier, at=at
        )
        self._received(track, at)

    def _received(self, track: Track, at: dt.datetime) -> None:
        rng = track.rng
        if track.plan.withdraw and rng.random() < 0.3:
            track.plan.withdraw = False
            self.push(self._later(track, at, rng.uniform(10, 240)), "withdraw", track)
            return
        budget = self._budget(track)
        self.push(self._later(track, at, 2 + budget * rng.uniform(0.005, 0.04)), "route", track)

    def _refuse(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.dossier = services.dossier_refuse(
            actor=self._desk(track),
            dossier=track.dossier,
            reasons=[track.rng.choice(REFUSAL_REASONS)],
            at=at,
        )

    def _route(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.dossier = services.dossier_route(
            actor=self._desk(track), dossier=track.dossier, at=at
        )
        budget = self._budget(track)
        minutes = 2 + budget * track.rng.uniform(0.005, 0.05)
        self.push(self._later(track, at, minutes), "assign", track)

    # -- picking up dossiers left open by an earlier run -------------------------------------

    def resume_open(self, start: dt.datetime) -> None:
        by_unit = {c.unit.pk: c for c in self.centers}
        infos: dict[Any, CaseInfo] = {}
        for center in self.centers:
            for choice, _ward in center.choices:
                infos[choice.case.pk] = choice
        waiting = [Status.SUBMITTED, Status.RESOLVED, *OPEN]
        dossiers = (
            Dossier.objects.filter(receiving_unit__in=list(by_unit), status__in=waiting)
            .select_related("applicant", "competent_unit", "case", "receiving_unit")
            .order_by("code")
        )
        for dossier in dossiers:
            info = infos.get(dossier.case_id)
            center = by_unit[dossier.receiving_unit_id]
            if info is None:
                continue
            rng = random.Random(f"{self.seed}:resume:{dossier.code}")
            plan = Plan(channel=dossier.channel, late=rng.random() < LATE)
            track = Track(center=center, info=info, plan=plan, rng=rng, dossier=dossier)
            if dossier.status not in {Status.SUBMITTED, Status.RECEIVED}:
                if dossier.competent_unit_id not in self.staff.approvers:
                    continue
                track.approver, track.assignee = self._agency(track)
            moment = self._later(track, max(start, self._last_at(dossier)), rng.uniform(5, 120))
            steps: dict[str, str] = {
                Status.SUBMITTED: "receive",
                Status.RECEIVED: "route",
                Status.SUPPLEMENT_REQUESTED: "supplement_back",
                Status.FEES_REQUESTED: "pay",
                Status.RESOLVED: "return",
            }
            step = steps.get(dossier.status)
            if dossier.status == Status.PROCESSING:
                step = "assign" if dossier.assignee_id is None else None
            if dossier.status == Status.RESOLVED:
                self._hand_over(track, moment)
            elif step is None:
                self._next(track, moment)
            else:
                self.push(moment, step, track)

    @staticmethod
    def _last_at(dossier: Dossier) -> dt.datetime:
        last = dossier.events.order_by("-at").values_list("at", flat=True).first()
        return last or dossier.created_at
