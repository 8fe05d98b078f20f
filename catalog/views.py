from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalog.models import Case, Field, OnlineLevel, Procedure
from core.http import HtmxHttpRequest
from units.models import Unit


def procedure_list(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    field_code = request.GET.get("field", "")
    online = request.GET.get("online", "")
    procedures = (
        Procedure.objects.published().search(query).select_related("field", "current_version")
    )
    if field_code:
        procedures = procedures.filter(field__code=field_code)
    if online in OnlineLevel.values:
        procedures = procedures.filter(current_version__online_level=online)
    page = Paginator(procedures.order_by("field__name_vi", "code"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "query": query,
        "fields": Field.objects.all(),
        "field_code": field_code,
        "online": online,
        "online_levels": OnlineLevel.choices,
    }
    template = (
        "catalog/procedure_list.html#results" if request.htmx else "catalog/procedure_list.html"
    )
    return render(request, template, context)


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
