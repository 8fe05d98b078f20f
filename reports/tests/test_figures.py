"""One rounding rule: the page, the Excel file and the PDF of a report show the same digits.

The counters are written directly, so each share is a chosen fraction: 8/9 (88,89 %, which
the page once truncated to 88,88 %), 16/29 (55,17 %, which the PDF once printed 55,16 %),
1/32 (3,125 %: half up gives 3,13 %), and points whose rounded parts add up to one
hundredth less than the rounded exact total.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports, figures
from reports.counters import NIL
from reports.models import Tally
from reports.progress import Line, Progress
from reports.templatetags.report_tags import num, pct, signed, weekday_short

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31", "scope": "all", "by": "unit"}
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
NBSP = "\u00a0"


# -- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(8, 9), "88.89"),  # truncated, this was 88,88
        (Fraction(4, 13), "30.77"),
        (Fraction(16, 29), "55.17"),
        (Fraction(1, 32), "3.13"),  # exactly 3,125: half goes up (half-even gave 3,12)
        (Fraction(1, 8000), "0.01"),  # exactly 0,0125
        (Fraction(1, 8001), "0.01"),
        (Fraction(1, 40000), "0.00"),  # 0,0025
        (0.03125, "3.13"),
        (Fraction(2, 3), "66.67"),
        (1, "100.00"),
        (0, "0.00"),
    ],
)
def test_a_share_is_rounded_half_up_from_its_exact_value(value: Any, shown: str) -> None:
    assert figures.percent(value) == Decimal(shown)


def test_points_and_changes_round_half_up_away_from_zero() -> None:
    assert figures.half_up(Fraction(9, 200)) == Decimal("0.05")  # 0,045
    assert figures.half_up(Fraction(-9, 200)) == Decimal("-0.05")
    assert figures.amount(Fraction(33, 7)) == Decimal("4.71")
    assert figures.amount(Fraction(39999, 2000)) == 20  # 19,9995 shows as a whole 20
    assert figures.amount(7) == 7
    assert figures.percent(None) is None and figures.amount(None) is None


def test_the_page_filters_print_what_the_rule_gives() -> None:
    from django.utils import translation

    with translation.override("vi"):
        assert pct(Fraction(8, 9)) == f"88,89{NBSP}%"
        assert pct(Fraction(1, 32)) == f"3,13{NBSP}%"
        assert pct(None) == "—"
        assert num(Fraction(22, 3)) == "7,33"
        assert num(Fraction(20)) == "20"
        assert num(12) == "12"
        assert signed(Fraction(-1, 3), True) == f"\u221233,33{NBSP}pp"
        assert signed(Fraction(1, 1_000_000), True) == f"±0,00{NBSP}pp"  # shows as nothing
        assert signed(3) == "+3"


def test_excel_cells_hold_the_rounded_value_with_the_same_decimals() -> None:
    assert figures.excel_cell(Fraction(8, 9), True) == (0.8889, "0.00%")
    assert figures.excel_cell(Fraction(1, 32), True) == (0.0313, "0.00%")
    assert figures.excel_cell(Fraction(22, 3)) == (7.33, "#,##0.00")
    assert figures.excel_cell(Decimal("20.00")) == (20, "#,##0")
    assert figures.excel_cell(12) == (12, "#,##0")
    assert figures.excel_cell("Tổng cộng") == ("Tổng cộng", None)


def test_a_weekday_has_one_short_style() -> None:
    from django.utils import translation

    monday = dt.date(2026, 11, 23)
    with translation.override("vi"):
        names = [weekday_short(monday + dt.timedelta(days=n)) for n in range(7)]
    assert names == ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
    with translation.override("en"):
        assert weekday_short(monday + dt.timedelta(days=6)) == "Sun"


# -- the same report as page, .xlsx and PDF ------------------------------------------------


def _tally(unit: Any, day: dt.date = dt.date(2025, 3, 1), grain: str = "m", **counts: int) -> None:
    Tally.objects.create(grain=grain, day=day, unit_id=unit.pk, version_id=NIL, **counts)


@pytest.fixture
def march(ward_center: Any, other_center: Any) -> None:
    """Two centers' counters for March 2025 (see the module docstring for the fractions)."""
    _tally(
        ward_center,
        received_online=8,
        received_post=1,  # online share 8/9
        done_early=4,
        done_late=9,  # on time 4/13
        dossiers_digitised=5,
        papers=10,
        papers_reused=1,
        returned_direct=2,
        returned_online=1,
    )
    _tally(
        other_center,
        received_online=16,
        received_direct=13,  # online share 16/29
        done_early=1,
        done_late=31,  # on time 1/32
    )


def excel_shows(cell: Any) -> str:
    """What a spreadsheet prints for the cell, in Vietnamese."""
    value, form = cell.value, cell.number_format
    if value is None:
        return "—"
    if form == "0.00%":
        text = f"{Decimal(str(value)) * 100:.2f}{NBSP}%"
    elif form == "#,##0.00":
        text = f"{Decimal(str(value)):,.2f}"
    elif form == "#,##0":
        text = f"{int(value):,}"
    else:
        return str(value)
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def pdf_text(content: bytes) -> list[str]:
    """Each page's text, with the line breaks of narrow cells as spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_progress_page_excel_and_pdf_show_the_same_rates(
    client: Any, admin_user: Any, march: None
) -> None:
    client.force_login(admin_user)
    url = reverse("reports:progress")
    html = client.get(url, MARCH, **VI).content.decode()
    shown = {
        name.strip(): (online, on_time)
        for name, online, on_time in re.findall(
            r'<td class="name">(?:<small class="muted">[^<]*</small> )?([^<]*)</td>'
            r'.*?data-col="online_share">([^<]*)</td>'
            r'<td class="num" data-col="on_time_rate">([^<]*)<',
            html,
            re.S,
        )
    }
    total = re.search(
        r'data-testid="progress-total".*?data-col="online_share">([^<]*)<'
        r'.*?data-col="on_time_rate">([^<]*)<',
        html,
        re.S,
    )
    assert total is not None
    shown["Tổng cộng"] = (total.group(1), total.group(2))
    assert shown == {
        "Trung tâm PVHCC phường Một": (f"88,89{NBSP}%", f"30,77{NBSP}%"),
        "Trung tâm PVHCC phường Hai": (f"55,17{NBSP}%", f"3,13{NBSP}%"),
        "Tổng cộng": (f"63,16{NBSP}%", f"11,11{NBSP}%"),  # 24/38, 5/45
    }

    sheet = load_workbook(io.BytesIO(client.get(url, {**MARCH, "export": "xlsx"}).content)).active
    in_excel = {
        str(row[1].value): (excel_shows(row[20]), excel_shows(row[21]))
        for row in sheet.iter_rows(min_row=7)
        if row[1].value and row[20].number_format == "0.00%"
    }
    assert in_excel == shown

    pages = pdf_text(client.get(url, {**MARCH, "export": "pdf"}).content)
    text = "\n".join(pages).replace(" %", f"{NBSP}%")
    printed = re.findall(r"\d+,\d\d\u00a0%", text)
    assert sorted(printed) == sorted(v for pair in shown.values() for v in pair)


def test_scores_page_excel_and_pdf_agree_and_the_total_adds_up(
    client: Any, admin_user: Any, march: None
) -> None:
    client.force_login(admin_user)
    url = reverse("reports:scores")
    period = {k: MARCH[k] for k in ("start", "end", "scope")}
    page = client.get(url, period, **VI)
    html = page.content.decode()
    # Points earned as the page prints them, indicator by indicator ("6,95 / 11").
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    earned = re.findall(r'<td class="num">([\d,]+) / [\d,]+</td>\s*</tr>', body)
    assert earned == ["2,22", "6,95", "0,96", "0,73", "2,44"]
    # The exact total is 13,3119…: the total is the sum of the printed points, 13,30.
    assert sum(Decimal(x.replace(",", ".")) for x in earned) == Decimal("13.30")
    assert page.context["earned"] == Decimal("13.30")
    assert "13,30" in html.split('data-testid="scores-total"', 1)[1].split("</p>", 1)[0]

    sheet = load_workbook(io.BytesIO(client.get(url, {**period, "export": "xlsx"}).content)).active
    rows = [r for r in sheet.iter_rows(min_row=5) if r[0].value]
    in_excel = [excel_shows(r[7]) for r in rows if r[7].value is not None]
    assert in_excel == [*earned, "13,30"]
    values = [excel_shows(r[5]) for r in rows if r[5].value is not None]
    assert values == [f"{v}{NBSP}%" for v in ("11,11", "63,16", "13,16", "10,00", "33,33")]
    assert values == re.findall(r"([\d,]+\u00a0%)", body)
    totals = next(r for r in rows if r[0].value == "Tổng cộng")
    assert excel_shows(totals[6]) == "53"  # points available: exact, whole

    text = "\n".join(pdf_text(client.get(url, {**period, "export": "pdf"}).content))
    for figure in [*earned, "13,30", *(v.replace(NBSP, " ") for v in values)]:
        assert figure in text
    assert "13,31" not in text


def test_the_pdf_prints_the_total_once_after_the_last_row() -> None:
    lines = [
        Line(key=str(n), label=f"Thủ tục số {n}", new_online=n, new_direct=1) for n in range(40)
    ]
    report = Progress(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), by="procedure")
    report.lines = lines
    for line in lines:
        report.total.add(line)
    pages = pdf_text(
        exports.render_pdf(lambda: exports.progress_sheet(report, "Tỉnh Thử", "Thủ tục"))
    )
    assert len(pages) > 1
    total_row = "Tổng cộng 820 0 780 40 "  # received, carried over, new online, at the desk
    assert [page.count(total_row) for page in pages] == [0] * (len(pages) - 1) + [1]
    assert all("Số hồ sơ nhận giải quyết" in page for page in pages)  # the header repeats
    last = pages[-1]
    assert last.index("Thủ tục số 39") < last.index(total_row)


def test_results_returned_are_split_as_the_report_defines_them(
    client: Any, manager: Any, ward_center: Any
) -> None:
    """Online means an electronic result: post is its own figure, never 'through the system'."""
    _tally(ward_center, returned_direct=24, returned_online=4, returned_post=2)
    client.force_login(manager)
    html = client.get(reverse("reports:progress"), MARCH, **VI).content.decode()
    card = html.split('data-testid="returned"', 1)[1].split("</div></div>", 1)[0]
    assert ">30<" in card
    assert "24 trực tiếp · 4 trực tuyến (kết quả điện tử) · 2 qua bưu chính" in card
    assert "qua hệ thống" not in html.split('data-testid="progress-table"', 1)[0]
    rows = {c.label: c for c in client.get(reverse("reports:progress"), MARCH).context["changes"]}
    assert rows["Trả kết quả trực tuyến (kết quả điện tử)"].now == 4
    assert rows["Trả kết quả qua bưu chính"].now == 2


def test_center_dashboard_names_weekdays_in_one_style(client: Any, manager: Any) -> None:
    client.force_login(manager)
    html = client.get(reverse("reports:center"), **VI).content.decode()
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    days = re.findall(r"<tr><td>(\S+) \d\d/\d\d</td>", table)
    assert len(days) == 30 and set(days) <= {"T2", "T3", "T4", "T5", "T6", "T7", "CN"}
    assert "CN" in days and "Chủ nhật" not in table
