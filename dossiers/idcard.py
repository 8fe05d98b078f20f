"""Reading the QR code of the chip citizen ID card (CCCD / thẻ căn cước).

The QR holds UTF-8 text with fields split by ``|``::

    id12|old_id9 or empty|full name|ddmmyyyy birth|Nam or Nữ|address|ddmmyyyy issue

Cards issued under the 2023 Law on Identity (from July 2024) may add fields
after the issue date; they are kept in ``IdCard.extra`` untouched apart from
whitespace, because their meaning is not settled and a desk must not refuse a
valid new card.

The QR is not signed. A parsed card prefills forms; it proves nothing about
who stands at the counter, so the officer still looks at the card.

Desk scanners act as keyboards, so the text arrives with the scanner's habits:
a trailing Enter, a byte-order mark, decomposed Vietnamese letters, doubled
spaces. Those are harmless and are cleaned up. A scanner typing on the wrong
keyboard layout turns ``|`` into some other character; which one depends on
the layout, so the parser refuses and says so rather than guessing.

Error messages are for the officer at the desk. They quote the field that is
wrong but never the whole scan, and cross-check messages name only the digits
involved, so a logged error carries as little personal data as possible.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Sex = Literal["male", "female"]

ErrorCode = Literal[
    "not_a_card",
    "too_few_fields",
    "bad_number",
    "bad_old_number",
    "empty_name",
    "bad_date",
    "bad_sex",
    "future_date",
    "issue_before_birth",
    "century_mismatch",
    "year_mismatch",
    "sex_mismatch",
]

SEPARATOR = "|"
MIN_FIELDS = 7
# The most a QR code can carry in byte mode (version 40, level L). Anything
# longer was not read from a QR code, whatever else it is.
QR_MAX_BYTES = 2953
# Long enough to recognise a quoted field, short enough for one line on screen.
_QUOTE_MAX = 30

_NUMBER = re.compile(r"[0-9]{12}")
# The first three digits of a personal number: the province where the birth was
# registered, by the codes of the 63 provinces of 2016 (a number keeps its code when
# provinces merge).
PROVINCE_CODES = frozenset(
    {
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
        "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
        "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
        "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
        "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
    }
)  # fmt: skip
_OLD_NUMBER = re.compile(r"[0-9]{9}")
_DATE = re.compile(r"[0-9]{8}")
# Twelve digits followed by something else: the card number with a mangled
# separator behind it.
_NUMBER_THEN_OTHER = re.compile(r"[0-9]{12}([^0-9])")

# Fourth digit of the number: century of birth and sex, even for men and odd
# for women (Decree 137/2015/ND-CP; Circular 59/2021/TT-BCA).
_CENTURY_BY_DIGIT = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 1800,
    9: 1800,
}

# Scanners and older systems drop the tone mark or shout; all mean the same.
_SEX_WORDS: dict[str, Sex] = {"nam": "male", "nữ": "female", "nu": "female"}


class IdCardError(ValueError):
    """The scan cannot be read as an ID card.

    ``code`` is for programs; ``message`` is for the officer, rendered in the
    language active when it is read, so one error can be shown in Vietnamese
    on the page and logged in English.
    """

    def __init__(self, code: ErrorCode, message: StrPromise, **params: object) -> None:
        super().__init__(code)
        self.code: ErrorCode = code
        self.template = message
        self.params = params

    @property
    def message(self) -> str:
        if not self.params:
            return str(self.template)
        return str(self.template) % self.params

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # The default rebuilds from ``args`` alone and would lose the message
        # when an error crosses a process boundary (workers, task queues).
        return (type(self), (self.code, self.template), {"params": self.params})


@dataclass(frozen=True)
class IdCard:
    """What the QR says, with text in NFC and runs of whitespace collapsed."""

    number: str
    old_number: str
    full_name: str
    birth_date: date
    sex: Sex
    address: str
    issue_date: date
    extra: tuple[str, ...] = ()

    @property
    def masked_number(self) -> str:
        """The number as public pages may show it: province code and last two digits."""
        return self.number[:3] + "*" * (len(self.number) - 5) + self.number[-2:]

    @property
    def birth_province_code(self) -> str:
        return self.number[:3]


def parse_idcard(text: str, *, today: date | None = None) -> IdCard:
    """Read the text of a CCCD QR code, or raise :class:`IdCardError`."""
    if today is None:
        # The server may run on UTC; a card issued this morning in Vietnam
        # must not look like it comes from tomorrow.
        today = timezone.localdate()
    fields = _fields(text)

    number = _number(fields[0])
    old_number = _old_number(fields[1])
    full_name = fields[2]
    if not full_name:
        raise IdCardError(
            "empty_name",
            _(
                "The scan has no full name (the third field is empty). Scan the card "
                "again; if it happens again, type the name from the card."
            ),
        )
    birth_date = _date(fields[3], issue=False)
    sex = _sex(fields[4])
    address = fields[5]
    issue_date = _date(fields[6], issue=True)

    if birth_date > today:
        raise IdCardError(
            "future_date",
            _(
                "The birth date %(date)s is after today (%(today)s). Check the date on the "
                "card; if it is right, tell the administrator the system date may be wrong."
            ),
            date=_show_date(birth_date),
            today=_show_date(today),
        )
    if issue_date > today:
        raise IdCardError(
            "future_date",
            _(
                "The issue date %(date)s is after today (%(today)s). Check the date on the "
                "card; if it is right, tell the administrator the system date may be wrong."
            ),
            date=_show_date(issue_date),
            today=_show_date(today),
        )
    if issue_date < birth_date:
        raise IdCardError(
            "issue_before_birth",
            _(
                "The issue date %(issue)s is before the birth date %(birth)s. Check both "
                "dates on the card and scan it again."
            ),
            issue=_show_date(issue_date),
            birth=_show_date(birth_date),
        )
    _cross_check(number, birth_date, sex)

    return IdCard(
        number=number,
        old_number=old_number,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        address=address,
        issue_date=issue_date,
        extra=tuple(fields[MIN_FIELDS:]),
    )


def _fields(text: str) -> list[str]:
    # A BOM is invisible and never part of card data; some scanners send one
    # at the start of every read.
    text = text.replace("\ufeff", "")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        # Lone surrogates: the string cannot have come from UTF-8 bytes.
        raise IdCardError(
            "not_a_card",
            _(
                "The scan is not an ID-card QR code: it contains characters that are not "
                "valid text. Scan the QR code on the ID card again."
            ),
        ) from None
    if size > QR_MAX_BYTES:
        raise IdCardError(
            "not_a_card",
            _(
                "The scan is not an ID-card QR code: it is longer than a QR code can hold. "
                "Scan the QR code on the ID card again."
            ),
        )
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise IdCardError(
            "not_a_card",
            _("The scan is empty. Scan the QR code on the ID card again."),
        )
    if SEPARATOR not in text:
        mangled = _NUMBER_THEN_OTHER.match(text)
        if mangled:
            char = mangled.group(1)
            raise IdCardError(
                "not_a_card",
                _(
                    "The scan has no | between its fields: after the 12-digit number the "
                    "scanner typed “%(char)s” (%(codepoint)s) instead. The scanner's keyboard "
                    "layout probably differs from the computer's. Have it set to match, or "
                    "type the details from the card."
                ),
                char=char,
                codepoint=f"U+{ord(char):04X}",
            )
        raise IdCardError(
            "not_a_card",
            _(
                "The scan is not an ID-card QR code: it has no | between fields. Check that "
                "you scanned the QR code on the citizen's ID card, not another code, and "
                "scan again."
            ),
        )
    fields = [" ".join(field.split()) for field in text.split(SEPARATOR)]
    if len(fields) < MIN_FIELDS:
        raise IdCardError(
            "too_few_fields",
            _(
                "The scan is not an ID-card QR code: it has %(count)s fields separated by | "
                "instead of at least %(expected)s. Scan the QR code on the ID card again."
            ),
            count=len(fields),
            expected=MIN_FIELDS,
        )
    return fields


def _number(value: str) -> str:
    if not _NUMBER.fullmatch(value):
        raise IdCardError(
            "bad_number",
            _(
                "The ID number “%(value)s” is not valid: it must be exactly 12 digits, "
                "and the scan has %(length)s characters there. Scan the card again; if it "
                "happens again, type the number from the card."
            ),
            value=_quote(value),
            length=len(value),
        )
    if value[:3] not in PROVINCE_CODES:
        raise IdCardError(
            "bad_number",
            _(
                "The ID number starts with %(province)s, which is not a province code. Check "
                "the number printed on the card and scan it again."
            ),
            province=value[:3],
        )
    return value


def _old_number(value: str) -> str:
    if value and not _OLD_NUMBER.fullmatch(value):
        raise IdCardError(
            "bad_old_number",
            _(
                "The old ID number “%(value)s” is not valid: it must be empty or exactly "
                "9 digits (the old identity card number), and the scan has %(length)s "
                "characters there. Scan the card again; if it happens again, type the "
                "details from the card."
            ),
            value=_quote(value),
            length=len(value),
        )
    return value


def _date(value: str, *, issue: bool) -> date:
    parsed = _real_date(value)
    if parsed is not None:
        return parsed
    if issue:
        message = _(
            "The issue date “%(value)s” is not a real date written as ddmmyyyy "
            "(8 digits, for example 20042021). Scan the card again; if it happens again, "
            "type the date from the card."
        )
    else:
        message = _(
            "The birth date “%(value)s” is not a real date written as ddmmyyyy "
            "(8 digits, for example 15081989). Scan the card again; if it happens again, "
            "type the date from the card."
        )
    raise IdCardError("bad_date", message, value=_quote(value))


def _real_date(value: str) -> date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:  # 31 February, month 13, year 0000
        return None


def _sex(value: str) -> Sex:
    sex = _SEX_WORDS.get(value.casefold())
    if sex is None:
        raise IdCardError(
            "bad_sex",
            _(
                "The sex field reads “%(value)s”, but an ID card says “Nam” or “Nữ”. Scan "
                "the card again; if it happens again, type the details from the card."
            ),
            value=_quote(value),
        )
    return sex


def id_number_check(number: str, *, birth_date: date | None = None, sex: str = "") -> None:
    """Check a 12-digit personal number typed by hand: its province code and, when they
    are known, what it encodes against the birth date and the sex; or raise
    :class:`IdCardError`."""
    _number(number)
    _cross_check(number, birth_date, sex)


def _cross_check(number: str, birth_date: date | None, sex: str) -> None:
    """Compare what the number encodes with the birth date and sex fields (those given).

    A mismatch means a misread or a mistyped field, and an officer would
    otherwise copy it into a dossier.
    """
    digit = int(number[3])
    century = _CENTURY_BY_DIGIT[digit]
    if birth_date is not None and birth_date.year // 100 * 100 != century:
        raise IdCardError(
            "century_mismatch",
            _(
                "The 4th digit of the ID number (%(digit)s) means a birth year from "
                "%(first)s to %(last)s, but the birth date is %(birth)s. Check the number "
                "and the birth date on the card."
            ),
            digit=digit,
            first=century,
            last=century + 99,
            birth=_show_date(birth_date),
        )
    if birth_date is not None and int(number[4:6]) != birth_date.year % 100:
        raise IdCardError(
            "year_mismatch",
            _(
                "The 5th and 6th digits of the ID number (%(digits)s) should be the last two "
                "digits of the birth year, but the birth date is %(birth)s. Check the number "
                "and the birth date on the card."
            ),
            digits=number[4:6],
            birth=_show_date(birth_date),
        )
    number_sex: Sex = "female" if digit % 2 else "male"
    if sex and number_sex != sex:
        if number_sex == "female":
            message = _(
                "The 4th digit of the ID number (%(digit)s) is odd, which means a woman, but "
                "the sex field says “Nam”. Check the number and the sex on the card."
            )
        else:
            message = _(
                "The 4th digit of the ID number (%(digit)s) is even, which means a man, but "
                "the sex field says “Nữ”. Check the number and the sex on the card."
            )
        raise IdCardError("sex_mismatch", message, digit=digit)


def _quote(value: str) -> str:
    if len(value) > _QUOTE_MAX:
        return value[: _QUOTE_MAX - 1] + "…"
    return value


def _show_date(value: date) -> str:
    # Written out by hand: strftime does not pad years before 1000 on every
    # platform, and Vietnamese officers read dd/mm/yyyy.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
