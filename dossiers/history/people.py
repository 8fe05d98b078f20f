"""Made-up applicants: citizens with consistent personal numbers, businesses, addresses, phones."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from django.utils.text import slugify

from dossiers.models import ApplicantKind
from dossiers.services import ApplicantIn
from units.models import Unit

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
