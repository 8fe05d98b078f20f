"""Reports as files: Excel and PDF tables, and the dossier register (form 07) as CSV.

A report is first laid out as a :class:`Sheet` (title, header rows with
merged cells, body, totals row); the same sheet becomes an .xlsx workbook
(openpyxl) or a landscape A4 PDF (WeasyPrint, with the fonts the forms ship).
Official column headers are Vietnamese whatever the page's language.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from deadlines.engine import VN_TZ
from dossiers.documents.fonts import font_urls
from dossiers.documents.pdf import html_to_pdf
from dossiers.models import Action, Dossier, DossierEvent, ReturnChannel, Status
from reports import figures
from reports.progress import Line, Progress
from reports.scores import Group, total

# Figures stay exact in a sheet; the .xlsx and the PDF round them as the page does
# (``reports.figures``).
Cell = str | int | Fraction | Decimal | None


@dataclass(frozen=True)
class Head:
    text: str
    cols: int = 1
    rows: int = 1


@dataclass
class Sheet:
    title: str
    subtitle: str
    header: list[list[Head]]
    body: list[list[Cell]] = field(default_factory=list)
    totals: list[Cell] | None = None
    notes: list[str] = field(default_factory=list)
    # Columns holding a share (0-1), shown as percentages with two decimals.
    percent: frozenset[int] = frozenset()

    @property
    def width(self) -> int:
        return sum(h.cols for h in self.header[0])


def progress_row(number: int | str, line: Line) -> list[Cell]:
    return [
        number,
        line.label,
        line.received,
        line.carried,
        line.new_online,
        line.new_direct,
        line.new_post,
        line.done,
        line.done_early,
        line.done_on_time,
        line.done_late,
        line.running,
        line.running_on_time,
        line.running_overdue,
        line.paused,
        line.paused_on_time,
        line.paused_overdue,
        line.returned_direct,
        line.returned_online,
        line.returned_post,
        line.online_share,
        line.on_time_rate,
    ]


def progress_header(by_label: str) -> list[list[Head]]:
    """The columns of the progress report as provincial systems print them."""
    within = pgettext("report", "Within time")
    total, on_time, overdue = (
        pgettext("report", "Total"),
        pgettext("report", "On time"),
        pgettext("report", "Overdue"),
    )
    return [
        [
            Head(pgettext("report", "No."), rows=3),
            Head(by_label, rows=3),
            Head(pgettext("report", "Dossiers received"), cols=5),
            Head(pgettext("report", "Dossiers processed"), cols=4),
            Head(pgettext("report", "Dossiers in process"), cols=3),
            Head(pgettext("report", "Dossiers paused or stopped"), cols=3),
            Head(pgettext("report", "Results returned"), cols=3),
            Head(pgettext("report", "Rates"), cols=2),
        ],
        [
            Head(total, rows=2),
            Head(pgettext("report", "Carried over from the previous period"), rows=2),
            Head(pgettext("report", "New in the period"), cols=3),
            Head(total, rows=2),
            Head(pgettext("report", "Early"), rows=2),
            Head(on_time, rows=2),
            Head(pgettext("report", "Late"), rows=2),
            Head(total, rows=2),
            Head(within, rows=2),
            Head(overdue, rows=2),
            Head(total, rows=2),
            Head(within, rows=2),
            Head(overdue, rows=2),
            Head(pgettext("report", "At the desk"), rows=2),
            Head(pgettext("report", "Online"), rows=2),
            Head(pgettext("report", "By post"), rows=2),
            Head(pgettext("report", "Online share"), rows=2),
            Head(pgettext("report", "On-time rate"), rows=2),
        ],
        [
            Head(pgettext("report", "Online")),
            Head(pgettext("report", "At the desk")),
            Head(pgettext("report", "By public post")),
        ],
    ]


def period_text(start: dt.date, end: dt.date) -> str:
    return _("From %(start)s to %(end)s") % {
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
    }


def progress_sheet(report: Progress, units: str, by_label: str) -> Sheet:
    sheet = Sheet(
        title=pgettext(
            "report", "Report on the receipt and processing of administrative procedure dossiers"
        ),
        subtitle=f"{units}. {period_text(report.start, report.end)}",
        header=progress_header(by_label),
        percent=frozenset({20, 21}),
    )
    sheet.body = [progress_row(n, line) for n, line in enumerate(report.lines, 1)]
    sheet.totals = progress_row("", report.total)
    sheet.totals[1] = pgettext("report", "Total")
    sheet.notes = [
        pgettext(
            "report",
            "Received total = carried over + new = processed + in process + paused or stopped.",
        ),
        pgettext("report", "Returned online: electronic results through the system."),
        pgettext(
            "report",
            "Rates are rounded half up to two decimals; the rates of the total row are "
            "those of its own figures, not an average of the rows.",
        ),
    ]
    return sheet


def scores_sheet(groups: list[Group], units: str, start: dt.date, end: dt.date) -> Sheet:
    sheet = Sheet(
        title=pgettext("report", "Service scores under Decision 766/QĐ-TTg"),
        subtitle=f"{units}. {period_text(start, end)}",
        header=[
            [
                Head(pgettext("report", "Group")),
                Head(pgettext("report", "Indicator")),
                Head(pgettext("report", "Formula")),
                Head(pgettext("report", "Numerator")),
                Head(pgettext("report", "Denominator")),
                Head(pgettext("report", "Value")),
                Head(pgettext("report", "Points available")),
                Head(pgettext("report", "Points earned")),
            ]
        ],
        percent=frozenset({5}),
    )
    for group in groups:
        for indicator in group.indicators:
            sheet.body.append(
                [
                    f"{group.name} ({group.points})",
                    str(indicator.name),
                    str(indicator.formula),
                    indicator.numerator,
                    indicator.denominator,
                    indicator.value,
                    indicator.points,
                    indicator.score,
                ]
            )
    earned, measured = total(groups)
    sheet.totals = [
        pgettext("report", "Total"),
        "",
        "",
        None,
        None,
        None,
        measured,
        earned,
    ]
    sheet.notes = [
        pgettext("report", "An indicator without data earns no points and is shown as no data."),
        scores_note(),
    ]
    return sheet


def scores_note() -> str:
    return pgettext(
        "report",
        "Points are rounded half up to two decimals and the total earned is the sum of the "
        "points shown. Points available are the group's points split evenly between its "
        "indicators and shown rounded; their total is the exact sum, which may differ slightly "
        "from the sum of the rounded figures.",
    )


# -- Excel -----------------------------------------------------------------------------------


def xlsx_bytes(sheet: Sheet) -> bytes:
    # openpyxl takes most of a second to load: imported when a sheet is first made.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="666666")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _("Report")[:31]
    width = sheet.width
    ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=2, column=1, value=sheet.subtitle).font = Font(italic=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    top = 4
    taken: set[tuple[int, int]] = set()
    for r, heads in enumerate(sheet.header):
        c = 1
        for head in heads:
            while (top + r, c) in taken:
                c += 1
            cell = ws.cell(row=top + r, column=c, value=head.text)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.fill = PatternFill("solid", fgColor="E8EEF4")
            for dr in range(head.rows):
                for dc in range(head.cols):
                    taken.add((top + r + dr, c + dc))
                    ws.cell(row=top + r + dr, column=c + dc).border = box
            if head.rows > 1 or head.cols > 1:
                ws.merge_cells(
                    start_row=top + r,
                    start_column=c,
                    end_row=top + r + head.rows - 1,
                    end_column=c + head.cols - 1,
                )
            c += head.cols
    row = top + len(sheet.header)
    rows = [*sheet.body, *([sheet.totals] if sheet.totals else [])]
    for index, values in enumerate(rows):
        for c, value in enumerate(values, 1):
            shown, number_format = figures.excel_cell(value, c - 1 in sheet.percent)
            cell = ws.cell(row=row, column=c, value=shown)
            cell.border = box
            if number_format:
                cell.number_format = number_format
            if sheet.totals is not None and index == len(rows) - 1:
                cell.font = Font(bold=True)
        row += 1
    for note in sheet.notes:
        row += 1
        ws.cell(row=row, column=1, value=note).font = Font(italic=True, size=9)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 38
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.freeze_panes = ws.cell(row=top + len(sheet.header), column=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_xlsx(sheet_of: object) -> bytes:
    """Build the sheet in Vietnamese (``sheet_of`` is a callable returning it) and save it."""
    with translation.override("vi"):
        return xlsx_bytes(sheet_of())  # type: ignore[operator]


# -- PDF ------------------------------------------------------------------------------------


def pdf_bytes(sheet: Sheet) -> bytes:
    html = render_to_string(
        "reports/sheet_pdf.html",
        {
            "sheet": sheet,
            "fonts": font_urls(),
            "made": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        },
    )
    return html_to_pdf(html)


def render_pdf(sheet_of: object) -> bytes:
    with translation.override("vi"):
        return pdf_bytes(sheet_of())  # type: ignore[operator]


# -- the dossier register (form 07) ----------------------------------------------------------


def register_header() -> list[str]:
    return [
        pgettext("report", "No."),
        pgettext("report", "Dossier code"),
        pgettext("report", "Procedure"),
        pgettext("report", "Number of dossiers (sets)"),
        pgettext("report", "Individual or organisation"),
        pgettext("report", "Address, phone"),
        pgettext("report", "Lead agency"),
        pgettext("report", "Received (date, time)"),
        pgettext("report", "Result due"),
        pgettext("report", "Sent to the processing agency"),
        pgettext("report", "Result received from the agency"),
        pgettext("report", "Result returned (date, time)"),
        pgettext("report", "Return channel"),
        pgettext("report", "Status"),
        pgettext("report", "Notes"),
    ]


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def register_rows(
    unit_ids: Collection[uuid.UUID], start: dt.date, end: dt.date
) -> Iterator[list[str]]:
    """One row per dossier received in the period, in order of reception; streamed."""
    begin = dt.datetime.combine(start, dt.time(), VN_TZ)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), VN_TZ)
    routed = DossierEvent.objects.filter(dossier=OuterRef("pk"), action=Action.ROUTE).order_by("at")
    dossiers = (
        Dossier.objects.filter(
            receiving_unit_id__in=list(unit_ids), received_at__gte=begin, received_at__lt=stop
        )
        .annotate(routed_at=Subquery(routed.values("at")[:1]))
        .select_related("procedure_version__procedure", "applicant", "competent_unit")
        .order_by("received_at", "code")
    )
    returns = dict(ReturnChannel.choices)
    statuses = dict(Status.choices)
    for number, d in enumerate(dossiers.iterator(chunk_size=2000), 1):
        applicant = d.applicant
        contact = ", ".join(x for x in (applicant.address, applicant.phone) if x)
        late = d.finished_at and d.due_at and d.finished_at > d.due_at
        yield [
            str(number),
            d.code or "",
            f"{d.procedure_version.procedure.code} {d.procedure_version.name_vi}",
            "1",
            applicant.full_name,
            contact,
            d.competent_unit.name_vi,
            _when(d.received_at),
            _when(d.due_at),
            _when(d.routed_at),  # type: ignore[attr-defined]
            _when(d.finished_at if d.status in (Status.RESOLVED, Status.RETURNED) else None),
            _when(d.returned_at),
            str(returns.get(d.return_channel, "")),
            str(statuses.get(d.status, d.status)),
            pgettext("report", "Late") if late else "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def register_csv(unit_ids: Collection[uuid.UUID], start: dt.date, end: dt.date) -> Iterator[str]:
    """The register as CSV lines (UTF-8 with a byte-order mark, so spreadsheets read accents)."""
    writer = csv.writer(_Echo())
    with translation.override("vi"):
        yield "\ufeff" + writer.writerow(register_header())
        for row in register_rows(unit_ids, start, end):
            yield writer.writerow(row)
