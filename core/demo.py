"""The demo province: Đắk Lắk with its provincial center, ward centers and agencies.

Electronic ids follow the dotted style; the numbers are illustrative.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Assignment, Role, User
from units.models import Level, Unit, UnitKind

DEMO_PASSWORD = "motcua-demo"
PROVINCE_SUFFIX = "H15"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name_vi: str
    name_en: str
    kind: str
    level: str
    parent: str | None
    address: str = ""


def _eid(a: int, b: int, c: int) -> str:
    return f"{a:03d}.{b:02d}.{c:02d}.{PROVINCE_SUFFIX}"


PROVINCE = UnitSpec(
    _eid(0, 0, 0),
    "UBND tỉnh Đắk Lắk",
    "Dak Lak Provincial People's Committee",
    UnitKind.PROVINCE,
    Level.PROVINCE,
    None,
    "09 Lê Duẩn, phường Buôn Ma Thuột",
)

PROVINCIAL_UNITS = [
    UnitSpec(
        _eid(0, 0, 1),
        "Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk",
        "Dak Lak Provincial Public Administration Service Center",
        UnitKind.CENTER,
        Level.PROVINCE,
        PROVINCE.code,
        "16 Lê Duẩn, phường Buôn Ma Thuột",
    ),
    UnitSpec(
        _eid(0, 0, 10),
        "Công an tỉnh Đắk Lắk",
        "Dak Lak Provincial Police",
        UnitKind.POLICE,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 11),
        "Sở Tư pháp",
        "Department of Justice",
        UnitKind.JUSTICE,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 12),
        "Sở Tài chính",
        "Department of Finance",
        UnitKind.FINANCE,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 13),
        "Sở Xây dựng",
        "Department of Construction",
        UnitKind.CONSTRUCTION,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 14),
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        UnitKind.AGRI_ENV,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 15),
        "Sở Y tế",
        "Department of Health",
        UnitKind.HEALTH,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 16),
        "Sở Giáo dục và Đào tạo",
        "Department of Education and Training",
        UnitKind.EDUCATION,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 17),
        "Sở Nội vụ",
        "Department of Home Affairs",
        UnitKind.HOME_AFFAIRS,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 20),
        "Bảo hiểm xã hội tỉnh Đắk Lắk",
        "Dak Lak Social Insurance",
        UnitKind.SOCIAL_INSURANCE,
        Level.PROVINCE,
        PROVINCE.code,
    ),
    UnitSpec(
        _eid(0, 0, 21),
        "Thuế tỉnh Đắk Lắk",
        "Dak Lak Tax Office",
        UnitKind.TAX,
        Level.PROVINCE,
        PROVINCE.code,
    ),
]

# (number, Vietnamese name, English name, kind of place, address of the center)
WARDS = [
    (21, "Tuy Hòa", "Tuy Hoa", "phường", "Nguyễn Thái Học, phường Tuy Hòa"),
    (22, "Buôn Ma Thuột", "Buon Ma Thuot", "phường", "Lê Duẩn, phường Buôn Ma Thuột"),
    (23, "Tân An", "Tan An", "phường", "Nguyễn Văn Cừ, phường Tân An"),
    (24, "Ea Kar", "Ea Kar", "xã", "Nguyễn Tất Thành, xã Ea Kar"),
]


def ward_units() -> list[UnitSpec]:
    specs: list[UnitSpec] = []
    for number, name_vi, name_en, kind_vi, address in WARDS:
        kind_en = "Ward" if kind_vi == "phường" else "Commune"
        committee = _eid(0, number, 0)
        specs += [
            UnitSpec(
                committee,
                f"UBND {kind_vi} {name_vi}",
                f"{name_en} {kind_en} People's Committee",
                UnitKind.WARD_COMMITTEE,
                Level.WARD,
                PROVINCE.code,
            ),
            UnitSpec(
                _eid(0, number, 1),
                f"Trung tâm Phục vụ hành chính công {kind_vi} {name_vi}",
                f"{name_en} {kind_en} Public Administration Service Center",
                UnitKind.CENTER,
                Level.WARD,
                committee,
                address,
            ),
            UnitSpec(
                _eid(0, number, 10),
                f"Công an {kind_vi} {name_vi}",
                f"{name_en} {kind_en} Police",
                UnitKind.POLICE,
                Level.WARD,
                committee,
            ),
        ]
    return specs


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    unit_code: str


def _tuy_hoa(c: int) -> str:
    return _eid(0, 21, c)


LOGINS = [
    Login("admin", "Quản trị tỉnh", Role.ADMIN, PROVINCE.code),
    Login("manager", "Trịnh Văn Thước", Role.MANAGER, _tuy_hoa(1)),
    Login("desk", "Lê Thị Hồng", Role.DESK_OFFICER, _tuy_hoa(1)),
    Login("guide", "Phạm Minh Tuấn", Role.GUIDE, _tuy_hoa(1)),
    Login("specialist", "Nguyễn Thị Lan", Role.SPECIALIST, _tuy_hoa(0)),
    Login("approver", "Võ Văn Bình", Role.APPROVER, _tuy_hoa(0)),
    Login("desk.tinh", "Hoàng Thị Tâm", Role.DESK_OFFICER, _eid(0, 0, 1)),
    Login("specialist.tuphap", "Đặng Quốc Huy", Role.SPECIALIST, _eid(0, 0, 11)),
    Login("approver.tuphap", "Bùi Thanh Sơn", Role.APPROVER, _eid(0, 0, 11)),
]


@transaction.atomic
def load_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for spec in [PROVINCE, *PROVINCIAL_UNITS, *ward_units()]:
        parent = units.get(spec.parent) if spec.parent else None
        province = None if spec.kind == UnitKind.PROVINCE else units[PROVINCE.code]
        unit, _ = Unit.objects.update_or_create(
            code=spec.code,
            defaults={
                "name_vi": spec.name_vi,
                "name_en": spec.name_en,
                "kind": spec.kind,
                "level": spec.level,
                "parent": parent,
                "province": province,
                "address": spec.address,
            },
        )
        units[spec.code] = unit
    return units


@transaction.atomic
def load_logins(units: dict[str, Unit]) -> list[Login]:
    for login in LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username, defaults={"full_name": login.full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        if login.role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        Assignment.objects.get_or_create(user=user, unit=units[login.unit_code], role=login.role)
    from queueing.demo import queue_demo_load  # each center's queue and three months of tickets

    queue_demo_load(units)
    return LOGINS
