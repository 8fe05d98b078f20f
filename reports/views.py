"""Report pages: progress report, dashboards, Decision 766 scores, exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from dossiers.models import Dossier
from reports import exports
from reports.access import province_required, scope_required
from reports.dashboards import center_board, chart_data, ranking
from reports.forms import PeriodForm, ProgressForm
from reports.models import Tally
from reports.progress import GROUPINGS, Progress, changes, progress, year_earlier
from reports.scores import groups_766, satisfaction, total

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_labels() -> dict[str, str]:
    return {
        "online": pgettext("report", "Online"),
        "direct": pgettext("report", "At the desk"),
        "post": pgettext("report", "By post"),
        "done": _("Processed"),
        "received": _("Received"),
        "on_time": _("On-time rate (%)"),
        "online_share": _("Online share (%)"),
    }


def _form_extras(request: HttpRequest) -> dict[str, Any]:
    """Quick period links that keep the other choices, and the query for export links."""
    today = timezone.localdate()
    month = today.replace(day=1)
    last_month_end = month - dt.timedelta(days=1)
    year = today.replace(month=1, day=1)
    presets = [
        (_("Today"), today, today),
        (_("This month"), month, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("This year"), year, today),
        (_("Last year"), year.replace(year=year.year - 1), year - dt.timedelta(days=1)),
    ]
    keep = [(k, v) for k, v in request.GET.items() if k in ("scope", "by") and v]
    query = request.GET.copy()
    query.pop("export", None)
    return {"presets": presets, "keep": keep, "query": query.urlencode()}


def _units_label(form: PeriodForm) -> str:
    choices = dict(form.fields["scope"].choices)  # type: ignore[attr-defined]
    return str(choices.get(form.cleaned_data["scope"], ""))


def _file(request: HttpRequest, name: str, sheet_of: Callable[[], exports.Sheet]) -> HttpResponse:
    """The sheet as the .xlsx or .pdf file the page was asked for."""
    kind = request.GET.get("export")
    if kind == "xlsx":
        response = HttpResponse(exports.render_xlsx(sheet_of), content_type=XLSX)
    elif kind == "pdf":
        response = HttpResponse(exports.render_pdf(sheet_of), content_type="application/pdf")
    else:
        raise ValueError(kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_required(request)
    stale = not Tally.objects.exists() and Dossier.objects.exclude(status="draft").exists()
    return render(request, "reports/index.html", {"scope": scope, "stale": stale})


@login_required
@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    scope = scope_required(request)
    form = ProgressForm(request.GET, scope)
    context: dict[str, Any] = {"form": form, "scope": scope, **_form_extras(request)}
    if form.is_valid():
        start, end = form.period
        ids = [u.pk for u in form.cleaned_data["units"]]
        by = form.cleaned_data["by"]
        report = progress(unit_ids=ids, start=start, end=end, by=by)
        if request.GET.get("export") in ("xlsx", "pdf"):
            return _file(
                request,
                f"tien-do-{start:%Y%m%d}-{end:%Y%m%d}",
                lambda: exports.progress_sheet(report, _units_label(form), str(GROUPINGS[by])),
            )
        earlier = year_earlier(report, ids)
        context.update(_progress_context(report, earlier, by))
    return render(request, "reports/progress.html", context)


def _progress_context(report: Progress, earlier: Progress, by: str) -> dict[str, Any]:
    before = {line.key: line for line in earlier.lines}
    return {
        "report": report,
        "earlier": earlier,
        "by_label": GROUPINGS[by],
        "changes": changes(report.total, earlier.total),
        "line_changes": [
            (line, changes(line, before.get(line.key) or type(line)())) for line in report.lines
        ],
    }


@login_required
@require_GET
def center_page(request: HttpRequest) -> HttpResponse:
    scope = scope_required(request)
    choices = scope.choices()
    chosen = request.GET.get("scope") or choices[0][0]
    units = scope.pick(chosen) or scope.pick(choices[0][0])
    board = center_board([u.pk for u in units], timezone.localtime())
    trend = board.trend
    charts = {
        "labels": [d.strftime("%d/%m") for d in trend.days],
        "online": trend.online,
        "direct": trend.direct,
        "post": trend.post,
        "done": trend.done,
        "top_labels": [f"{x.code}" for x in board.top],
        "top": [x.new for x in board.top],
    }
    context = {
        "board": board,
        "charts": charts,
        "chart_labels": chart_labels(),
        "choices": choices,
        "chosen": chosen,
    }
    return render(request, "reports/center.html", context)


@login_required
@require_GET
def province_page(request: HttpRequest) -> HttpResponse:
    scope = province_required(request)
    form = PeriodForm(request.GET, scope)
    context: dict[str, Any] = {
        "form": form,
        "chart_labels": chart_labels(),
        **_form_extras(request),
    }
    if form.is_valid():
        start, end = form.period
        ids = [u.pk for u in form.cleaned_data["units"]]
        report = progress(unit_ids=ids, start=start, end=end, by="unit")
        if request.GET.get("export") in ("xlsx", "pdf"):
            return _file(
                request,
                f"trung-tam-{start:%Y%m%d}-{end:%Y%m%d}",
                lambda: exports.progress_sheet(report, _units_label(form), _("Center")),
            )
        context.update(
            report=report,
            ranking=ranking(report),
            charts=chart_data(report),
            changes=changes(report.total, year_earlier(report, ids).total),
            by_label=_("Center"),
        )
    return render(request, "reports/province.html", context)


@login_required
@require_GET
def scores_page(request: HttpRequest) -> HttpResponse:
    scope = scope_required(request)
    form = PeriodForm(request.GET, scope)
    context: dict[str, Any] = {"form": form, **_form_extras(request)}
    if form.is_valid():
        start, end = form.period
        ids = [u.pk for u in form.cleaned_data["units"]]
        line = progress(unit_ids=ids, start=start, end=end).total
        groups = groups_766(line, satisfaction(ids, start, end))
        if request.GET.get("export") in ("xlsx", "pdf"):
            return _file(
                request,
                f"qd766-{start:%Y%m%d}-{end:%Y%m%d}",
                lambda: exports.scores_sheet(groups, _units_label(form), start, end),
            )
        earned, measured = total(groups)
        context.update(
            groups=groups, earned=earned, measured=measured, scores_note=exports.scores_note()
        )
    return render(request, "reports/scores.html", context)


@login_required
@require_GET
def register_page(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    scope = scope_required(request)
    form = PeriodForm(request.GET, scope)
    if request.GET.get("export") == "csv" and form.is_valid():
        start, end = form.period
        ids = [u.pk for u in form.cleaned_data["units"]]
        response = StreamingHttpResponse(
            exports.register_csv(ids, start, end), content_type="text/csv; charset=utf-8"
        )
        name = f"so-theo-doi-ho-so-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "reports/register.html", {"form": form})
