"""The desk officer's counter: sit down, call, recall, mark absent, transfer, serve, pause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from queueing import services
from queueing.access import COUNTER_ROLES, center_for_staff, centers_for
from queueing.models import Counter, QueueSettings, ServiceArea, Ticket, TicketStatus
from queueing.services import QueueError, current_ticket, is_open_on, next_day_open


def _my_counter(user: Any) -> Counter | None:
    return (
        Counter.objects.filter(officer=user)
        .select_related("center")
        .prefetch_related("areas")
        .first()
    )


def _context(request: HttpRequest, counter: Counter | None) -> dict[str, Any]:
    today = timezone.localdate()
    if counter is None:
        centers = centers_for(request.user, COUNTER_ROLES)
        counters = Counter.objects.filter(center__in=centers).select_related("officer", "center")
        closed = [
            (center, next_day_open(center, today))
            for center in centers
            if not is_open_on(center, today)
        ]
        return {"counter": None, "counters": counters, "closed_today": closed}
    areas = list(counter.areas.all())
    working_today = is_open_on(counter.center, today)
    waiting = (
        Ticket.objects.waiting()
        .filter(area__in=areas, day=today)
        .values("area_id")
        .annotate(
            n=Count("id"), priority=Count("id", filter=Q(priority=True)), first=Min("queued_at")
        )
    )
    by_area = {row["area_id"]: row for row in waiting}
    settings = QueueSettings.objects.filter(center=counter.center).first()
    return {
        "counter": counter,
        # On a day off the kiosk issues nothing; a ticket issued before it closed can still be
        # called, so only the invitation to call goes.
        "working_today": working_today,
        "next_day": None if working_today else next_day_open(counter.center, today),
        "ticket": current_ticket(request.user),  # type: ignore[arg-type]
        "areas": [(area, by_area.get(area.pk, {})) for area in areas],
        "waiting_total": sum(row["n"] for row in by_area.values()),
        "other_areas": [
            a for a in ServiceArea.objects.filter(center=counter.center, is_active=True)
        ],
        "recalls_allowed": settings.recalls_before_no_show if settings else 2,
        "served_today": Ticket.objects.filter(
            counter=counter, day=today, status=TicketStatus.DONE
        ).count(),
    }


def _panel(
    request: HttpRequest, status: int = 200, *, counter: Counter | None = None
) -> HttpResponse:
    """The counter page, or its panel for htmx; ``counter`` when already read and unchanged."""
    template = "queueing/counter.html"
    if getattr(request, "htmx", False):
        template += "#panel"
    context = _context(request, counter or _my_counter(request.user))
    return render(request, template, context, status=status)


@login_required
def counter(request: HttpRequest) -> HttpResponse:
    center_for_staff(request.user, COUNTER_ROLES)
    return _panel(request)


def _ticket(request: HttpRequest) -> Ticket:
    return get_object_or_404(Ticket, pk=request.POST.get("ticket"), served_by=request.user)


Action = Callable[[HttpRequest, Counter], object]

ACTIONS: dict[str, Action] = {
    "call": lambda r, c: services.ticket_call_next(counter=c, actor=r.user),  # type: ignore[arg-type]
    "recall": lambda r, c: services.ticket_recall(ticket=_ticket(r), actor=r.user),  # type: ignore[arg-type]
    "no-show": lambda r, c: services.ticket_no_show(ticket=_ticket(r), actor=r.user),  # type: ignore[arg-type]
    "start": lambda r, c: services.ticket_start(ticket=_ticket(r), actor=r.user),  # type: ignore[arg-type]
    "finish": lambda r, c: services.ticket_finish(ticket=_ticket(r), actor=r.user),  # type: ignore[arg-type]
    "transfer": lambda r, c: services.ticket_transfer(
        ticket=_ticket(r),
        area=get_object_or_404(ServiceArea, pk=r.POST.get("area") or None, center=c.center),
        actor=r.user,  # type: ignore[arg-type]
        note=r.POST.get("note", ""),
    ),
    "pause": lambda r, c: services.counter_pause(
        counter=c,
        actor=r.user,  # type: ignore[arg-type]
        note=r.POST.get("note", ""),
    ),
    "resume": lambda r, c: services.counter_resume(counter=c, actor=r.user),  # type: ignore[arg-type]
    "close": lambda r, c: services.counter_close(counter=c, actor=r.user),  # type: ignore[arg-type]
}
# The actions that change the counter itself; the others leave it as it was read.
COUNTER_CHANGES = frozenset({"pause", "resume", "close"})


@login_required
@require_POST
def counter_act(request: HttpRequest, action: str) -> HttpResponse:
    """One button of the counter page; the page again (or its panel for htmx) with the result."""
    center_for_staff(request.user, COUNTER_ROLES)
    counter = _my_counter(request.user)
    if counter is None or action not in ACTIONS:
        messages.error(request, _("Sit at a counter first."))
        return (
            _panel(request, status=409)
            if getattr(request, "htmx", False)
            else redirect("queueing:counter")
        )
    try:
        result = ACTIONS[action](request, counter)
    except QueueError as exc:
        messages.error(request, exc.message)
        return (
            _panel(request, status=409)
            if getattr(request, "htmx", False)
            else redirect("queueing:counter")
        )
    if action == "call" and result is None:
        messages.info(request, _("Nobody is waiting for this counter's areas."))
    if getattr(request, "htmx", False):
        return _panel(request, counter=None if action in COUNTER_CHANGES else counter)
    return redirect("queueing:counter")


@login_required
@require_POST
def counter_sit(request: HttpRequest, counter_id: str) -> HttpResponse:
    """The officer takes this counter for the day."""
    centers = centers_for(request.user, COUNTER_ROLES)
    counter = get_object_or_404(Counter, pk=counter_id, center__in=centers)
    try:
        services.counter_open(counter=counter, actor=request.user)  # type: ignore[arg-type]
    except QueueError as exc:
        messages.error(request, exc.message)
    return redirect("queueing:counter")
