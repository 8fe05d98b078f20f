"""Vietnamese wording and the date formats printed on the dossier forms.

The forms are administrative documents: they are printed in Vietnamese
whatever language the member of staff uses on screen. Their labels therefore
live here, as plain Vietnamese text, and not in the translation catalog.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from catalog.models import Case
from deadlines.engine import VN_TZ, Outcome
from dossiers.models import (
    Action,
    Applicant,
    ApplicantKind,
    Channel,
    ResultOutcome,
    ReturnChannel,
    Status,
)
from units.models import Level, Unit, UnitKind

ACTIONS: dict[str, str] = {
    Action.CREATE: "Khởi tạo hồ sơ",
    Action.SUBMIT: "Nộp hồ sơ trực tuyến",
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.REFUSE: "Từ chối tiếp nhận hồ sơ",
    Action.ROUTE: "Chuyển hồ sơ đến cơ quan giải quyết",
    Action.ASSIGN: "Phân công xử lý",
    Action.FORWARD: "Chuyển bước xử lý",
    Action.PROPOSE: "Trình kết quả giải quyết",
    Action.SEND_BACK: "Trả lại dự thảo kết quả",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    Action.RECEIVE_SUPPLEMENT: "Nhận hồ sơ bổ sung",
    Action.REQUEST_FEES: "Thông báo nghĩa vụ tài chính",
    Action.RECORD_PAYMENT: "Ghi nhận đã thực hiện nghĩa vụ tài chính",
    Action.STOP: "Dừng giải quyết hồ sơ",
    Action.WITHDRAW: "Rút hồ sơ theo đề nghị",
    Action.RESOLVE: "Có kết quả giải quyết",
    Action.EXTEND: "Xin lỗi, hẹn lại ngày trả kết quả",
    Action.RETURN: "Trả kết quả",
}

CHANNELS: dict[str, str] = {
    Channel.DIRECT: "Trực tiếp tại Bộ phận Một cửa",
    Channel.ONLINE: "Trực tuyến",
    Channel.POST: "Qua dịch vụ bưu chính công ích",
}

RETURN_CHANNELS: dict[str, str] = {
    ReturnChannel.DIRECT: "Trực tiếp tại Bộ phận Một cửa",
    ReturnChannel.ONLINE: "Trực tuyến (nhận kết quả điện tử)",
    ReturnChannel.POST: "Qua dịch vụ bưu chính công ích",
}

RESULTS: dict[str, str] = {
    ResultOutcome.GRANTED: "Giải quyết, cấp kết quả",
    ResultOutcome.REFUSED: "Từ chối giải quyết (có nêu lý do)",
}

OUTCOMES: dict[str, str] = {
    Outcome.EARLY: "Trước hạn",
    Outcome.ON_TIME: "Đúng hạn",
    Outcome.LATE: "Quá hạn",
    Outcome.OVERDUE: "Đang quá hạn",
}

# Why the clock stands still, and what starts it again, for a paused dossier.
PAUSES: dict[str, tuple[str, str]] = {
    Status.SUPPLEMENT_REQUESTED: ("chờ bổ sung hồ sơ", "khi nhận đủ hồ sơ bổ sung"),
    Status.FEES_REQUESTED: (
        "chờ thực hiện nghĩa vụ tài chính",
        "khi người nộp hồ sơ thực hiện xong nghĩa vụ tài chính",
    ),
}

TIME_UNITS: dict[str, str] = {
    "working_days": "ngày làm việc",
    "calendar_days": "ngày",
}

# Unit names start with the body and the kind of locality ("UBND tỉnh Đắk Lắk",
# "Trung tâm Phục vụ hành chính công phường Tuy Hòa"); the place line of a
# document only wants the locality's own name ("Đắk Lắk, ngày ...").
_BODY_PREFIXES = (
    "ủy ban nhân dân ",
    "uỷ ban nhân dân ",
    "ubnd ",
    "trung tâm phục vụ hành chính công ",
    "trung tâm pvhcc ",
)
_LOCALITY_PREFIXES = (
    "thành phố ",
    "tp. ",
    "tp ",
    "tỉnh ",
    "đặc khu ",
    "phường ",
    "xã ",
    "thị trấn ",
)


def local(moment: dt.datetime) -> dt.datetime:
    """The moment on Vietnamese wall-clock time, whatever time zone is active."""
    return moment.astimezone(VN_TZ)


def date_vn(value: dt.datetime | dt.date | None) -> str:
    """dd/MM/yyyy, or an empty string when there is no date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return value.strftime("%d/%m/%Y")


def time_vn(value: dt.datetime | None) -> str:
    """HH:mm on the 24-hour clock."""
    return local(value).strftime("%H:%M") if value is not None else ""


def moment_vn(value: dt.datetime | None) -> str:
    """Time then date, as in "08:30 ngày 02/03/2026"."""
    if value is None:
        return ""
    return f"{time_vn(value)} ngày {date_vn(value)}"


def working_time_vn(minutes: float, day_minutes: float) -> str:
    """Working time in words: "1 ngày 3 giờ làm việc", "4 giờ 30 phút làm việc"."""
    total = round(max(float(minutes), 0.0))
    days, rest = divmod(total, round(day_minutes) or 480)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} ngày"] if days else []
    if hours:
        parts.append(f"{hours} giờ")
    if mins and not days:
        parts.append(f"{mins} phút")
    return " ".join(parts or ["0 phút"]) + " làm việc"


def date_line(place: str, value: dt.datetime | dt.date) -> str:
    """The place and date line of an administrative document.

    Days below 10 and the months January and February take a leading zero,
    as the rules on administrative documents (Decree 30/2020) require.
    """
    if isinstance(value, dt.datetime):
        value = local(value).date()
    day = f"{value.day:02d}"
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    prefix = f"{place}, " if place else ""
    return f"{prefix}ngày {day} tháng {month} năm {value.year}"


def locality(name: str) -> str:
    """The locality's own name in a unit's name: "UBND tỉnh Đắk Lắk" gives "Đắk Lắk".

    A locality named by a number keeps its kind ("Phường 5"), as Decree
    30/2020 writes it.
    """
    name = " ".join(name.split())
    for prefixes in (_BODY_PREFIXES, _LOCALITY_PREFIXES):
        for prefix in prefixes:
            rest = name[len(prefix) :]
            if name.lower().startswith(prefix) and rest:
                if prefixes is _LOCALITY_PREFIXES and rest.isdigit():
                    return name[0].upper() + name[1:]
                name = rest
                break
    return name


def place_name(unit: Unit) -> str:
    """The place printed before the date (Decree 30/2020, appendix I).

    A ward or commune body writes its ward's or commune's name; a provincial
    body the province's.
    """
    ward = unit.ward_committee() if unit.level == Level.WARD else None
    if ward is not None:
        return locality(ward.name_vi)
    province = unit if unit.kind == UnitKind.PROVINCE else unit.province
    return locality((province or unit).name_vi)


def time_limit(case: Case) -> str:
    """The legal processing time in words: "3 ngày làm việc", "0,5 ngày làm việc"."""
    if case.time_unit == "same_day":
        return "Trong ngày làm việc"
    value = Decimal(case.time_value).normalize()
    number = f"{value:f}".replace(".", ",")
    return f"{number} {TIME_UNITS.get(case.time_unit, 'ngày')}"


def honorific(applicant: Applicant) -> str:
    """How the form addresses the applicant: Ông, Bà, Ông/Bà or Tổ chức."""
    if applicant.kind == ApplicantKind.BUSINESS:
        return "Tổ chức"
    sex = applicant.sex.strip().lower()
    if sex in {"male", "nam"}:
        return "Ông"
    if sex in {"female", "nữ", "nu"}:
        return "Bà"
    return "Ông/Bà"


def id_label(applicant: Applicant) -> str:
    if applicant.kind == ApplicantKind.BUSINESS:
        return "Mã số thuế"
    return "Số định danh cá nhân"
