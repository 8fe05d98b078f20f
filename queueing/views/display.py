"""The display board on the TV of a center, and the stream of calls that updates it."""

from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from queueing import board
from queueing.access import center_by_code
from queueing.models import ACTIVE, BoardEvent, Counter, CounterState, QueueSettings, Ticket


def display(request: HttpRequest, center_code: str) -> HttpResponse:
    """Public: numbers and counters only, no names."""
    center = center_by_code(center_code)
    settings = QueueSettings.objects.filter(center=center).first()
    counters = list(Counter.objects.filter(center=center).exclude(state=CounterState.CLOSED))
    active = {
        t.counter_id: t
        for t in Ticket.objects.filter(center=center, status__in=ACTIVE).order_by("called_at")
    }
    recent = BoardEvent.objects.filter(center=center, kind__in=["call", "recall"]).order_by("-id")
    context = {
        "center": center,
        "counters": [(c, active.get(c.pk)) for c in counters],
        "recent": recent[: settings.board_history if settings else 8],
        "last_event": board.last_event_id(center.pk),
    }
    return render(request, "queueing/board.html", context)


def display_events(request: HttpRequest, center_code: str) -> StreamingHttpResponse:
    """Server-sent events: every call, recall and counter pause from ``after`` on."""
    center = center_by_code(center_code)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    after = int(raw) if raw.isdigit() else board.last_event_id(center.pk)
    if isinstance(request, ASGIRequest):
        # The stream lasts hours: it must not keep this request's database connection.
        connection.close()
        stream = board.stream_async(center.pk, after)
        response = StreamingHttpResponse(stream, content_type="text/event-stream")
    else:
        response = StreamingHttpResponse(
            board.stream_sync(center.pk, after), content_type="text/event-stream"
        )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a reverse proxy must not hold the stream back
    return response
