"""The printed forms 01 to 06: driven through the services, checked in the PDF itself."""

import datetime as dt
import io
import unicodedata

import pytest
import segno
from django.utils import timezone, translation
from pypdf import PdfReader

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
from dossiers.documents.wording import ACTIONS, date_line
from dossiers.models import Action, Channel, Dossier
from dossiers.services import PaperIn
from dossiers.tests.fixtures import all_papers, at

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
    assert "Thử, ngày 02 tháng 3 năm 2026" in text
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
    assert "Thử, ngày 02 tháng 3 năm 2026" in text
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
    assert "Thử, ngày 05 tháng 01 năm 2026" in text  # leading zeros for January
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
    assert "Thử, ngày 04 tháng 3 năm 2026" in text
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
