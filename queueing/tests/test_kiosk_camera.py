"""The kiosk reads a booking's QR code with its camera, in a real Chromium with a fake camera."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from queueing import services as q
from queueing.models import Appointment, AppointmentStatus, ServiceArea, Slot, Ticket, TicketSource
from queueing.tests.test_browser import shot, signed_in
from units.models import Unit

# Chromium plays this file as its camera, and grants the camera without asking.
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def booked_today(area: ServiceArea) -> Appointment:
    """A booking for today, made this morning, so the kiosk may check it in now."""
    today = timezone.localdate()
    slot = Slot.objects.create(
        area=area, day=today, starts_at=dt.time(0, 0), ends_at=dt.time(23, 59)
    )
    morning = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0, 1)))
    return q.appointment_book(slot=slot, name="Lê Vĩnh Huỳnh", phone="0905123456", at=morning)


def booking_qr(booking: Appointment) -> Image.Image:
    """The booking page's QR code as a person holds it up: on white, a little off centre."""
    url = settings.PUBLIC_BASE_URL + reverse("queueing:booking", args=[booking.code])
    png = io.BytesIO()
    segno.make_qr(url, error="m").save(png, kind="png", scale=7, border=4)
    code = Image.open(io.BytesIO(png.getvalue())).convert("RGB")
    picture = Image.new("RGB", (640, 480), (205, 200, 190))
    picture.paste(code, ((640 - code.width) // 2 + 30, (480 - code.height) // 2 - 10))
    return picture


def write_y4m(picture: Image.Image, path: Path, frames: int = 10) -> Path:
    """A few seconds of still video in the YUV4MPEG2 format Chromium's fake camera reads."""
    width, height = picture.size
    y, cb, cr = picture.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        y.tobytes()
        + cb.resize(half, Image.Resampling.BOX).tobytes()
        + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path


@pytest.fixture
def camera_browser(_chromium: Any, tmp_path: Path) -> Iterator[Any]:
    """Launch with ``camera_browser(video)``: a Chromium whose camera shows ``video``."""
    from conftest import CHROMIUM, CHROMIUM_ARGS

    launched: list[Any] = []

    def launch(video: Path) -> Any:
        browser = _chromium.browser_type.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}"],
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_kiosk_camera_reads_a_booking_qr_and_checks_it_in(
    camera_browser: Any,
    live_server: Any,
    guide: User,
    ward_center: Unit,
    civil: ServiceArea,
    tmp_path: Path,
) -> None:
    from conftest import NO_PRINT_DIALOG

    booking = booked_today(civil)
    video = write_y4m(booking_qr(booking), tmp_path / "booking.y4m")
    context = camera_browser(video).new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    context.add_init_script(NO_PRINT_DIALOG)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    # Hold the decoder back until the scanner has been looked at, then let it read.
    held: list[Any] = []
    page.route("**/zxing_reader.wasm", lambda route: held.append(route))
    signed_in(page, guide)
    page.goto(f"{live_server.url}/queue/kiosk/{ward_center.code}/")

    page.click("#scan")
    page.wait_for_selector("#scanner:not([hidden])")
    page.wait_for_function("document.getElementById('scanner-video').videoWidth > 0")
    assert "mã QR đặt lịch" in page.inner_text("#scan-hint")
    assert page.evaluate("document.activeElement.id") == "scan-stop"
    page.wait_for_timeout(300)  # a frame on screen for the picture
    shot(page, "kiosk-scanner")

    page.wait_for_function("() => true")  # let the held request reach the handler
    assert held, "the decoder was not asked for"
    held[0].continue_()
    page.wait_for_url(
        f"**/queue/kiosk/{ward_center.code}/ticket/**", wait_until="commit", timeout=20_000
    )
    ticket = Ticket.objects.get()
    page.wait_for_selector(f"[data-ticket-number='{ticket.number}']")
    booking.refresh_from_db()
    assert ticket.appointment == booking and ticket.source == TicketSource.APPOINTMENT
    assert booking.status == AppointmentStatus.CHECKED_IN
    shot(page, "kiosk-scanner-ticket")
    context.close()


DENIED = "Không được phép dùng camera ở đây. Hãy nhập mã đặt lịch."
NONE = "Không tìm thấy camera. Hãy nhập mã đặt lịch."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("error", "message"), [("NotAllowedError", DENIED), ("NotFoundError", NONE)]
)
def test_without_a_camera_the_kiosk_says_so_and_the_typed_code_still_works(
    page: Any, guide: User, ward_center: Unit, civil: ServiceArea, error: str, message: str
) -> None:
    booking = booked_today(civil)
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        f" Promise.reject(new DOMException('refused', '{error}'));"
    )
    signed_in(page, guide)
    page.goto(f"{page.base_url}/queue/kiosk/{ward_center.code}/")
    page.click("#scan")
    page.wait_for_function(
        "document.getElementById('scan-status').classList.contains('is-problem')"
    )
    assert page.inner_text("#scan-status") == message
    assert page.is_hidden("#scanner")
    assert page.evaluate("document.activeElement.id") == "code"
    if error == "NotAllowedError":
        shot(page, "kiosk-no-camera")
    # A QR that is not a booking is refused on the kiosk and the camera keeps looking.
    assert page.evaluate("window.motcuaKiosk.deliver('https://example.com/?q=1')") is False
    assert "không phải là mã đặt lịch" in page.inner_text("#scan-status")
    page.fill("#code", booking.code.lower())
    page.click("#check-in button[type=submit]")
    page.wait_for_url(f"**/queue/kiosk/{ward_center.code}/ticket/**", wait_until="commit")
    assert Ticket.objects.get().appointment == booking
    page.wait_for_function("window.motcuaPrinted >= 1")  # the ticket prints itself


def test_the_fake_camera_video_holds_the_booking_picture(tmp_path: Path) -> None:
    picture = Image.new("RGB", (64, 48), (255, 255, 255))
    video = write_y4m(picture, tmp_path / "white.y4m", frames=2).read_bytes()
    header, _, rest = video.partition(b"\n")
    assert header == b"YUV4MPEG2 W64 H48 F10:1 Ip A1:1 C420jpeg"
    frame = 64 * 48 * 3 // 2
    assert rest == (b"FRAME\n" + bytes([255] * (64 * 48)) + bytes([128] * (frame - 64 * 48))) * 2
