"""Kiosk, counter and display board in a real browser, at the same time, on a live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from queueing.models import Counter, ServiceArea
from queueing.speech import call_words, number_words
from units.models import Unit

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "queueing"


def signed_in(page: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.django_db(transaction=True)
def test_a_call_at_the_counter_reaches_the_board_within_a_second_and_is_spoken(
    page: Any,
    desk_officer: User,
    ward_center: Unit,
    civil: ServiceArea,
    land: ServiceArea,
    counter: Counter,
    board_streams_closed: None,
) -> None:
    board = page.context.new_page()
    board.set_default_timeout(10_000)
    board.set_viewport_size({"width": 1280, "height": 720})
    audio: list[str] = []
    board.on(
        "request",
        lambda request: audio.append(request.url) if "/static/audio/" in request.url else None,
    )
    board.goto(f"{page.base_url}/queue/board/{ward_center.code}/")
    board.wait_for_function(
        "window.motcuaBoard.source && window.motcuaBoard.source.readyState === 1"
    )
    board.click("#sound")

    signed_in(page, desk_officer)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{page.base_url}/queue/kiosk/{ward_center.code}/")
    shot(page, "kiosk")
    page.click(f"button[name=area][value='{civil.pk}']")
    page.wait_for_selector("[data-ticket-number='1001']")
    shot(page, "ticket")

    page.goto(f"{page.base_url}/queue/counter/")
    page.evaluate("window.clickedAt = Date.now()")
    page.click("button.q-call")
    page.wait_for_selector(".q-now-number[data-ticket-number='1001']")
    clicked = page.evaluate("window.clickedAt")

    board.wait_for_function("window.motcuaBoard.events.length > 0")
    received = board.evaluate("window.motcuaBoard.events[0].receivedAt")
    assert received - clicked < 1000, f"the board showed the call after {received - clicked} ms"
    assert board.inner_text("[data-counter='1'] .q-counter-number") == "1001"
    assert "1001" in board.inner_text("#recent")
    shot(board, "board-call")
    shot(page, "counter")

    # Headless Chromium has no voices: the board plays the shipped clips, chime first.
    board.wait_for_function("window.motcuaBoard.spoken.length > 0")
    assert board.evaluate("window.motcuaBoard.spoken[0]") == "Xin mời số 1001 đến quầy số 1"
    expected = ["chime", *call_words(1001, 1)]
    board.wait_for_function(f"window.motcuaBoard.clips.length >= {len(expected)}", timeout=30_000)
    clips = board.evaluate("window.motcuaBoard.clips")
    assert [c.rsplit("/", 1)[1].removesuffix(".mp3") for c in clips[: len(expected)]] == expected
    assert any(url.endswith("/static/audio/vi/xin_moi_so.mp3") for url in audio)
    assert any(url.endswith("/static/audio/chime.mp3") for url in audio)

    # The board's number reading is the same as the server's.
    samples = [
        0,
        5,
        10,
        11,
        14,
        15,
        21,
        24,
        25,
        100,
        105,
        110,
        1001,
        1015,
        1023,
        2044,
        3105,
        12345,
        100000,
        1000001,
    ]
    for n in samples:
        assert board.evaluate(f"window.motcuaBoard.numberWords({n})") == number_words(n), n

    # A pause shows on the board too.
    board.evaluate("document.getElementById('announce').hidden = true")
    page.click(".q-now form[action$='/start/'] button")
    page.wait_for_selector(f"a[href='/desk/receive/?ticket={counter.tickets.get().pk}']")
    page.click(".q-now form[action$='/finish/'] button")
    page.wait_for_selector("button.q-call")
    page.click("form[action$='/pause/'] button")
    board.wait_for_function(
        "document.querySelector('[data-counter=\\'1\\']').classList.contains('is-paused')"
    )
    shot(board, "board")


@pytest.mark.django_db(transaction=True)
def test_booking_on_a_phone_the_ticket_page_and_the_managers_view(
    page: Any,
    manager: User,
    ward_center: Unit,
    civil: ServiceArea,
    land: ServiceArea,
    counter: Counter,
    board_streams_closed: None,
) -> None:
    import datetime as dt

    from django.utils import timezone

    from queueing.history import generate
    from queueing.models import Slot
    from queueing.services import days_open, ticket_issue

    ahead = [timezone.localdate() + dt.timedelta(days=n) for n in range(1, 8)]
    tomorrow = days_open(ward_center, ahead)[0]  # the next day the center is open
    for hour in (8, 9, 10, 14):
        Slot.objects.create(
            area=civil, day=tomorrow, starts_at=dt.time(hour), ends_at=dt.time(hour, 45), capacity=3
        )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/queue/book/?center={ward_center.code}")
    page.select_option("select[name=area]", str(civil.pk))
    page.select_option("select[name=day]", tomorrow.isoformat())
    page.wait_for_selector("input[name=slot]")
    page.fill("#name", "Lê Vĩnh Huỳnh")
    page.fill("#phone", "0905123456")
    shot(page, "book-phone")
    page.click(".q-book-form button[type=submit]")
    page.wait_for_selector(".q-code")
    shot(page, "booking-phone")

    ticket = ticket_issue(area=civil)
    page.goto(f"{page.base_url}/queue/t/{ticket.token}/")
    assert str(ticket.number) in page.inner_text(".q-status-number")
    shot(page, "ticket-status-phone")

    assert generate(ward_center, days=56, base=60.0) > 1000
    ticket_issue(area=land)
    signed_in(page, manager)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/queue/manage/")
    assert page.inner_text("#waiting-total") == "2"
    page.screenshot(path=str(SHOTS / "manage.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_refusal_at_the_counter_shows_in_the_panel(
    page: Any, desk_officer: User, civil: ServiceArea, counter: Counter
) -> None:
    from queueing.services import ticket_call_next, ticket_issue

    signed_in(page, desk_officer)
    page.goto(f"{page.base_url}/queue/counter/")
    page.wait_for_selector("button.q-call")
    # Meanwhile the same officer called someone from another tab: this page is stale.
    ticket_issue(area=civil)
    ticket_call_next(counter=counter, actor=desk_officer)
    page.click("button.q-call")
    page.wait_for_selector("#counter-panel .messages li.error")
    assert "Hãy kết thúc số đang phục vụ" in page.inner_text("#counter-panel .messages")
    assert page.is_visible(".q-now-number[data-ticket-number='1001']")


@pytest.mark.django_db(transaction=True)
def test_the_booking_page_fits_a_phone_with_a_long_center_name(
    page: Any, ward_center: Unit, civil: ServiceArea
) -> None:
    import datetime as dt

    from django.utils import timezone

    from queueing.models import Slot
    from queueing.services import days_open

    ward_center.name_vi = "Trung tâm Phục vụ hành chính công phường Buôn Ma Thuột"
    ward_center.save(update_fields=["name_vi"])
    ahead = [timezone.localdate() + dt.timedelta(days=n) for n in range(1, 8)]
    day = days_open(ward_center, ahead)[0]
    Slot.objects.create(area=civil, day=day, starts_at=dt.time(9), ends_at=dt.time(10))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/queue/book/")
    # Each choice redraws the next ones: the services and open days of the chosen center.
    page.select_option("select[name=center]", ward_center.code)
    page.wait_for_selector("select[name=area]")
    page.select_option("select[name=area]", str(civil.pk))
    page.select_option("select[name=day]", day.isoformat())
    page.wait_for_selector("input[name=slot]")
    shot(page, "book-long-center-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("select[name=center]").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390


@pytest.mark.django_db(transaction=True)
def test_the_board_clock_shows_the_centers_time_on_a_screen_set_to_another_zone(
    page: Any, ward_center: Unit, board_streams_closed: None
) -> None:
    import datetime as dt

    from django.utils import timezone

    context = page.context.browser.new_context(timezone_id="America/New_York")
    try:
        board = context.new_page()
        board.goto(f"{page.base_url}/queue/board/{ward_center.code}/")
        shown = board.inner_text("#clock")
        now = timezone.localtime()
        near = {f"{now + dt.timedelta(minutes=m):%H:%M}" for m in (-1, 0, 1)}
        assert any(moment in shown for moment in near), (shown, near)
    finally:
        context.close()
