"""Booking a time slot: online by the citizen, or by phone through a guide."""

from __future__ import annotations

import datetime as dt

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from queueing.access import BOOKING_ROLES, may_use
from queueing.models import Appointment, BookingChannel, ServiceArea, Slot
from queueing.services import (
    QueueError,
    appointment_book,
    appointment_cancel,
    bookings_from_hub,
    days_open,
    is_open_on,
    slots_open,
)
from units.models import Unit, UnitKind

BOOKING_DAYS = 14


def _choices(request: HttpRequest) -> dict[str, object]:
    today = timezone.localdate()
    centers = Unit.objects.filter(
        kind=UnitKind.CENTER, is_active=True, service_areas__slots__day__gte=today
    ).distinct()
    center = centers.filter(code=request.GET.get("center") or request.POST.get("center")).first()
    areas = ServiceArea.objects.filter(center=center, is_active=True) if center else []
    area = next(
        (a for a in areas if str(a.pk) == request.GET.get("area", request.POST.get("area"))), None
    )
    ahead = [today + dt.timedelta(days=n) for n in range(BOOKING_DAYS)]
    days = days_open(center, ahead) if center else []
    try:
        day = dt.date.fromisoformat(request.GET.get("day") or request.POST.get("day") or "")
    except ValueError:
        day = None
    return {
        "centers": centers,
        "center": center,
        "areas": areas,
        "area": area,
        "days": days,
        "day": day if day in days else None,
        # A closed day asked for by its address says so, rather than "no free time".
        "closed": bool(center and day and day not in days and not is_open_on(center, day)),
        "slots": slots_open(area, day) if area and day in days else [],
        "by_phone": bool(center and may_use(request.user, center, BOOKING_ROLES)),
        # A ward node that synchronises: its center's bookings are taken at the hub.
        "from_hub": bookings_from_hub(),
    }


def book(request: HttpRequest) -> HttpResponse:
    """Public: choose center, area, day and time; name and phone; get a code."""
    context = _choices(request)
    template = "queueing/book.html"
    if getattr(request, "htmx", False):
        template += "#picker"
    return render(request, template, context)


@require_POST
def book_submit(request: HttpRequest) -> HttpResponse:
    slot = get_object_or_404(
        Slot.objects.select_related("area__center"), pk=request.POST.get("slot") or None
    )
    staff = may_use(request.user, slot.area.center, BOOKING_ROLES)
    try:
        appointment = appointment_book(
            slot=slot,
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            channel=BookingChannel.PHONE if staff else BookingChannel.ONLINE,
            actor=request.user if staff else None,  # type: ignore[arg-type]
        )
    except QueueError as exc:
        context = _choices(request) | {
            "error": exc.message,
            "field": exc.field,
            "form": request.POST,
        }
        return render(request, "queueing/book.html", context, status=409)
    return redirect("queueing:booking", code=appointment.code)


def booking(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation: whoever holds the code sees the booking, never a list of others."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("slot", "area__center"), code=code.upper()
    )
    url = settings.PUBLIC_BASE_URL + reverse("queueing:booking", args=[appointment.code])
    context = {
        "appointment": appointment,
        "qr_svg": segno.make_qr(url, error="m").svg_inline(scale=4, border=2),
    }
    return render(request, "queueing/booking.html", context)


@require_POST
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    appointment = get_object_or_404(Appointment, code=code.upper())
    try:
        appointment_cancel(appointment=appointment)
    except QueueError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("queueing:booking", code=appointment.code)
