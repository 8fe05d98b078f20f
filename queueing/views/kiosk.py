"""The touch kiosk at the entrance, the printed ticket and the ticket's public page."""

from __future__ import annotations

import re
import uuid

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from queueing.access import KIOSK_ROLES, center_for_staff
from queueing.models import PriorityGroup, ServiceArea, Ticket, TicketSource
from queueing.services import (
    QueueError,
    appointment_check_in,
    is_open,
    is_open_on,
    next_day_open,
    ticket_issue,
    wait_estimate,
)
from units.models import Unit

# A booking QR holds its check-in address; a scanner types it, so take the last word.
BOOKING_CODE_RE = re.compile(r"([A-Za-z0-9]{8})/?$")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _by_guide(request: HttpRequest) -> bool:
    """Whether the guide's page sent this (its forms and printed ticket carry ``by=guide``)."""
    return (request.POST.get("by") or request.GET.get("by")) == "guide"


def _kiosk(
    request: HttpRequest,
    center: Unit,
    error: str = "",
    status: int = 200,
    *,
    by_guide: bool = False,
) -> HttpResponse:
    today = timezone.localdate()
    open_now = is_open(center)
    working_today = open_now or is_open_on(center, today)
    context = {
        "center": center,
        "by_guide": by_guide or _by_guide(request),
        "areas": ServiceArea.objects.filter(center=center, is_active=True),
        "groups": PriorityGroup.objects.filter(is_active=True),
        "open": open_now,
        "working_today": working_today,
        "next_day": None if working_today else next_day_open(center, today),
        "error": error,
        "code": request.POST.get("code", ""),
    }
    return render(request, "queueing/kiosk.html", context, status=status)


def _printed(request: HttpRequest, center: Unit, ticket: Ticket) -> HttpResponse:
    url = reverse("queueing:kiosk_ticket", args=[center.code, ticket.token])
    return redirect(url + ("?by=guide" if _by_guide(request) else ""))


@login_required
def kiosk(request: HttpRequest, center_code: str) -> HttpResponse:
    center = center_for_staff(request.user, KIOSK_ROLES, center_code)
    return _kiosk(request, center)


@login_required
def guide(request: HttpRequest, center_code: str) -> HttpResponse:
    """The kiosk's choices on a guide's tablet at the entrance; its tickets count as the guide's.

    The kiosk itself is a device signed in with a guide's account, so the
    page, not the person, tells the two channels apart.
    """
    center = center_for_staff(request.user, KIOSK_ROLES, center_code)
    return _kiosk(request, center, by_guide=True)


@login_required
@require_POST
def kiosk_issue(request: HttpRequest, center_code: str) -> HttpResponse:
    center = center_for_staff(request.user, KIOSK_ROLES, center_code)
    area_id, group_id = _uuid(request.POST.get("area")), _uuid(request.POST.get("group"))
    area = ServiceArea.objects.filter(center=center, pk=area_id).first() if area_id else None
    group = PriorityGroup.objects.filter(pk=group_id).first() if group_id else None
    if area is None:
        return _kiosk(request, center, _("Touch the service you came for."), status=400)
    source = TicketSource.GUIDE if _by_guide(request) else TicketSource.KIOSK
    try:
        ticket = ticket_issue(area=area, priority_group=group, source=source, actor=request.user)  # type: ignore[arg-type]
    except QueueError as exc:
        return _kiosk(request, center, exc.message, status=409)
    return _printed(request, center, ticket)


@login_required
@require_POST
def kiosk_check_in(request: HttpRequest, center_code: str) -> HttpResponse:
    center = center_for_staff(request.user, KIOSK_ROLES, center_code)
    found = BOOKING_CODE_RE.search((request.POST.get("code") or "").strip())
    try:
        ticket = appointment_check_in(
            code=found.group(1) if found else "",
            center=center,
            actor=request.user,  # type: ignore[arg-type]
        )
    except QueueError as exc:
        return _kiosk(request, center, exc.message, status=409)
    return _printed(request, center, ticket)


def _ticket_context(ticket: Ticket) -> dict[str, object]:
    url = settings.PUBLIC_BASE_URL + reverse("queueing:ticket_status", args=[ticket.token])
    return {
        "ticket": ticket,
        "estimate": wait_estimate(ticket),
        "status_url": url,
        "qr_svg": segno.make_qr(url, error="m").svg_inline(scale=3, border=2),
    }


@login_required
def kiosk_ticket(request: HttpRequest, center_code: str, token: str) -> HttpResponse:
    """The ticket to print on the kiosk's 80 mm printer, then back to the start."""
    center = center_for_staff(request.user, KIOSK_ROLES, center_code)
    ticket = get_object_or_404(
        Ticket.objects.select_related("area", "center", "priority_group"),
        token=token,
        center=center,
    )
    back = reverse("queueing:guide" if _by_guide(request) else "queueing:kiosk", args=[center.code])
    context = _ticket_context(ticket) | {"back": back}
    return render(request, "queueing/ticket_print.html", context)


def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """What the ticket's QR opens on a phone: no name, only the number and the queue."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("area", "center", "counter", "priority_group"), token=token
    )
    template = "queueing/ticket_status.html"
    if getattr(request, "htmx", False):
        template += "#status"
    return render(request, template, _ticket_context(ticket))
