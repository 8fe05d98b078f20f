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
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F, Q
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify
from sequences.models import Sequence

from accounts.models import Assignment, Role, User
from catalog.models import Case, OnlineLevel, Procedure
from catalog.models import TimeUnit as CaseTimeUnit
from core.demo import DEMO_PASSWORD, PROVINCE
from deadlines.calendar import calendar_for_unit
from deadlines.engine import VN_TZ, WorkCalendar
from dossiers import services
from dossiers.models import (
    OPEN,
    Applicant,
    ApplicantKind,
    Channel,
    Dossier,
    ResultOutcome,
    ReturnChannel,
    Status,
)
from dossiers.services import ApplicantIn, PaperIn
from units.models import Level, Unit, UnitKind

__all__ = [
    "DEFAULT_VOLUME",
    "HistoryError",
    "HistoryResult",
    "history_simulate",
    "id_number_for",
    "person_new",
    "staff_ensure",
]

# Midweek arrivals per day are realistic numbers (a ward center 15-40, the
# provincial center 60-120) times this share. The services cost about 3 ms a
# call on SQLite, ~30 ms a dossier (twice that on PostgreSQL): a full year at
# 1.0 (~60,000 dossiers) takes half an hour, at the default (~2,500) a minute
# and a half.
DEFAULT_VOLUME = 0.04
PROVINCIAL_BASE = 90.0
WARD_BASE = (35.0, 40.0, 22.0, 16.0, 28.0, 19.0)

# Monday about 1.6 times a midweek day ("especially on Mondays").
WEEKDAY_FACTOR = (1.6, 1.15, 1.0, 1.0, 0.9, 1.0, 1.0)
# The year-end rush of seed 004 (Q4), a busy January before Tết, a quiet Tết month.
MONTH_FACTOR = (1.1, 0.85, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.0, 1.05, 1.3, 1.3)
AFTER_BREAK_FACTOR = 1.7  # the first working day after three or more days off
NON_WORKING_ONLINE = 0.12  # online filings on a weekend or holiday, per midweek day

# Demand by procedure (national code): identity cards, driving licences and
# criminal records first, then civil status, certification, residence,
# business households, social insurance, land (seed 004).
DEMAND: dict[str, float] = {
    "2.000200": 16,
    "MC.0003": 4,
    "MC.0004": 4,
    "MC.0005": 3,
    "3.000347": 10,
    "MC.0007": 3,
    "3.000333": 10,
    "1.001193": 5,
    "1.000894": 2,
    "1.000656": 1.5,
    "1.004859": 1.5,
    "1.004873": 3,
    "2.000635": 2.5,
    "1.004837": 0.3,
    "1.001022": 0.5,
    "MC.0001": 0.1,
    "2.000815": 6,
    "2.000884": 2,
    "MC.0002": 2,
    "1.004222": 2.5,
    "1.004194": 2.5,
    "1.002755": 1,
    "1.003197": 0.7,
    "MC.0006": 2.2,
    "1.001612": 2.2,
    "MC.0012": 0.8,
    "MC.0009": 1.2,
    "MC.0010": 0.8,
    "MC.0011": 0.4,
    "MC.0013": 0.8,
    "MC.0014": 1.6,
    "MC.0015": 1.8,
    "MC.0016": 1.2,
    "MC.0017": 1.0,
    "MC.0018": 1.3,
    "MC.0019": 0.9,
    "MC.0008": 1.5,
    "MC.0020": 0.7,
    "1.014748": 0.8,
    "MC.0021": 0.4,
    "MC.0022": 0.3,
}
OTHER_DEMAND = 0.3
# Where people file: province-level procedures mostly at the provincial
# center, ward-level ones mostly at their ward's center.
ELSEWHERE_SHARE = 0.12

# Share filed online by the procedure's online level; the rest at the desk, a few by post.
ONLINE_SHARE: dict[str, float] = {
    OnlineLevel.FULL: 0.62,
    OnlineLevel.PARTIAL: 0.38,
    OnlineLevel.NONE: 0.0,
}
POST_SHARE = 0.03

REFUSE_AT_RECEPTION = 0.015
WITHDRAW = 0.01
SUPPLEMENT = 0.07
SUPPLEMENT_ABANDONED = 0.08  # of supplements: the papers never come, processing stops
# Land and construction: the financial obligation is assessed during processing.
LAND_FIELDS = frozenset({"DAT_DAI", "XAY_DUNG"})
FEES_LAND = 0.5
FEES_OTHER = 0.03
LATE = 0.03
EXTEND = 0.008
RESULT_REFUSED = 0.015
RETURNING = 0.12  # an applicant already seen at this center

MARKER_PREFIX = "demo-history:"

FAMILY_NAMES = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 3.5),
    ("Huỳnh", 3.5),
    ("Phan", 4.5),
    ("Vũ", 2.0),
    ("Võ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
)
MIDDLE_NAMES = {
    "male": ("Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Xuân", "Ngọc"),
    "female": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Bích", "Phương"),
}
GIVEN_NAMES = {
    "male": (
        "Hùng",
        "Dũng",
        "Tuấn",
        "Minh",
        "Nam",
        "Long",
        "Hải",
        "Sơn",
        "Phúc",
        "Khang",
        "Bảo",
        "Huy",
        "Quang",
        "Thắng",
        "Trung",
        "Tài",
        "Đức",
        "Vinh",
        "Hiếu",
        "Thịnh",
        "Lộc",
        "Phong",
        "Khoa",
        "Kiên",
        "Toàn",
        "Nhân",
    ),
    "female": (
        "Lan",
        "Hương",
        "Hoa",
        "Mai",
        "Linh",
        "Trang",
        "Thảo",
        "Ngọc",
        "Hằng",
        "Nhung",
        "Vy",
        "Anh",
        "Yến",
        "Nga",
        "Hạnh",
        "Thủy",
        "Phương",
        "Trinh",
        "Uyên",
        "Nhi",
        "Hà",
        "Loan",
        "Diễm",
        "Quyên",
        "Tâm",
    ),
}
# Birth-province codes of the 12-digit number: Đắk Lắk 066, Phú Yên 054
# (Tuy Hòa was Phú Yên's capital), and the provinces many settlers came from.
DAK_LAK, PHU_YEN = "066", "054"
ELSEWHERE = ("001", "079", "038", "040", "042", "034", "036", "052", "064", "067", "056", "048")
STREETS = (
    "Lê Duẩn",
    "Nguyễn Tất Thành",
    "Phan Bội Châu",
    "Hùng Vương",
    "Trần Hưng Đạo",
    "Nguyễn Thái Học",
    "Lê Lợi",
    "Quang Trung",
    "Hai Bà Trưng",
    "Y Jút",
    "Mai Hắc Đế",
    "Nguyễn Văn Cừ",
    "Trường Chinh",
    "Lý Thường Kiệt",
    "Phan Chu Trinh",
    "Độc Lập",
    "Nguyễn Huệ",
    "Ngô Quyền",
)
# Mobile prefixes of the Vietnamese carriers.
PHONE_PREFIXES = tuple(
    f"0{n}"
    for n in (90, 91, 93, 94, 96, 97, 98, 86, 88, 32, 35, 36, 38, 39, 70, 76, 77, 79, 81, 83)
)
BUSINESS_TRADES = (
    "Cà phê",
    "Nông sản",
    "Xây dựng",
    "Thương mại",
    "Vận tải",
    "Dịch vụ",
    "Du lịch",
    "Chế biến gỗ",
    "Hồ tiêu",
    "Sầu riêng",
)
BUSINESS_NAMES = (
    "Ban Mê",
    "Tây Nguyên",
    "Đại Ngàn",
    "Ea Tam",
    "Hòa Phú",
    "Phú Yên Xanh",
    "Đà Rằng",
    "Krông Ana",
    "Hưng Thịnh",
    "Thành Đạt",
    "An Khang",
    "Minh Phát",
)
REFUSAL_REASONS = (
    "Tờ khai không đúng mẫu quy định",
    "Giấy tờ tùy thân đã hết hiệu lực",
    "Hồ sơ không thuộc thẩm quyền giải quyết",
    "Thông tin trên tờ khai không khớp Cơ sở dữ liệu quốc gia về dân cư",
)
RESULT_REFUSALS = (
    "Không đủ điều kiện theo quy định",
    "Kết quả xác minh không phù hợp với thông tin kê khai",
)
WITHDRAW_REASONS = ("Người yêu cầu xin rút hồ sơ", "Không còn nhu cầu giải quyết")
STOP_REASON = "Người yêu cầu không bổ sung hồ sơ trong thời hạn quy định"
EXTEND_REASON = "Cần xác minh thêm thông tin với cơ quan liên quan"
RESULT_PREFIX: dict[str, str] = {
    UnitKind.WARD_COMMITTEE: "UBND",
    UnitKind.POLICE: "CA",
    UnitKind.JUSTICE: "STP",
    UnitKind.FINANCE: "STC",
    UnitKind.CONSTRUCTION: "SXD",
    UnitKind.AGRI_ENV: "SNNMT",
    UnitKind.HEALTH: "SYT",
    UnitKind.EDUCATION: "SGDĐT",
    UnitKind.HOME_AFFAIRS: "SNV",
    UnitKind.SOCIAL_INSURANCE: "BHXH",
    UnitKind.TAX: "T",
}
USER_PREFIX: dict[str, str] = {
    UnitKind.WARD_COMMITTEE: "ubnd",
    UnitKind.POLICE: "congan",
    UnitKind.JUSTICE: "tuphap",
    UnitKind.FINANCE: "taichinh",
    UnitKind.CONSTRUCTION: "xaydung",
    UnitKind.AGRI_ENV: "nnmt",
    UnitKind.HEALTH: "yte",
    UnitKind.EDUCATION: "gddt",
    UnitKind.HOME_AFFAIRS: "noivu",
    UnitKind.SOCIAL_INSURANCE: "bhxh",
    UnitKind.TAX: "thue",
    UnitKind.CENTER: "ttpvhcc",
}


class HistoryError(Exception):
    """The history cannot be made (no demo province, a date in the future)."""


# -- people ----------------------------------------------------------------------------------


def id_number_for(province_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """A 12-digit personal number: birth province, century and sex, birth year, serial."""
    century = (birth_date.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    if not 0 <= century <= 9:
        raise ValueError("Birth year outside the numbering scheme.")
    return f"{province_code}{century}{birth_date.year % 100:02d}{serial % 1_000_000:06d}"


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def name_new(rng: random.Random, sex: str) -> str:
    family = _weighted(rng, FAMILY_NAMES)
    middle = rng.choice(MIDDLE_NAMES[sex])
    given = rng.choice(GIVEN_NAMES[sex])
    if rng.random() < 0.25:  # many people carry a second given name
        given = f"{rng.choice(GIVEN_NAMES[sex])} {given}"
    return f"{family} {middle} {given}"


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


def person_new(
    rng: random.Random,
    *,
    today: dt.date,
    home: str,
    taken: set[str],
    birth_province: str | None = None,
) -> ApplicantIn:
    """A made-up citizen with a number consistent with birth year and sex, never reused."""
    sex = "female" if rng.random() < 0.52 else "male"
    age = int(rng.triangular(18, 82, 34))
    born = dt.date(today.year - age, 1, 1) + dt.timedelta(days=rng.randrange(365))
    if birth_province is None:
        birth_province = DAK_LAK
    while True:
        number = id_number_for(birth_province, born, sex, rng.randrange(1_000_000))
        if number not in taken:
            taken.add(number)
            break
    return ApplicantIn(
        full_name=name_new(rng, sex),
        id_number=number,
        birth_date=born,
        sex=sex,
        address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {home}",
        phone=_phone(rng),
    )


def _business_new(rng: random.Random, *, home: str, taken: set[str]) -> ApplicantIn:
    while True:
        tax_code = f"6{rng.randrange(10**9):09d}"
        if tax_code not in taken:
            taken.add(tax_code)
            break
    kind = rng.choice(("Công ty TNHH", "Công ty TNHH", "Công ty cổ phần", "Hợp tác xã"))
    sex = rng.choice(("male", "female"))
    return ApplicantIn(
        kind=ApplicantKind.BUSINESS,
        full_name=f"{kind} {rng.choice(BUSINESS_TRADES)} {rng.choice(BUSINESS_NAMES)}",
        id_number=tax_code,
        address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {home}",
        phone=_phone(rng),
        representative=name_new(rng, sex),
    )


def _place_name(committee: Unit) -> str:
    """The place a ward committee serves, e.g. "phường Tuy Hòa" for "UBND phường Tuy Hòa"."""
    name = committee.name_vi
    return name[5:] if name.startswith("UBND ") else name


def _slug(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    return slugify(text).replace("-", "")


# -- staff -----------------------------------------------------------------------------------


@dataclass
class Staff:
    desks: dict[Any, list[User]] = field(default_factory=dict)
    specialists: dict[Any, list[User]] = field(default_factory=dict)
    approvers: dict[Any, list[User]] = field(default_factory=dict)
    created: int = 0


def _agency_units(province: Unit) -> list[Unit]:
    return list(
        Unit.objects.active()
        .filter(province=province)
        .exclude(kind__in=[UnitKind.PROVINCE, UnitKind.CENTER])
        .select_related("parent")
        .order_by("code")
    )


def _user_slug(unit: Unit) -> str:
    committee = unit.ward_committee()
    place = "tinh" if committee is None else _slug(_place_name(committee).split(" ", 1)[-1])
    if unit.kind == UnitKind.CENTER:
        return place
    return f"{USER_PREFIX.get(unit.kind, unit.kind)}.{place}"


def staff_ensure(*, province: Unit, seed: int = 1) -> Staff:
    """Desk officers for every center, a specialist and an approver for every agency.

    Units that already have someone in the role keep their people; new logins
    get the demo password. Safe to run again.
    """
    centers = list(Unit.objects.active().centers().filter(province=province).select_related())
    agencies = _agency_units(province)
    held: set[tuple[Any, str]] = set(
        Assignment.objects.filter(unit__province=province).values_list("unit_id", "role")
    )
    wanted: list[tuple[Unit, Role, str]] = []
    for center in centers:
        if (center.pk, Role.DESK_OFFICER) not in held:
            wanted.append((center, Role.DESK_OFFICER, f"desk.{_user_slug(center)}"))
    for agency in agencies:
        for role, prefix in [(Role.SPECIALIST, "specialist"), (Role.APPROVER, "approver")]:
            if (agency.pk, role) not in held:
                wanted.append((agency, role, f"{prefix}.{_user_slug(agency)}"))
    created = 0
    if wanted:
        password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 costs ~0.3 s a call
        rng = random.Random(f"{seed}:staff")
        with transaction.atomic():
            for unit, role, username in wanted:
                user = User.objects.filter(username=username).first()
                if user is None:
                    sex = rng.choice(("male", "female"))
                    user = User.objects.create(
                        username=username, full_name=name_new(rng, sex), password=password
                    )
                    created += 1
                Assignment.objects.get_or_create(user=user, unit=unit, role=role)
    staff = Staff(created=created)
    by_role: dict[str, dict[Any, list[User]]] = {
        Role.DESK_OFFICER: staff.desks,
        Role.SPECIALIST: staff.specialists,
        Role.APPROVER: staff.approvers,
    }
    users = {
        u.pk: u
        for u in User.objects.filter(
            assignments__unit__province=province, assignments__role__in=list(by_role)
        )
        .distinct()
        .prefetch_related("assignments")
        .order_by("username")
    }
    assignments = Assignment.objects.filter(unit__province=province, role__in=list(by_role))
    for unit_id, held_role, user_id in assignments.order_by("user__username").values_list(
        "unit_id", "role", "user_id"
    ):
        by_role[held_role].setdefault(unit_id, []).append(users[user_id])
    return staff


# -- catalog ---------------------------------------------------------------------------------


@dataclass
class CaseInfo:
    case: Case
    code: str
    field: str
    level: str
    agency: str
    online_level: str
    for_citizens: bool
    for_businesses: bool
    same_day: bool
    fees: int
    papers: list[PaperIn]
    paper_names: list[str]


def _cases() -> list[tuple[CaseInfo, float]]:
    """Every published case with its share of its procedure's demand."""
    found: list[tuple[CaseInfo, float]] = []
    procedures = Procedure.objects.published().select_related("current_version", "field")
    for procedure in procedures.order_by("code"):
        version = procedure.current_version
        assert version is not None
        cases = list(version.cases.prefetch_related("components", "fees").order_by("position"))
        demand = DEMAND.get(procedure.code, OTHER_DEMAND)
        shares = [1.0 / (i + 1) for i in range(len(cases))]
        for case, share in zip(cases, shares, strict=True):
            case.version = version  # the services read case.version; keep it cached
            version.procedure = procedure
            components = list(case.components.all())
            info = CaseInfo(
                case=case,
                code=procedure.code,
                field=procedure.field.code,
                level=version.level,
                agency=version.agency,
                online_level=version.online_level,
                for_citizens=version.for_citizens,
                for_businesses=version.for_businesses,
                same_day=case.time_unit == CaseTimeUnit.SAME_DAY,
                fees=sum(f.amount for f in case.fees.all()),
                papers=[
                    PaperIn(component_id=c.pk, originals=c.originals, copies=c.copies)
                    for c in components
                    if c.mandatory
                ],
                paper_names=[c.name_vi for c in components] or ["Tờ khai"],
            )
            found.append((info, demand * share / sum(shares)))
    return found


# -- the simulation --------------------------------------------------------------------------


@dataclass
class Center:
    unit: Unit
    calendar: WorkCalendar
    base: float
    home: str
    birth_provinces: tuple[tuple[str, float], ...]
    choices: list[tuple[CaseInfo, Unit | None]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    seen: list[Applicant] = field(default_factory=list)


@dataclass
class Plan:
    channel: str
    refuse: bool = False
    withdraw: bool = False
    supplement: bool = False
    abandon: bool = False
    fees: bool = False
    late: bool = False
    extend: bool = False
    result_refused: bool = False


@dataclass
class Track:
    """One dossier on its way, with what will happen to it."""

    center: Center
    info: CaseInfo
    plan: Plan
    rng: random.Random
    dossier: Dossier | None = None
    applicant: ApplicantIn | Applicant | None = None
    ward: Unit | None = None
    citizen: User | None = None
    assignee: User | None = None
    approver: User | None = None
    return_channel: str = ReturnChannel.DIRECT


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


class Simulation:
    def __init__(
        self,
        *,
        province: Unit,
        staff: Staff,
        seed: int,
        volume: float,
        now: dt.datetime,
    ) -> None:
        self.province = province
        self.staff = staff
        self.seed = seed
        self.volume = volume
        self.now = now
        self.queue: list[tuple[dt.datetime, int, str, Track]] = []
        self.counter = 0
        self.created = 0
        self.taken: set[str] = set(
            Applicant.objects.exclude(id_number="").values_list("id_number", flat=True)
        )
        self.citizens: dict[Any, User] = {}
        self.result_numbers: Counter[tuple[Any, int]] = Counter()
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

    def push(self, moment: dt.datetime, step: str, track: Track) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (moment, self.counter, step, track))

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

    # -- people acting -------------------------------------------------------------------------

    def _desk(self, track: Track) -> User:
        return track.rng.choice(self.staff.desks[track.center.unit.pk])

    def _agency(self, track: Track) -> tuple[User, User]:
        """(approver, specialist) of the competent agency."""
        assert track.dossier is not None
        unit_id = track.dossier.competent_unit_id
        approver = track.rng.choice(self.staff.approvers[unit_id])
        specialists = self.staff.specialists.get(unit_id) or [approver]
        return approver, track.rng.choice(specialists)

    def _citizen(self, applicant: Applicant) -> User:
        user = self.citizens.get(applicant.pk)
        if user is None:
            user = applicant.user
        if user is None:
            prefix = "dn" if applicant.kind == ApplicantKind.BUSINESS else "cd"
            user, _created = User.objects.get_or_create(
                username=f"{prefix}.{applicant.id_number}",
                defaults={
                    "full_name": applicant.full_name,
                    "password": make_password(None),
                    "phone": applicant.phone,
                },
            )
            Applicant.objects.filter(pk=applicant.pk, user__isnull=True).update(user=user)
            applicant.user = user
        self.citizens[applicant.pk] = user
        return user

    def _later(self, track: Track, moment: dt.datetime, minutes: float) -> dt.datetime:
        """``minutes`` of working time after ``moment``, in the receiving center's calendar."""
        return track.center.calendar.add_working_minutes(moment, max(1.0, minutes))

    def _budget(self, track: Track) -> float:
        d = track.dossier
        assert d is not None and d.received_at is not None and d.due_at is not None
        return track.center.calendar.working_minutes_between(d.received_at, d.due_at)

    def _remaining(self, track: Track, moment: dt.datetime) -> float:
        assert track.dossier is not None and track.dossier.due_at is not None
        return track.center.calendar.working_minutes_between(moment, track.dossier.due_at)

    # -- steps ---------------------------------------------------------------------------------

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

    def _assign(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.approver, track.assignee = self._agency(track)
        track.dossier = services.dossier_assign(
            actor=track.approver, dossier=track.dossier, assignee=track.assignee, at=at
        )
        self._next(track, at)

    def _next(self, track: Track, at: dt.datetime) -> None:
        """What the agency does next: a pause, a withdrawal, an extension or the result."""
        plan, rng = track.plan, track.rng
        remaining = max(self._remaining(track, at), 0.0)
        if plan.withdraw:
            plan.withdraw = False
            self.push(self._later(track, at, remaining * rng.uniform(0.1, 0.8)), "withdraw", track)
        elif plan.supplement:
            plan.supplement = False
            minutes = remaining * rng.uniform(0.05, 0.4)
            self.push(self._later(track, at, minutes), "supplement", track)
        elif plan.fees:
            plan.fees = False
            self.push(self._later(track, at, remaining * rng.uniform(0.1, 0.6)), "fees", track)
        elif plan.extend and remaining > 60:
            plan.extend = False
            self.push(self._later(track, at, remaining * rng.uniform(0.5, 0.9)), "extend", track)
        elif plan.late or remaining <= 0:
            assert track.dossier is not None and track.dossier.due_at is not None
            day = track.center.calendar.day_minutes
            # Most late dossiers slip by a day or two, some by weeks.
            late_by = day * (rng.uniform(0.1, 3) if rng.random() < 0.6 else rng.uniform(3, 15))
            base = max(at, track.dossier.due_at)
            self.push(self._later(track, base, late_by), "resolve", track)
        else:
            minutes = max(remaining * rng.uniform(0.15, 0.97), 1.0)
            self.push(self._later(track, at, minutes), "resolve", track)

    def _supplement(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None and track.assignee is not None
        item = track.rng.choice(track.info.paper_names)
        track.dossier = services.dossier_request_supplement(
            actor=track.assignee,
            dossier=track.dossier,
            items=[f"Bản sao có chứng thực: {item}"],
            at=at,
        )
        day = track.center.calendar.day_minutes
        if track.plan.abandon:
            minutes = day * track.rng.uniform(10, 15)
            self.push(self._later(track, at, minutes), "stop", track)
        else:
            minutes = day * track.rng.uniform(1, 7)
            self.push(self._later(track, at, minutes), "supplement_back", track)

    def _supplement_back(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        item = track.dossier.events.order_by("-seq").values_list("data", flat=True).first()
        names = (item or {}).get("items") or ["Giấy tờ bổ sung"]
        track.dossier = services.dossier_receive_supplement(
            actor=self._desk(track),
            dossier=track.dossier,
            papers=[PaperIn(name=name, copies=1) for name in names],
            at=at,
        )
        self._next(track, at)

    def _fees(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None and track.assignee is not None
        amount = track.info.fees
        track.dossier = services.dossier_request_fees(
            actor=track.assignee,
            dossier=track.dossier,
            amount=amount,
            note="Nộp lệ phí và nghĩa vụ tài chính theo thông báo",
            at=at,
        )
        minutes = track.center.calendar.day_minutes * track.rng.uniform(0.1, 2)
        self.push(self._later(track, at, minutes), "pay", track)

    def _pay(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        owed = track.dossier.fees_due - track.dossier.fees_paid
        track.dossier = services.dossier_record_payment(
            actor=self._desk(track),
            dossier=track.dossier,
            amount=owed,
            receipt_number=f"BL{track.rng.randrange(10**7):07d}",
            at=at,
        )
        self._next(track, at)

    def _stop(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        approver = track.approver or self._agency(track)[0]
        track.dossier = services.dossier_stop(
            actor=approver, dossier=track.dossier, reason=STOP_REASON, at=at
        )

    def _withdraw(self, track: Track, at: dt.datetime) -> None:
        assert track.dossier is not None
        track.dossier = services.dossier_withdraw(
            actor=self._desk(track),
            dossier=track.dossier,
            reason=track.rng.choice(WITHDRAW_REASONS),
            at=at,
        )

    def _extend(self, track: Track, at: dt.datetime) -> None:
        dossier = track.dossier
        assert dossier is not None and dossier.due_at is not None and track.approver is not None
        day = track.center.calendar.day_minutes
        old_due = dossier.due_at
        new_due = self._later(track, old_due, day * track.rng.randint(2, 5))
        track.dossier = services.dossier_extend(
            actor=track.approver, dossier=dossier, new_due=new_due, reason=EXTEND_REASON, at=at
        )
        # Finished after the first date, within the new one.
        extra = track.center.calendar.working_minutes_between(old_due, new_due)
        self.push(
            self._later(track, old_due, extra * track.rng.uniform(0.1, 0.9)), "resolve", track
        )

    def _resolve(self, track: Track, at: dt.datetime) -> None:
        dossier = track.dossier
        assert dossier is not None
        approver = track.approver or self._agency(track)[0]
        unit = dossier.competent_unit
        if track.plan.result_refused:
            kwargs: dict[str, Any] = {
                "outcome": ResultOutcome.REFUSED,
                "note": track.rng.choice(RESULT_REFUSALS),
            }
        else:
            prefix = RESULT_PREFIX.get(unit.kind, "KQ")
            kwargs = {"number": f"{self._result_number(unit, at.year)}/{at.year}/{prefix}"}
        track.dossier = services.dossier_resolve(actor=approver, dossier=dossier, at=at, **kwargs)
        self._hand_over(track, at)

    def _result_number(self, unit: Unit, year: int) -> int:
        """The next result document number of ``unit`` in ``year``, after any already given."""
        key = (unit.pk, year)
        if key not in self.result_numbers:
            self.result_numbers[key] = (
                Dossier.objects.filter(competent_unit=unit, result_signed_on__year=year)
                .exclude(result_number="")
                .count()
            )
        self.result_numbers[key] += 1
        return self.result_numbers[key]

    def _hand_over(self, track: Track, at: dt.datetime) -> None:
        rng = track.rng
        day = track.center.calendar.day_minutes
        online = track.plan.channel == Channel.ONLINE
        if online and track.info.online_level == OnlineLevel.FULL and rng.random() < 0.85:
            channel, minutes = ReturnChannel.ONLINE, rng.uniform(2, 40)
        elif track.plan.channel == Channel.POST or rng.random() < 0.03:
            channel, minutes = ReturnChannel.POST, day * rng.uniform(0.5, 2)
        elif rng.random() < 0.04:  # collected weeks later
            channel, minutes = ReturnChannel.DIRECT, day * rng.uniform(8, 25)
        else:
            channel, minutes = ReturnChannel.DIRECT, day * rng.expovariate(1 / 1.2)
        track.return_channel = channel
        self.push(self._later(track, at, minutes), "return", track)

    def _return(self, track: Track, at: dt.datetime) -> None:
        dossier = track.dossier
        assert dossier is not None
        channel = track.return_channel
        collected_by = collector_id = ""
        if channel == ReturnChannel.DIRECT:
            applicant = dossier.applicant
            if applicant.kind == ApplicantKind.BUSINESS:
                collected_by = applicant.representative or applicant.full_name
            else:
                collected_by, collector_id = applicant.full_name, applicant.id_number
        track.dossier = services.dossier_return(
            actor=self._desk(track),
            dossier=dossier,
            channel=channel,
            collected_by=collected_by,
            collector_id_number=collector_id,
            at=at,
        )

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
