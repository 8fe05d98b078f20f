"""The center manager's view of the queue, and the queue's start page for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from queueing import stats
from queueing.access import (
    BOOKING_ROLES,
    COUNTER_ROLES,
    KIOSK_ROLES,
    MANAGE_ROLES,
    center_for_staff,
    centers_for,
)
from queueing.models import Counter, ServiceArea
from queueing.services import QueueError, counter_set_areas


def index(request: HttpRequest) -> HttpResponse:
    """Links to each queue page the visitor may open; booking for everyone."""
    kiosk = {c.pk for c in centers_for(request.user, KIOSK_ROLES)}
    context = {
        "centers": centers_for(request.user, KIOSK_ROLES | MANAGE_ROLES | COUNTER_ROLES),
        "kiosk": kiosk,
        "manage": {c.pk for c in centers_for(request.user, MANAGE_ROLES)},
        "counter": bool(centers_for(request.user, COUNTER_ROLES)),
        "phone": {c.pk for c in centers_for(request.user, BOOKING_ROLES)},
    }
    return render(request, "queueing/index.html", context)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    center = center_for_staff(request.user, MANAGE_ROLES, request.GET.get("center"))
    weeks = request.GET.get("weeks", "")
    context = {
        "center": center,
        "centers": centers_for(request.user, MANAGE_ROLES),
        "data": stats.overview(center, weeks=int(weeks) if weeks in {"4", "8", "13", "26"} else 8),
        "counters": Counter.objects.filter(center=center)
        .select_related("officer")
        .prefetch_related("areas"),
        "all_areas": ServiceArea.objects.filter(center=center, is_active=True),
        "may_move": request.user.has_role(Role.MANAGER, center.pk),  # type: ignore[union-attr]
    }
    template = "queueing/manage.html"
    if getattr(request, "htmx", False):
        template += "#now"
    return render(request, template, context)


@login_required
@require_POST
def counter_areas(request: HttpRequest, counter_id: str) -> HttpResponse:
    """The manager moves a counter to other areas (busy Mondays, year end)."""
    centers = [
        c
        for c in centers_for(request.user, MANAGE_ROLES)
        if request.user.has_role(Role.MANAGER, c.pk)  # type: ignore[union-attr]
    ]
    counter = get_object_or_404(Counter, pk=counter_id, center__in=centers)
    areas = list(
        ServiceArea.objects.filter(center=counter.center, pk__in=request.POST.getlist("areas"))
    )
    try:
        counter_set_areas(counter=counter, areas=areas, actor=request.user)  # type: ignore[arg-type]
    except QueueError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Counter %(n)s now serves the areas chosen.") % {"n": counter.number}
        )
    return redirect(reverse("queueing:manage") + f"?center={counter.center.code}")
