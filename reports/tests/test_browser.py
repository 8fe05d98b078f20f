"""The province dashboard in a real browser: charts drawn, every chart with its figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role, User
from accounts.tests.factories import staff_user
from reports.tests.story import Agency, generate
from units.models import Level, Unit, UnitKind

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "reports"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def test_province_dashboard_draws_every_center_side_by_side(
    page: Any,
    province: Unit,
    ward_center: Unit,
    other_center: Unit,
    ward_case: Any,
    justice_case: Any,
    approver: User,
    specialist: User,
    justice_approver: User,
    justice_specialist: User,
    citizen: User,
    applicant: Any,
    admin_user: User,
) -> None:
    provincial = Unit.objects.create(
        code="000.00.01.H99",
        name_vi="Trung tâm PVHCC tỉnh Thử",
        name_en="Provincial service center",
        kind=UnitKind.CENTER,
        level=Level.PROVINCE,
        parent=province,
        province=province,
    )
    justice = Agency(justice_case, justice_approver, justice_specialist)
    for n, (center, count, agencies) in enumerate(
        [
            (provincial, 36, [justice]),
            (ward_center, 24, [Agency(ward_case, approver, specialist), justice]),
            (other_center, 16, [justice]),
        ]
    ):
        desk = staff_user(f"desk{n}", center, Role.DESK_OFFICER)
        generate(
            seed=n,
            count=count,
            first=dt.date(2025, 1, 2),
            days=50,
            horizon=dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC),
            desk=desk,
            center=center,
            agencies=agencies,
            citizen=citizen,
            applicant=applicant,
        )
    signed_in(page, admin_user)
    page.goto(f"{page.base_url}/reports/province/?start=2025-01-01&end=2025-02-28&scope=all")
    page.wait_for_selector("canvas[data-chart=channels]")
    # Chart.js has drawn: the canvases have pixels, not just an element.
    drawn = page.evaluate(
        "[...document.querySelectorAll('canvas[data-chart]')].map(c => window.Chart.getChart(c)"
        " ? window.Chart.getChart(c).data.datasets.length : 0)"
    )
    assert drawn == [3, 2]
    ranking = page.locator("[data-testid=ranking] tbody tr")
    assert ranking.count() == 3
    assert "Trung tâm PVHCC tỉnh Thử" in page.locator("[data-testid=ranking]").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "province-dashboard.png"), full_page=True)


def test_center_dashboard_counts_in_whole_dossiers_and_lines_up_with_the_header(
    page: Any, ward_center: Unit, manager: User
) -> None:
    from django.utils import timezone

    from reports.counters import NIL
    from reports.models import Tally

    today = timezone.localdate()
    for back, online, direct in [(1, 1, 0), (2, 0, 1), (3, 1, 1), (5, 1, 0)]:
        Tally.objects.create(
            grain="d",
            day=today - dt.timedelta(days=back),
            unit_id=ward_center.pk,
            version_id=NIL,
            received_online=online,
            received_direct=direct,
            done_on_time=1,
        )
    signed_in(page, manager)
    page.goto(f"{page.base_url}/reports/center/")
    page.wait_for_selector("canvas[data-chart=trend]")
    chart = "window.Chart.getChart(document.querySelector('canvas[data-chart=trend]'))"
    # At most two dossiers a day: Chart.js would step by 0.5 if let be.
    ticks = page.evaluate(f"{chart}.scales.y.ticks.map(t => t.value)")
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    # Every legend sample is drawn as its series is: the processed line as a line and marker.
    samples = page.evaluate(
        f"{chart}.legend.legendItems.map(i => [i.text, i.pointStyle instanceof HTMLCanvasElement,"
        " i.pointStyle.width, i.pointStyle.height])"
    )
    assert [s[1:] for s in samples] == [[True, 28, 14]] * 4
    line = page.evaluate(
        f"(() => {{ const c = {chart}.legend.legendItems[3].pointStyle;"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let inked = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) inked++;"
        " return inked / (c.width * c.height); })()"
    )
    assert 0 < line < 0.5  # a thin line and a marker, not a filled box
    # The content starts where the header does.
    header = page.locator(".site-header .wrap").bounding_box()
    main = page.locator("main").bounding_box()
    assert header and main and abs(header["x"] - main["x"]) < 1 and main["width"] <= header["width"]
    assert "CN" in page.locator("table.report").first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "center-dashboard.png"), full_page=True)
