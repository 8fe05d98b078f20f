"""The printed forms 01 to 06: driven through the services, checked in the PDF itself."""

import datetime as dt
import io
import json
import unicodedata

import pytest
import segno
from django.utils import timezone, translation
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import staff_user
from catalog.io import catalog_import
from catalog.models import Procedure
from dossiers import services as s
from dossiers.documents import (
    FORMS,
    FormNotAvailable,
    lookup_url,
    render_form_html,
    render_form_pdf,
)
from dossiers.documents.fetcher import LocalOnlyFetcher
from dossiers.documents.fonts import font_urls
from dossiers.documents.wording import ACTIONS, date_line, locality, place_name
from dossiers.models import Action, Channel, Dossier
from dossiers.services import ApplicantIn, PaperIn
from dossiers.tests.fixtures import all_papers, at
from units.models import Level, Unit, UnitKind

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 08:30 in Vietnam, written in UTC so that the forms
# must convert: a form printing 01:30 would be reading UTC.
MON = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
A4 = (595.28, 841.89)


def pdf_pages(pdf: bytes) -> list:
    return list(PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in pdf_pages(pdf)
        for font in page["/Resources"]["/Font"].values()
    }


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF, NFC-normalised, whitespace collapsed to single spaces."""
    text = " ".join(page.extract_text() for page in pdf_pages(pdf))
    return " ".join(unicodedata.normalize("NFC", text).split())


def assert_a4_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    for page in pdf_pages(pdf):
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=1)
        assert float(box.height) == pytest.approx(A4[1], abs=1)


def assert_frame(text: str, number: str) -> None:
    """The parts every administrative form carries."""
    assert f"Mẫu số {number}" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert FORMS[number].upper() in text


@pytest.fixture
def received(desk_officer, ward_center, ward_case, applicant_in) -> Dossier:
    """Handed in at the desk; the marriage certificate reused from the digital store."""
    papers = [
        PaperIn(component_id=c.pk, originals=1, copies=0, reused=c.name_vi.startswith("Giấy"))
        for c in ward_case.components.all()
        if c.mandatory
    ]
    papers.append(PaperIn(name="Bản sao căn cước của người làm chứng", copies=2))
    return s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=ward_case,
        applicant=applicant_in,
        papers=papers,
        at=MON,
    )


@pytest.fixture
def routed(received, desk_officer) -> Dossier:
    return s.dossier_route(actor=desk_officer, dossier=received, at=at(2026, 3, 2, 9, 0))


# -- 01 receipt and appointment --------------------------------------------------------------


def test_form_01_receipt(received) -> None:
    with timezone.override("UTC"):  # the active zone must not matter
        pdf = render_form_pdf(received, "01")
    assert_a4_pdf(pdf)
    assert len(pdf_pages(pdf)) == 1  # a receipt is one sheet
    text = pdf_text(pdf)
    assert_frame(text, "01")
    assert "TRUNG TÂM PVHCC PHƯỜNG MỘT" in text and "UBND PHƯỜNG MỘT" in text
    assert "Một, ngày 02 tháng 3 năm 2026" in text
    assert received.code in text
    assert "Lê Vĩnh Huỳnh" in text
    assert "054089001234" in text
    assert "Phường Một, Tỉnh Thử" in text
    assert "0905123456" in text
    assert "Đăng ký thay đổi, cải chính thông tin hộ tịch" in text
    assert "Cải chính" in text
    for paper in ["Tờ khai", "Giấy chứng nhận kết hôn", "Bản sao căn cước của người làm chứng"]:
        assert paper in text
    assert "Tái sử dụng bản điện tử" in text
    assert "3 ngày làm việc" in text
    # Received 08:30 on Monday; due three working days later, Thursday 08:30.
    assert "Thời gian nhận hồ sơ: 08:30 ngày 02/03/2026" in text
    assert "Thời gian hẹn trả kết quả: 08:30 ngày 05/03/2026" in text
    assert "Trực tiếp tại Bộ phận Một cửa" in text
    assert received.lookup_secret in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Desk" in text  # the receiving officer's name under the signature
    # Only the faces shipped in static/fonts, none of the machine's fonts.
    assert pdf_fonts(pdf) == {"MotCua-Serif", "MotCua-Serif-Bold", "MotCua-Serif-Italic"}


def test_form_01_only_the_reused_paper_is_marked(received) -> None:
    html = render_form_html(received, "01")
    assert html.count("Tái sử dụng bản điện tử") == 1


def _qr_matrix_from_pdf(pdf: bytes) -> list[list[bool]]:
    """The dark/light modules of the QR image embedded in the PDF."""
    (image,) = pdf_pages(pdf)[0].images
    picture = image.image.convert("L")
    width, _height = picture.size
    # Find the quiet zone's end: the first dark pixel on the diagonal.
    start = next(i for i in range(width) if picture.getpixel((i, i)) < 128)
    # The top-left finder pattern is 7 modules wide.
    end = next(i for i in range(start, width) if picture.getpixel((i, start)) >= 128)
    module = (end - start) / 7
    size = round((width - 2 * start) / module)
    return [
        [
            picture.getpixel((int(start + (x + 0.5) * module), int(start + (y + 0.5) * module)))
            < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def test_form_01_qr_code_opens_the_public_lookup(received, settings) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.vn/"
    expected = (
        "https://dichvucong.example.vn/tra-cuu/"
        f"?code={received.code}&secret={received.lookup_secret}"
    )
    assert lookup_url(received) == expected
    pdf = render_form_pdf(received, "01")
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    if zxingcpp is not None:
        (image,) = pdf_pages(pdf)[0].images
        assert [r.text for r in zxingcpp.read_barcodes(image.image)] == [expected]
    # Without a decoder: the printed modules are those of the expected URL's code.
    printed = _qr_matrix_from_pdf(pdf)
    candidates = [
        [
            [bool(v) for v in row]
            for row in segno.make_qr(expected, error=e, boost_error=False).matrix
        ]
        for e in "lmqh"
    ]
    assert printed in candidates
    assert "https://dichvucong.example.vn/tra-cuu/" in pdf_text(pdf)


def test_form_01_lookup_url_defaults_to_the_local_server(received, settings) -> None:
    del settings.PUBLIC_BASE_URL
    assert lookup_url(received).startswith("http://127.0.0.1:8000/tra-cuu/?code=")
    assert "http://127.0.0.1:8000/tra-cuu/" in render_form_html(received, "01")


# -- 02 to 05: one event each ----------------------------------------------------------------


def test_form_02_supplement_request(received, desk_officer) -> None:
    s.dossier_request_supplement(
        actor=desk_officer,
        dossier=received,
        items=["Bản sao sổ hộ khẩu", "Tờ khai có chữ ký của người yêu cầu"],
        note="Tờ khai nộp kèm chưa được ký",
        at=at(2026, 3, 2, 10, 15),
    )
    pdf = render_form_pdf(received, "02")
    assert_a4_pdf(pdf)
    text = pdf_text(pdf)
    assert_frame(text, "02")
    assert received.code in text and "Lê Vĩnh Huỳnh" in text
    assert "1. Bản sao sổ hộ khẩu" in text
    assert "2. Tờ khai có chữ ký của người yêu cầu" in text
    assert "Lý do: Tờ khai nộp kèm chưa được ký" in text
    assert "Một, ngày 02 tháng 3 năm 2026" in text
    assert "10:15 ngày 02/03/2026" in text
    assert "NGƯỜI HƯỚNG DẪN" in text and "Desk" in text


def test_form_01_printed_again_after_a_supplement(received, desk_officer) -> None:
    s.dossier_request_supplement(
        actor=desk_officer, dossier=received, items=["Ảnh 4x6"], at=at(2026, 3, 2, 9, 0)
    )
    s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=received,
        papers=[PaperIn(name="Ảnh 4x6", originals=2)],
        at=at(2026, 3, 3, 9, 0),
    )
    text = pdf_text(render_form_pdf(received, "01"))
    assert "Ảnh 4x6" in text and "Nộp bổ sung" in text
    # Paused one working day (Mon 09:00 to Tue 09:00): the appointment moves a day.
    assert "Thời gian hẹn trả kết quả: 08:30 ngày 06/03/2026" in text


def test_form_03_refusal(citizen, desk_officer, ward_center, ward_case, applicant_in) -> None:
    applicant = s.applicant_find_or_create(data=applicant_in)
    draft = s.dossier_create(
        actor=citizen,
        case=ward_case,
        applicant=applicant,
        unit=ward_center,
        channel=Channel.ONLINE,
        at=at(2026, 1, 4, 21, 0),
    )
    s.dossier_submit(
        actor=citizen, dossier=draft, papers=all_papers(ward_case), at=at(2026, 1, 4, 21, 5)
    )
    s.dossier_refuse(
        actor=desk_officer,
        dossier=draft,
        reasons=["Tờ khai không đúng mẫu", "Thủ tục không thuộc thẩm quyền của phường"],
        at=at(2026, 1, 5, 14, 0),
    )
    pdf = render_form_pdf(draft, "03")
    assert_a4_pdf(pdf)
    text = pdf_text(pdf)
    assert_frame(text, "03")
    draft.refresh_from_db()
    assert draft.code in text and "Lê Vĩnh Huỳnh" in text
    assert "Một, ngày 05 tháng 01 năm 2026" in text  # leading zeros for January
    assert "21:05 ngày 04/01/2026" in text
    assert "1. Tờ khai không đúng mẫu" in text
    assert "2. Thủ tục không thuộc thẩm quyền của phường" in text
    # Never received: no receipt and no control slip.
    for number in ["01", "06"]:
        with pytest.raises(FormNotAvailable):
            render_form_pdf(draft, number)


def test_form_04_apology_with_a_new_date(routed, approver) -> None:
    s.dossier_extend(
        actor=approver,
        dossier=routed,
        new_due=at(2026, 3, 10, 16, 0),
        reason="Cần xác minh thông tin với nơi đăng ký kết hôn",
        at=at(2026, 3, 4, 15, 0),
    )
    pdf = render_form_pdf(routed, "04")
    assert_a4_pdf(pdf)
    text = pdf_text(pdf)
    assert_frame(text, "04")
    assert "Kính gửi: Ông Lê Vĩnh Huỳnh" in text
    assert "UBND PHƯỜNG MỘT" in text  # the deciding agency apologises
    assert routed.code in text
    assert "08:30 ngày 05/03/2026" in text  # the date first promised
    assert "16:00 ngày 10/03/2026" in text  # the new date
    assert "Cần xác minh thông tin với nơi đăng ký kết hôn" in text
    assert "Một, ngày 04 tháng 3 năm 2026" in text
    assert "THỦ TRƯỞNG CƠ QUAN" in text and "Approver" in text


def test_form_05_stop_notice(routed, approver) -> None:
    s.dossier_stop(
        actor=approver,
        dossier=routed,
        reason="Người yêu cầu đề nghị dừng để bổ sung giấy tờ ở nước ngoài",
        at=at(2026, 3, 3, 9, 45),
    )
    pdf = render_form_pdf(routed, "05")
    assert_a4_pdf(pdf)
    text = pdf_text(pdf)
    assert_frame(text, "05")
    assert routed.code in text and "Lê Vĩnh Huỳnh" in text
    assert "09:45 ngày 03/03/2026" in text
    assert "Lý do: Người yêu cầu đề nghị dừng để bổ sung giấy tờ ở nước ngoài" in text


# -- 06 process control slip -----------------------------------------------------------------


def test_form_06_control_slip_lists_every_hand_over(
    desk_officer,
    ward_center,
    justice,
    justice_case,
    justice_specialist,
    justice_approver,
    applicant_in,
) -> None:
    d = s.dossier_intake(
        actor=desk_officer,
        unit=ward_center,
        case=justice_case,
        applicant=applicant_in,
        papers=all_papers(justice_case),
        at=at(2026, 3, 2, 8, 0),
    )
    d = s.dossier_route(actor=desk_officer, dossier=d, at=at(2026, 3, 2, 9, 0))
    d = s.dossier_assign(
        actor=justice_approver, dossier=d, assignee=justice_specialist, at=at(2026, 3, 2, 14, 0)
    )
    d = s.dossier_request_supplement(
        actor=justice_specialist, dossier=d, items=["Bản sao sổ hộ khẩu"], at=at(2026, 3, 3, 8)
    )
    d = s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=d,
        papers=[PaperIn(name="Bản sao sổ hộ khẩu", copies=1)],
        at=at(2026, 3, 4, 8),
    )
    d = s.dossier_resolve(
        actor=justice_approver, dossier=d, number="123/STP-LLTP", at=at(2026, 3, 10, 15, 20)
    )
    d = s.dossier_return(
        actor=desk_officer, dossier=d, collected_by="Lê Vĩnh Huỳnh", at=at(2026, 3, 11, 8, 5)
    )
    pdf = render_form_pdf(d, "06")
    assert_a4_pdf(pdf)
    text = pdf_text(pdf)
    assert_frame(text, "06")
    assert d.code in text and "Lê Vĩnh Huỳnh" in text
    assert "Cấp Phiếu lý lịch tư pháp" in text
    for step in [
        "Tiếp nhận hồ sơ",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        "Phân công xử lý",
        "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Nhận hồ sơ bổ sung",
        "Có kết quả giải quyết",
        "Trả kết quả",
    ]:
        assert step in text
    assert "Sở Tư pháp" in text and "Trung tâm PVHCC phường Một" in text
    # Narrow table cells wrap names and notes over several lines.
    cells = text.replace(" ", "")
    assert "Justice-Specialist" in cells and "Justice-Approver" in cells
    assert "Cầnbổsung:Bảnsaosổhộkhẩu" in cells
    assert "15:20 10/03/2026" in text
    # 10 working days plus the day paused: due 17 March; resolved on the 10th.
    assert d.due_at == at(2026, 3, 17, 8, 0)
    assert "Hạn trả kết quả: 08:00 ngày 17/03/2026" in text
    assert "Giải quyết, cấp kết quả, số 123/STP-LLTP" in text
    assert "Trước hạn" in text
    assert "Đã trả kết quả: 08:05 ngày 11/03/2026" in text


def test_form_06_of_an_open_dossier(received) -> None:
    text = pdf_text(render_form_pdf(received, "06"))
    assert "Kết quả giải quyết: Đang giải quyết" in text
    assert "Tiếp nhận hồ sơ" in text and "Khởi tạo hồ sơ" in text
    assert "Hạn trả kết quả: 08:30 ngày 05/03/2026" in text


def test_form_06_while_the_clock_is_stopped_promises_no_date(
    routed, approver, desk_officer
) -> None:
    # Due Thursday 5 March 08:30; stopped on Tuesday at 10:15 with 1 d 6 h 15 min left.
    s.dossier_request_supplement(
        actor=approver, dossier=routed, items=["Bản sao sổ hộ khẩu"], at=at(2026, 3, 3, 10, 15)
    )
    text = pdf_text(render_form_pdf(routed, "06"))
    assert "08:30 ngày 05/03/2026" not in text  # the date no longer holds
    assert (
        "Hạn trả kết quả: Tạm dừng tính thời hạn từ 10:15 ngày 03/03/2026 (chờ bổ sung hồ sơ)."
        in text
    )
    assert "Thời hạn giải quyết còn lại 1 ngày 6 giờ làm việc" in text
    assert "được tính tiếp khi nhận đủ hồ sơ bổ sung" in text
    assert "ngày hẹn trả kết quả mới sẽ được xác định và thông báo sau" in text
    # The papers came: the clock runs again and the slip prints the date it moved to.
    s.dossier_receive_supplement(
        actor=desk_officer,
        dossier=routed,
        papers=[PaperIn(name="Bản sao sổ hộ khẩu", copies=1)],
        at=at(2026, 3, 4, 10, 15),
    )
    text = pdf_text(render_form_pdf(routed, "06"))
    assert "Tạm dừng tính thời hạn" not in text
    assert "Hạn trả kết quả: 08:30 ngày 06/03/2026" in text


def test_form_06_while_fees_are_awaited(routed, approver) -> None:
    s.dossier_request_fees(actor=approver, dossier=routed, amount=50000, at=at(2026, 3, 2, 9, 30))
    text = pdf_text(render_form_pdf(routed, "06"))
    assert "Tạm dừng tính thời hạn từ 09:30 ngày 02/03/2026 (chờ thực hiện nghĩa vụ tài chính)" in (
        text
    )
    assert "khi người nộp hồ sơ thực hiện xong nghĩa vụ tài chính" in text


# -- what does not apply ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("02", "No supplement was requested for this dossier."),
        ("03", "The dossier was not refused at reception."),
        ("04", "The deadline of this dossier was never extended."),
        ("05", "Processing of this dossier was not stopped."),
        ("07", "There is no such form."),
        ("xx", "There is no such form."),
    ],
)
def test_forms_that_do_not_apply(received, number, message) -> None:
    with pytest.raises(FormNotAvailable) as error:
        render_form_pdf(received, number)
    assert isinstance(error.value, ValueError)
    assert str(error.value) == message
    assert error.value.number == number


def test_unaccepted_online_dossier_has_no_receipt(
    citizen, ward_center, ward_case, applicant_in
) -> None:
    applicant = s.applicant_find_or_create(data=applicant_in)
    draft = s.dossier_create(
        actor=citizen, case=ward_case, applicant=applicant, unit=ward_center, channel="online"
    )
    s.dossier_submit(actor=citizen, dossier=draft, papers=all_papers(ward_case))
    with pytest.raises(FormNotAvailable) as error:
        render_form_html(draft, "1")
    assert error.value.number == "01"
    assert "not been accepted" in str(error.value)


def test_forms_fetch_nothing_but_their_fonts_and_inline_images() -> None:
    fetcher = LocalOnlyFetcher()
    font = fetcher.fetch(font_urls()["regular"])
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    font.close()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    for url in ["file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.com/a.css"]:
        with pytest.raises(ValueError, match="Forms load no resource"):
            fetcher.fetch(url)


# -- wording and speed -----------------------------------------------------------------------


def test_every_action_has_a_vietnamese_name_for_the_control_slip() -> None:
    assert set(ACTIONS) == set(Action.values)


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (dt.date(2026, 1, 5), "Huế, ngày 05 tháng 01 năm 2026"),
        (dt.date(2026, 2, 28), "Huế, ngày 28 tháng 02 năm 2026"),
        (dt.date(2026, 11, 9), "Huế, ngày 09 tháng 11 năm 2026"),
        # 23:30 UTC on 31 December is already New Year's Day in Vietnam.
        (dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC), "Huế, ngày 01 tháng 01 năm 2026"),
    ],
)
def test_place_and_date_line(day, line) -> None:
    assert date_line("Huế", day) == line


def test_forms_stay_vietnamese_on_an_english_page(received) -> None:
    with translation.override("en"):
        html = render_form_html(received, "01")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html
    assert 'lang="vi"' in html


# -- a real-sized dossier on A4 ----------------------------------------------------------------

# The demo province's names, as long as real ones: the header and the place line
# must hold them without wrapping badly.
MARRIAGE = {
    "format": "motcua.catalog",
    "format_version": 1,
    "fields": [{"code": "HT", "name_vi": "Hộ tịch", "name_en": "Civil status"}],
    "procedures": [
        {
            "code": "1.000894",
            "field": "HT",
            "name_vi": "Đăng ký kết hôn",
            "name_en": "Marriage registration",
            "level": "ward",
            "agency": "ward_committee",
            "agency_name_vi": "UBND cấp xã",
            "agency_name_en": "Ward People's Committee",
            "online_level": "full",
            "targets": ["citizen"],
            "legal_basis": "Luật Hộ tịch 2014",
            "result_vi": "Giấy chứng nhận kết hôn",
            "result_en": "Marriage certificate",
            "cases": [
                {
                    "code": "2",
                    "name_vi": "Đăng ký kết hôn, cần xác minh điều kiện kết hôn",
                    "name_en": "Marriage registration with checks",
                    "time": {"value": 5, "unit": "working_days"},
                    "fees": [],
                    "components": [
                        {
                            "name_vi": "Tờ khai đăng ký kết hôn",
                            "name_en": "Marriage registration form",
                            "originals": 1,
                            "copies": 0,
                            "mandatory": True,
                            "reusable": False,
                        },
                    ],
                }
            ],
        }
    ],
}

LONG_PAPERS = [
    "Thẻ căn cước, thẻ căn cước công dân, hộ chiếu hoặc giấy tờ tùy thân có ảnh"
    " của người nộp hồ sơ",
    "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại nơi không phải nơi cư trú)",
    "Giấy xác nhận của tổ chức y tế có thẩm quyền về việc không mắc bệnh tâm thần",
    "Bản sao giấy tờ chứng minh nơi cư trú của bên nam, bên nữ tại thời điểm đăng ký",
    "Văn bản ủy quyền có chứng thực (nếu nộp hồ sơ qua người được ủy quyền)",
    "Bản sao trích lục ghi chú ly hôn hoặc bản án, quyết định ly hôn đã có hiệu lực pháp luật",
    "Hộ chiếu hoặc giấy tờ có giá trị thay hộ chiếu của bên là người nước ngoài",
]

# Tuesday 24 November 2026, 13:49 in Vietnam.
TUE = at(2026, 11, 24, 13, 49)


@pytest.fixture
def tuy_hoa(db) -> dict:
    """A ward center of Đắk Lắk named as in the demo, its ward, desk and approver."""
    province = Unit.objects.create(
        code="000.00.00.H15",
        name_vi="UBND tỉnh Đắk Lắk",
        kind=UnitKind.PROVINCE,
        level=Level.PROVINCE,
    )
    ward = Unit.objects.create(
        code="000.21.00.H15",
        name_vi="UBND phường Tuy Hòa",
        kind=UnitKind.WARD_COMMITTEE,
        level=Level.WARD,
        parent=province,
        province=province,
    )
    center = Unit.objects.create(
        code="000.21.01.H15",
        name_vi="Trung tâm Phục vụ hành chính công phường Tuy Hòa",
        kind=UnitKind.CENTER,
        level=Level.WARD,
        parent=ward,
        province=province,
        address="Nguyễn Thái Học, phường Tuy Hòa",
    )
    catalog_import(text=json.dumps(MARRIAGE, ensure_ascii=False))
    return {
        "province": province,
        "ward": ward,
        "center": center,
        "case": Procedure.objects.get(code="1.000894").current_version.cases.get(),
        "desk": staff_user("le.thi.hong", center, Role.DESK_OFFICER),
        "approver": staff_user("vo.van.binh", ward, Role.APPROVER),
    }


def long_papers(count: int) -> list[str]:
    """``count`` names of papers, most of them two lines long in the receipt's table."""
    names = LONG_PAPERS + [f"{name} (bản thứ hai)" for name in LONG_PAPERS]
    return [names[i % len(names)] for i in range(count)]


def tuy_hoa_receipt(tuy_hoa: dict, papers: int) -> Dossier:
    """Received at the Tuy Hòa desk with ``papers`` rows, the checklist's form first."""
    case = tuy_hoa["case"]
    rows = [PaperIn(component_id=c.pk, originals=1) for c in case.components.all()]
    rows += [PaperIn(name=name, originals=1, copies=1) for name in long_papers(papers - 1)]
    return s.dossier_intake(
        actor=tuy_hoa["desk"],
        unit=tuy_hoa["center"],
        case=case,
        applicant=ApplicantIn(
            full_name="Nguyễn Văn An",
            id_number="001090012345",
            sex="male",
            address="12 Trần Phú, phường Tuy Hòa, tỉnh Đắk Lắk",
            phone="0905123456",
            email="nguyenvanan@example.vn",
        ),
        papers=rows,
        authorised_name="Trần Thị Bích Ngọc",
        authorised_id_number="001190054321",
        authorised_phone="0912345678",
        at=TUE,
    )


def page_lines(pdf: bytes) -> list[list[str]]:
    """The text of each page, line by line as extracted, NFC-normalised."""
    return [
        [" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines()]
        for text in (page.extract_text() for page in pdf_pages(pdf))
    ]


@pytest.mark.parametrize("papers", [1, 3, 8])
def test_form_01_of_a_usual_dossier_is_one_sheet(tuy_hoa, papers) -> None:
    pdf = render_form_pdf(tuy_hoa_receipt(tuy_hoa, papers), "01")
    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    for name in long_papers(papers - 1):
        assert name in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "Trần Thị Bích Ngọc" in text
    assert "TRA CỨU TÌNH TRẠNG HỒ SƠ" in text


@pytest.mark.parametrize("papers", [8, 12, 16])
def test_form_01_signatures_stay_with_the_last_papers(tuy_hoa, papers) -> None:
    pages = page_lines(render_form_pdf(tuy_hoa_receipt(tuy_hoa, papers), "01"))
    (signed,) = [page for page in pages if "NGƯỜI NỘP HỒ SƠ" in " ".join(page)]
    # If the receipt needs a second sheet, the last paper and items 2 to 6 go
    # over with the signatures: they never start a page alone.
    text = " ".join(signed)
    assert "5. Thời gian hẹn trả kết quả" in text and "6. Hình thức nộp hồ sơ" in text
    assert any(line.startswith(f"{papers} ") for line in signed)
    assert "Tên giấy tờ" in text  # a table going over repeats its heading
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_place_and_date_line_of_every_form_is_one_line(tuy_hoa, citizen) -> None:
    """ "Place, ngày ... năm ...": the locality, not an agency, and no year on a line of its own."""
    receipt = tuy_hoa_receipt(tuy_hoa, 3)
    desk, approver = tuy_hoa["desk"], tuy_hoa["approver"]
    s.dossier_request_supplement(actor=desk, dossier=receipt, items=["Ảnh 4x6"], at=TUE)
    s.dossier_receive_supplement(
        actor=desk, dossier=receipt, papers=[PaperIn(name="Ảnh 4x6", originals=2)], at=TUE
    )
    s.dossier_route(actor=desk, dossier=receipt, at=TUE)
    s.dossier_extend(
        actor=approver,
        dossier=receipt,
        new_due=at(2026, 12, 8, 16, 0),
        reason="Cần xác minh điều kiện kết hôn",
        at=TUE,
    )
    s.dossier_stop(actor=approver, dossier=receipt, reason="Người yêu cầu đề nghị dừng", at=TUE)
    draft = s.dossier_create(
        actor=citizen,
        case=tuy_hoa["case"],
        applicant=s.applicant_find_or_create(data=ApplicantIn(full_name="Lê Thành Nhân")),
        unit=tuy_hoa["center"],
        channel=Channel.ONLINE,
        at=at(2026, 11, 23, 10, 10),
    )
    s.dossier_submit(actor=citizen, dossier=draft, papers=all_papers(tuy_hoa["case"]))
    s.dossier_refuse(actor=desk, dossier=draft, reasons=["Bản quét không đọc được"], at=TUE)
    for number, dossier in [
        ("01", receipt),
        ("02", receipt),
        ("03", draft),
        ("04", receipt),
        ("05", receipt),
    ]:
        pdf = render_form_pdf(dossier, number)
        lines = page_lines(pdf)[0]
        assert any(line.endswith("Tuy Hòa, ngày 24 tháng 11 năm 2026") for line in lines), number
        dated = [line for line in lines if ", ngày" in line]
        assert dated and not any("UBND" in line.partition(", ngày")[0] for line in dated), number
        # The unit's name breaks before the locality, not inside "hành chính công".
        if number in {"01", "02", "03"}:
            assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in lines, number
            assert "PHƯỜNG TUY HÒA" in lines, number


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("UBND tỉnh Đắk Lắk", "Đắk Lắk"),
        ("Ủy ban nhân dân thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("Tỉnh Quảng Ngãi", "Quảng Ngãi"),
        ("UBND phường Tuy Hòa", "Tuy Hòa"),
        ("UBND xã Ea Kar", "Ea Kar"),
        ("UBND phường 5", "Phường 5"),  # named by a number: the kind stays
        ("Huế", "Huế"),
    ],
)
def test_locality_of_a_unit_name(name, place) -> None:
    assert locality(name) == place


def test_place_is_the_ward_for_a_ward_body_and_the_province_otherwise(tuy_hoa) -> None:
    justice = Unit.objects.create(
        code="000.00.11.H15",
        name_vi="Sở Tư pháp",
        kind=UnitKind.JUSTICE,
        level=Level.PROVINCE,
        parent=tuy_hoa["province"],
        province=tuy_hoa["province"],
    )
    assert place_name(tuy_hoa["center"]) == "Tuy Hòa"
    assert place_name(tuy_hoa["ward"]) == "Tuy Hòa"
    assert place_name(justice) == "Đắk Lắk"
    assert place_name(tuy_hoa["province"]) == "Đắk Lắk"
