"""Browsing procedures by the moments of life people think in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Procedure
from portal.life_events import life_event as find_life_event
from portal.life_events import life_events


def life_event(request: HttpRequest, slug: str) -> HttpResponse:
    """The procedures one life event usually needs, in the order people meet them."""
    event = find_life_event(slug)
    if event is None:
        raise Http404
    found = {
        p.code: p
        for p in Procedure.objects.published()
        .filter(code__in=event.procedures)
        .select_related("field", "current_version")
    }
    procedures = [found[code] for code in event.procedures if code in found]
    context = {"event": event, "procedures": procedures, "events": life_events()}
    return render(request, "portal/life_event.html", context)
