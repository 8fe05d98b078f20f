from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from catalog.models import Procedure
from units.models import Unit


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    centers = Unit.objects.active().centers().select_related("province").order_by("level", "code")
    procedure_count = Procedure.objects.published().count()
    return render(
        request, "core/home.html", {"centers": centers, "procedure_count": procedure_count}
    )
