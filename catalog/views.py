from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalog.models import Case, OnlineLevel, Procedure
from catalog.search import field_choices, result_page
from core.http import HtmxHttpRequest
from units.models import Unit


def procedure_list(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    field_code = request.GET.get("field", "")
    online = request.GET.get("online", "")
    if online not in OnlineLevel.values:
        online = ""
    results = result_page(
        query, field_code=field_code, online=online, number=request.GET.get("page")
    )
    context = {
        "results": results,
        "query": query,
        "field_code": field_code,
        "online": online,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "catalog/procedure_list.html#results", context)
    context |= {"fields": field_choices(), "online_levels": OnlineLevel.choices}
    return render(request, "catalog/procedure_list.html", context)


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(
        Procedure.objects.published().select_related("field", "current_version"), code=code
    )
    cases = (
        Case.objects.filter(version=procedure.current_version)
        .prefetch_related("components", "fees", Prefetch("steps"))
        .order_by("position")
    )
    # Any center of the province receives any procedure, then routes it.
    centers = Unit.objects.active().centers().order_by("level", "name_vi")
    context = {
        "procedure": procedure,
        "version": procedure.current_version,
        "cases": cases,
        "centers": centers,
    }
    return render(request, "catalog/procedure_detail.html", context)
