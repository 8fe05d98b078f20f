"""The center manager's view of the queue, and the queue's start page for staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from queueing import stats
from queueing.access import (
    BOOKING_ROLES,
    COUNTER_ROLES,
    KIOSK_ROLES,
    MANAGE_ROLES,
    SETUP_ROLES,
    center_for_staff,
    centers_for,
)
from queueing.models import Counter, OnlinePriorityDay, ServiceArea
from queueing.services import (
    QueueError,
    counter_set_areas,
    online_priority_day_add,
    online_priority_day_remove,
)
from units.models import Unit


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


def _days(request: HttpRequest, center: Unit) -> dict[str, Any]:
    """The online-priority days section: today's and later days, and whether this user sets them."""
    return {
        "center": center,
        "online_days": OnlinePriorityDay.objects.filter(
            center=center, day__gte=timezone.localdate()
        ).order_by("day"),
        "may_set_days": request.user.has_role(Role.MANAGER, center.pk),  # type: ignore[union-attr]
        "today": timezone.localdate(),
    }


def _page(request: HttpRequest, center: Unit) -> dict[str, Any]:
    weeks = request.GET.get("weeks", "")
    return _days(request, center) | {
        "centers": centers_for(request.user, MANAGE_ROLES),
        "data": stats.overview(center, weeks=int(weeks) if weeks in {"4", "8", "13", "26"} else 8),
        "counters": Counter.objects.filter(center=center)
        .select_related("officer")
        .prefetch_related("areas"),
        "all_areas": ServiceArea.objects.filter(center=center, is_active=True),
        "may_move": request.user.has_role(Role.MANAGER, center.pk),  # type: ignore[union-attr]
    }


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    center = center_for_staff(request.user, MANAGE_ROLES, request.GET.get("center"))
    template = "queueing/manage.html"
    if getattr(request, "htmx", False):
        template += "#now"
    return render(request, template, _page(request, center))


def _days_answer(
    request: HttpRequest, center: Unit, *, done: str = "", error: str = "", typed: str = ""
) -> HttpResponse:
    """htmx gets the section again; a plain POST gets the page (on error) or goes back to it."""
    answer = {"days_done": done, "days_error": error, "days_typed": typed if error else ""}
    if getattr(request, "htmx", False):
        # htmx swaps only 2xx answers, so a refusal comes back as 200 with its message.
        return render(request, "queueing/manage.html#online-days", _days(request, center) | answer)
    if error:
        context = _page(request, center) | answer
        return render(request, "queueing/manage.html", context, status=400)
    messages.success(request, done)
    return redirect(reverse("queueing:manage") + f"?center={center.code}#online-days")


def _posted_day(request: HttpRequest) -> dt.date | None:
    """The day from a date field (ISO), or as typed where the browser has no date picker."""
    typed = request.POST.get("day", "").strip()
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.strptime(s, "%d/%m/%Y").date()):
        try:
            return parse(typed)
        except ValueError:
            continue
    return None


@login_required
@require_POST
def online_day_add(request: HttpRequest) -> HttpResponse:
    """The center's manager makes a day one where people who booked are served first."""
    center = center_for_staff(request.user, SETUP_ROLES, request.POST.get("center"))
    day, typed = _posted_day(request), request.POST.get("day", "")
    if day is None:
        return _days_answer(request, center, error=_("Choose a day, e.g. 25/12/2026."), typed=typed)
    try:
        online_priority_day_add(center=center, day=day, actor=request.user)  # type: ignore[arg-type]
    except QueueError as exc:
        return _days_answer(request, center, error=exc.message, typed=typed)
    done = _("%(day)s is now an online-priority day.") % {"day": f"{day:%d/%m/%Y}"}
    return _days_answer(request, center, done=done)


@login_required
@require_POST
def online_day_remove(request: HttpRequest) -> HttpResponse:
    center = center_for_staff(request.user, SETUP_ROLES, request.POST.get("center"))
    day = _posted_day(request)
    if day is None:
        return _days_answer(request, center, error=_("Choose a day, e.g. 25/12/2026."))
    try:
        online_priority_day_remove(center=center, day=day, actor=request.user)  # type: ignore[arg-type]
    except QueueError as exc:
        return _days_answer(request, center, error=exc.message)
    done = _("%(day)s is an ordinary day again.") % {"day": f"{day:%d/%m/%Y}"}
    return _days_answer(request, center, done=done)


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
