from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def procedure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/procedure_list.html", {})


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "catalog/procedure_detail.html", {})
