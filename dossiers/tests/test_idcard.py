"""Reading CCCD QR text: real-format samples, scanner noise, refusals, any input.

Every person below is made up; numbers follow the official scheme so that the
cross-checks pass, and province codes are real ones.
"""

import dataclasses
import pickle
import unicodedata
from datetime import date

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.idcard import PROVINCE_CODES, QR_MAX_BYTES, IdCard, IdCardError, parse_idcard

TODAY = date(2025, 6, 1)
PROPERTY = settings(max_examples=200, deadline=None)

HANOI = (
    "001089012345|123456789|Nguyễn Văn An|15081989|Nam|Số 12 Ngõ 34, Phường Láng, Hà Nội|20042021"
)


def parse(text: str) -> IdCard:
    return parse_idcard(text, today=TODAY)


def refusal(text: str, code: str) -> str:
    with pytest.raises(IdCardError) as caught:
        parse(text)
    assert caught.value.code == code, caught.value.message
    return caught.value.message


def card(
    number: str = "001089012345",
    old: str = "123456789",
    name: str = "Nguyễn Văn An",
    birth: str = "15081989",
    sex: str = "Nam",
    address: str = "Số 12 Ngõ 34, Phường Láng, Hà Nội",
    issue: str = "20042021",
    *extra: str,
) -> str:
    return "|".join([number, old, name, birth, sex, address, issue, *extra])


# Sixteen cards in the QR's own format: (text, number, sex, birth date, extra).
VALID = [
    (HANOI, "001089012345", "male", date(1989, 8, 15), ()),
    (
        "079303004512||Trần Thị Bích Ngọc|02032003|Nữ|"
        "45 Nguyễn Trãi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh|10052021",
        "079303004512",
        "female",
        date(2003, 3, 2),
        (),
    ),
    (
        "048195007731|201456789|Lê Thị Hồng|23111995|Nữ|"
        "Tổ 5, Phường Hòa Khánh Bắc, Quận Liên Chiểu, Đà Nẵng|12082021",
        "048195007731",
        "female",
        date(1995, 11, 23),
        (),
    ),
    (
        "031072009876|030987654|Phạm Văn Hùng|07071972|Nam|"
        "Số 8 Lạch Tray, Phường Lạch Tray, Quận Ngô Quyền, Hải Phòng|01092021",
        "031072009876",
        "male",
        date(1972, 7, 7),
        (),
    ),
    (
        "092210001234||Võ Minh Khang|19042010|Nam|"
        "Khu vực 3, Phường An Khánh, Quận Ninh Kiều, Cần Thơ|05012024",
        "092210001234",
        "male",
        date(2010, 4, 19),
        (),
    ),
    (
        "038158003321|172345678|Đỗ Thị Lan|30061958|Nữ|"
        "Thôn Đông, Xã Quảng Tâm, Thành phố Thanh Hóa, Thanh Hóa|15032022",
        "038158003321",
        "female",
        date(1958, 6, 30),
        (),
    ),
    (
        "040201000777||Hoàng Gia Bảo|01012001|Nam|Xóm 4, Xã Nghi Phú, Thành phố Vinh, Nghệ An|"
        "22022022",
        "040201000777",
        "male",
        date(2001, 1, 1),
        (),
    ),
    (
        "046167002468|191234567|Trương Thị Thu Hà|09091967|Nữ|"
        "12 Lê Lợi, Phường Phú Hội, Thành phố Huế, Thừa Thiên Huế|30062021",
        "046167002468",
        "female",
        date(1967, 9, 9),
        (),
    ),
    (
        "036185001122||Ngô Thị Mai|14021985|Nữ|Xã Hải Hậu, Nam Định|01082024|Nam Định",
        "036185001122",
        "female",
        date(1985, 2, 14),
        ("Nam Định",),
    ),
    (
        "056312004455||Phan Ngọc Hân|28022012|Nữ|Phường Vĩnh Hải, Nha Trang, Khánh Hòa|"
        "15092024|Khánh Hòa|14092039",
        "056312004455",
        "female",
        date(2012, 2, 28),
        ("Khánh Hòa", "14092039"),
    ),
    (
        "089077006543|350123456|Huỳnh Văn Tài|03031977|Nam|Phường Mỹ Bình, Long Xuyên, An Giang|"
        "10102024|An Giang|Huỳnh Văn Lộc|Lê Thị Sen",
        "089077006543",
        "male",
        date(1977, 3, 3),
        ("An Giang", "Huỳnh Văn Lộc", "Lê Thị Sen"),
    ),
    (
        "027196008810|125678901|Nguyễn Thị Thanh Xuân|29021996|Nữ|"
        "Phường Suối Hoa, Thành phố Bắc Ninh, Bắc Ninh|18052021",
        "027196008810",
        "female",
        date(1996, 2, 29),
        (),
    ),
    (
        "074204001357||Lâm Quốc Việt|31122004|Nam|Phường Phú Cường, Thủ Dầu Một, Bình Dương|"
        "02012022",
        "074204001357",
        "male",
        date(2004, 12, 31),
        (),
    ),
    (
        "022063000246|100234567|Bùi Văn Toàn|11111963|Nam|Phường Hồng Gai, Hạ Long, Quảng Ninh|"
        "25042021|",
        "022063000246",
        "male",
        date(1963, 11, 11),
        ("",),
    ),
    (
        "096324000999||Dương Thị Kim Ngân|05052024|Nữ|Phường 5, Thành phố Cà Mau, Cà Mau|05052024",
        "096324000999",
        "female",
        date(2024, 5, 5),
        (),
    ),
    (
        "066090123098|240987654|Y Bhăm Niê|20101990|Nam|Buôn Ako Dhông, Buôn Ma Thuột, Đắk Lắk|"
        "07072021",
        "066090123098",
        "male",
        date(1990, 10, 20),
        (),
    ),
]


@pytest.mark.parametrize(("text", "number", "sex", "birth", "extra"), VALID)
def test_real_format_samples_parse(
    text: str, number: str, sex: str, birth: date, extra: tuple[str, ...]
) -> None:
    result = parse(text)
    fields = text.split("|")
    assert result.number == number
    assert result.old_number == fields[1]
    assert result.full_name == fields[2]
    assert result.sex == sex
    assert result.birth_date == birth
    assert result.address == fields[5]
    assert result.extra == extra
    assert result.birth_province_code == number[:3]


def test_first_card_in_full() -> None:
    assert parse(HANOI) == IdCard(
        number="001089012345",
        old_number="123456789",
        full_name="Nguyễn Văn An",
        birth_date=date(1989, 8, 15),
        sex="male",
        address="Số 12 Ngõ 34, Phường Láng, Hà Nội",
        issue_date=date(2021, 4, 20),
        extra=(),
    )


def test_masked_number_keeps_province_and_last_two_digits() -> None:
    result = parse(HANOI)
    assert result.masked_number == "001*******45"
    assert len(result.masked_number) == 12
    assert result.birth_province_code == "001"


def test_card_is_frozen() -> None:
    result = parse(HANOI)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.full_name = "Someone Else"  # type: ignore[misc]


@pytest.mark.parametrize(
    "noisy",
    [
        HANOI + "\n",
        HANOI + "\r\n",
        HANOI + "\r",
        "\ufeff" + HANOI,
        "\ufeff" + HANOI + "\r\n",
        "  \n\t" + HANOI + "  \n",
        unicodedata.normalize("NFD", HANOI),
        unicodedata.normalize("NFD", "\ufeff" + HANOI + "\n"),
        HANOI.replace("Nguyễn Văn An", "Nguyễn  Văn   An").replace("Ngõ 34", "Ngõ  34"),
        HANOI.replace("|Nguyễn", "| Nguyễn ").replace("|15081989", "|15081989 "),
    ],
    ids=["lf", "crlf", "cr", "bom", "bom-crlf", "spaces", "nfd", "nfd-bom-lf", "double", "pad"],
)
def test_scanner_noise_is_cleaned_up(noisy: str) -> None:
    assert parse(noisy) == parse(HANOI)


def test_nfd_input_comes_out_nfc() -> None:
    result = parse(unicodedata.normalize("NFD", HANOI))
    assert unicodedata.is_normalized("NFC", result.full_name)
    assert result.full_name == "Nguyễn Văn An"
    assert result.address == "Số 12 Ngõ 34, Phường Láng, Hà Nội"


@pytest.mark.parametrize("word", ["Nữ", "nữ", "NỮ", "Nu", "NU", "nu", "Nữ"])
def test_female_spellings(word: str) -> None:
    text = card("079303004512", "", "Trần Thị Bích Ngọc", "02032003", word, "TP. Hồ Chí Minh")
    assert parse(text).sex == "female"


@pytest.mark.parametrize("word", ["Nam", "NAM", "nam"])
def test_male_spellings(word: str) -> None:
    assert parse(card(sex=word)).sex == "male"


@pytest.mark.parametrize(
    ("digit", "year", "sex"),
    [
        ("0", "1989", "Nam"),
        ("1", "1989", "Nữ"),
        ("2", "2003", "Nam"),
        ("3", "2003", "Nữ"),
        ("8", "1899", "Nam"),
        ("9", "1899", "Nữ"),
    ],
)
def test_century_and_sex_digit(digit: str, year: str, sex: str) -> None:
    number = "001" + digit + year[2:] + "012345"
    assert parse(card(number, birth="1508" + year, sex=sex)).number == number


def test_digits_for_later_centuries_are_refused_only_by_the_dates() -> None:
    # 4/5 and 6/7 are for people born in 2100s and 2200s: nobody yet, so the
    # birth date (in the future) is what stops them, not the digit itself.
    message = refusal(card("001489012345", birth="15082189"), "future_date")
    assert "15/08/2189" in message


def test_without_today_uses_the_local_date() -> None:
    assert parse_idcard(HANOI).number == "001089012345"


# Refusals: one or more per code, each checking the message names the detail.


@pytest.mark.parametrize("text", ["", "   ", "\r\n", "\ufeff", "\ufeff\n "])
def test_empty_scan(text: str) -> None:
    assert "empty" in refusal(text, "not_a_card")


def test_other_qr_code_is_not_a_card() -> None:
    message = refusal("https://dichvucong.gov.vn/p/home/dvc-trang-chu.html", "not_a_card")
    assert "no | between fields" in message
    assert "another code" in message


@pytest.mark.parametrize("mangled", ["\\", "¦", "}", "#"])
def test_mangled_separator_is_named_not_guessed(mangled: str) -> None:
    message = refusal(HANOI.replace("|", mangled), "not_a_card")
    assert f"“{mangled}”" in message
    assert f"U+{ord(mangled):04X}" in message
    assert "keyboard layout" in message


def test_longer_than_any_qr_code() -> None:
    message = refusal(HANOI + "|" + "x" * QR_MAX_BYTES, "not_a_card")
    assert "longer than a QR code can hold" in message


def test_lone_surrogate_is_not_text() -> None:
    assert "not valid text" in refusal(HANOI.replace("An", "A\ud800"), "not_a_card")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("001089012345|123456789|Nguyễn Văn An", 3),
        ("001089012345|123456789|Nguyễn Văn An|15081989|Nam|Hà Nội", 6),
        ("|", 2),
    ],
)
def test_too_few_fields(text: str, count: int) -> None:
    message = refusal(text, "too_few_fields")
    assert f"has {count} fields separated by | instead of at least 7" in message


@pytest.mark.parametrize(
    ("number", "length"),
    [
        ("00108901234", 11),
        ("0010890123456", 13),
        ("00108901234A", 12),
        ("001 089 012345", 14),
        # Digits of other scripts pass str.isdigit() but are not what a QR holds.
        ("".join(chr(0xFF10 + int(d)) for d in "001089012345"), 12),
        ("".join(chr(0x0660 + int(d)) for d in "001089012345"), 12),
        ("", 0),
    ],
)
def test_bad_number(number: str, length: int) -> None:
    message = refusal(card(number), "bad_number")
    assert f"“{number}”" in message
    assert f"has {length} characters" in message


def test_bad_number_is_quoted_short() -> None:
    message = refusal(card("9" * 200), "bad_number")
    assert "9" * 29 + "…" in message
    assert "9" * 30 not in message


@pytest.mark.parametrize("number", ["000089012345", "003089012345", "123456789012"])
def test_a_number_that_starts_with_no_province_code_is_refused(number: str) -> None:
    message = refusal(card(number), "bad_number")
    assert f"starts with {number[:3]}," in message
    assert "province code" in message
    with translation.override("vi"):
        assert f"bắt đầu bằng {number[:3]}, đây không phải mã tỉnh" in refusal(
            card(number), "bad_number"
        )


@pytest.mark.parametrize("old", ["12345678", "1234567890", "123456", "12345678X", "B1234567"])
def test_bad_old_number(old: str) -> None:
    message = refusal(card(old=old), "bad_old_number")
    assert f"“{old}”" in message
    assert "9 digits" in message


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_empty_name(name: str) -> None:
    assert "full name" in refusal(card(name=name), "empty_name")


@pytest.mark.parametrize("birth", ["31021989", "15131989", "1508198", "15/08/1989", "", "00000000"])
def test_bad_birth_date(birth: str) -> None:
    message = refusal(card(birth=birth), "bad_date")
    assert message.startswith("The birth date")
    assert f"“{birth}”" in message
    assert "ddmmyyyy" in message


@pytest.mark.parametrize("issue", ["29022021", "2004-2021", "20O42021"])
def test_bad_issue_date(issue: str) -> None:
    message = refusal(card(issue=issue), "bad_date")
    assert message.startswith("The issue date")
    assert f"“{issue}”" in message


def test_birth_date_in_the_future() -> None:
    text = card("001225012345", "", birth="02062025", sex="Nam", issue="02062025")
    message = refusal(text, "future_date")
    assert message.startswith("The birth date 02/06/2025")
    assert "01/06/2025" in message


def test_issue_date_in_the_future() -> None:
    message = refusal(card(issue="15062025"), "future_date")
    assert message.startswith("The issue date 15/06/2025")
    assert "01/06/2025" in message


def test_issued_today_is_fine() -> None:
    assert parse(card(issue="01062025")).issue_date == TODAY


def test_issue_before_birth() -> None:
    message = refusal(card(issue="14081989"), "issue_before_birth")
    assert "14/08/1989" in message
    assert "15/08/1989" in message


@pytest.mark.parametrize("sex", ["Male", "F", "", "N", "Nư", "Không rõ"])
def test_bad_sex(sex: str) -> None:
    message = refusal(card(sex=sex), "bad_sex")
    assert f"“{sex}”" in message
    assert "“Nam” or “Nữ”" in message


def test_century_mismatch() -> None:
    message = refusal(card("001289012345"), "century_mismatch")
    assert "(2)" in message
    assert "2000 to 2099" in message
    assert "15/08/1989" in message


def test_1800s_digit_with_a_modern_birth_date() -> None:
    message = refusal(card("001889012345"), "century_mismatch")
    assert "1800 to 1899" in message


def test_year_mismatch() -> None:
    message = refusal(card("001090012345"), "year_mismatch")
    assert "(90)" in message
    assert "15/08/1989" in message


def test_sex_mismatch_woman_number_man_field() -> None:
    message = refusal(card("001189012345", sex="Nam"), "sex_mismatch")
    assert "(1)" in message
    assert "woman" in message
    assert "“Nam”" in message


def test_sex_mismatch_man_number_woman_field() -> None:
    message = refusal(card(sex="Nữ"), "sex_mismatch")
    assert "(0)" in message
    assert "“Nữ”" in message


def test_error_is_a_value_error_with_a_readable_str() -> None:
    with pytest.raises(ValueError) as caught:
        parse(card("001289012345"))
    error = caught.value
    assert isinstance(error, IdCardError)
    assert str(error) == error.message
    assert error.params["birth"] == "15/08/1989"


def test_error_survives_pickling() -> None:
    with pytest.raises(IdCardError) as caught:
        parse(card(sex="Nữ"))
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.code, copy.message) == (caught.value.code, caught.value.message)


# Whatever a scanner or a person types, the only failure is IdCardError.

DIGITS = "0123456789"
numbers = st.text(DIGITS, min_size=12, max_size=12)
dates = st.dates(date(1800, 1, 1), date(2299, 12, 31)).map(lambda d: f"{d:%d%m}{d.year:04d}")
field = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "Nam", "Nữ", "Nu", "NU", " ", "\ufeff", "|", "\r\n"]),
    st.text(DIGITS, max_size=13),
    numbers,
    dates,
)


def check_any(text: str) -> None:
    try:
        result = parse(text)
    except IdCardError as error:
        assert error.code
        assert error.message
        return
    assert isinstance(result, IdCard)
    assert len(result.number) == 12
    assert result.birth_date <= result.issue_date <= TODAY


@PROPERTY
@given(st.text())
def test_any_text_is_a_card_or_an_id_card_error(text: str) -> None:
    check_any(text)


@PROPERTY
@given(st.lists(field, max_size=12).map("|".join))
def test_any_fields_are_a_card_or_an_id_card_error(text: str) -> None:
    check_any(text)


@PROPERTY
@given(
    st.dates(date(1900, 1, 1), TODAY),
    st.sampled_from(["male", "female"]),
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(DIGITS, min_size=6, max_size=6),
    st.lists(st.text(max_size=10).filter(lambda s: "|" not in s), max_size=3),
    st.data(),
)
def test_consistent_cards_always_parse(
    birth: date,
    sex: str,
    province: str,
    random_digits: str,
    extra: list[str],
    data: st.DataObject,
) -> None:
    issue = data.draw(st.dates(birth, TODAY))
    digit = (birth.year // 100 - 19) * 2 + (sex == "female")
    number = f"{province}{digit}{birth.year % 100:02d}{random_digits}"
    text = card(
        number,
        "",
        "Nguyễn Thị Hoa" if sex == "female" else "Trần Văn Nam",
        f"{birth:%d%m%Y}",
        "Nữ" if sex == "female" else "Nam",
        "Hà Nội",
        f"{issue:%d%m%Y}",
        *extra,
    )
    result = parse(text)
    assert (result.number, result.sex, result.birth_date, result.issue_date) == (
        number,
        sex,
        birth,
        issue,
    )
    assert result.extra == tuple(
        " ".join(unicodedata.normalize("NFC", value.replace("\ufeff", "")).split())
        for value in extra
    )
