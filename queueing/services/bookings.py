"""Bookings: open slots, booking and cancelling a place, checking the holder in.

For a center that runs a ward node the hub takes the bookings and the node
checks them in (see ``sync.node`` and ``sync.hub``).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from sequences import get_next_value

from notify.outbox import enqueue
from queueing.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    ServiceArea,
    Slot,
    Ticket,
    TicketSource,
)
from queueing.services.common import QueueError, moment_or_now
from queueing.services.opening import is_open_on
from queueing.services.tickets import ticket_issue
from sync.ownership import runs_own_node

if TYPE_CHECKING:
    from accounts.models import User
    from units.models import Unit

# No 0/O, 1/I/L: codes are read off paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PHONE_RE = re.compile(r"^0\d{9,10}$")


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def bookings_from_hub() -> bool:
    """True on a ward node that synchronises: the hub takes its center's bookings.

    The portal runs at the hub, so the hub keeps the slots' capacity; the node
    pulls the bookings and only checks them in at its kiosk (see sync.node).
    """
    return settings.NODE_ROLE == "ward" and bool(settings.SYNC_HUB_URL)


def _refuse_on_ward() -> None:
    if bookings_from_hub():
        raise QueueError(
            _("Bookings for this center are made and cancelled on the provincial server."),
            field="slot",
        )


def _revision(center_id: Any) -> int:
    """The next number of the center's booking changes, which its ward node pulls after.

    Taken once a change holds the rows it locks: the count's row then stays locked
    until commit, so the numbers become visible in order (a node reading up to one
    number misses none before it), and nothing waits for a lock while holding it.
    """
    return get_next_value(f"queue-bookings:{center_id}")


def _status_change(appointment: Appointment, status: str) -> None:
    """Save a locked booking's new status under its center's next revision."""
    appointment.status = status
    appointment.revision = _revision(appointment.area.center_id)
    appointment.save(update_fields=["status", "revision"])


def slots_open(area: ServiceArea, day: dt.date, *, at: dt.datetime | None = None) -> list[Slot]:
    """The area's slots on ``day`` that still have room and have not ended; none on a
    day the center is closed, even if slots were opened for it."""
    now = timezone.localtime(moment_or_now(at))
    slots = Slot.objects.filter(area=area, day=day, booked__lt=F("capacity")).order_by("starts_at")
    if day < now.date() or not is_open_on(area.center, day):
        return []
    if day == now.date():
        slots = slots.filter(ends_at__gt=now.time())
    return list(slots)


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def appointment_book(
    *,
    slot: Slot,
    name: str,
    phone: str,
    channel: str = BookingChannel.ONLINE,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> Appointment:
    """Book a place in a slot; the same phone again for that area and day gets the same booking.

    Room is taken by a guarded ``UPDATE … SET booked = booked + 1`` (the
    database also refuses ``booked > capacity``), and a second booking for
    the same phone, area and day is refused by a unique constraint: a double
    click books once.
    """
    now = moment_or_now(at)
    _refuse_on_ward()
    name = " ".join((name or "").split())
    phone = normalise_phone(phone)
    if not name:
        raise QueueError(_("Write the name of the person coming."), field="name")
    if not PHONE_RE.match(phone):
        raise QueueError(_("Write a Vietnamese phone number, e.g. 0905123456."), field="phone")
    local = timezone.localtime(now)
    if (slot.day, slot.ends_at) <= (local.date(), local.time()):
        raise QueueError(_("This time has passed; choose another."), field="slot")
    area = ServiceArea.objects.select_related("center").get(pk=slot.area_id)
    if not is_open_on(area.center, slot.day):
        raise QueueError(_("The center is closed on that day."), field="day")
    try:
        with transaction.atomic():
            taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
                booked=F("booked") + 1
            )
            if not taken:
                raise QueueError(_("This time is fully booked; choose another."), field="slot")
            appointment = Appointment.objects.create(
                slot=slot,
                area_id=slot.area_id,
                day=slot.day,
                code=_code(),
                name=name,
                phone=phone,
                channel=channel,
                booked_by=actor if actor is not None and actor.is_authenticated else None,
                created_at=now,
                revision=_revision(area.center_id),
            )
            _remind(appointment, slot, area, now)
    except IntegrityError as exc:
        existing = (
            Appointment.objects.filter(area_id=slot.area_id, day=slot.day, phone=phone)
            .exclude(status=AppointmentStatus.CANCELLED)
            .select_related("slot")
            .first()
        )
        if existing is None:
            raise
        if existing.slot_id == slot.pk:
            return existing
        raise QueueError(
            _("This phone already has a booking that day at %(time)s (code %(code)s).")
            % {"time": existing.slot.starts_at.strftime("%H:%M"), "code": existing.code},
            field="phone",
        ) from exc
    return appointment


def _remind(appointment: Appointment, slot: Slot, area: ServiceArea, now: dt.datetime) -> None:
    start = timezone.make_aware(dt.datetime.combine(slot.day, slot.starts_at))
    evening_before = timezone.make_aware(
        dt.datetime.combine(slot.day - dt.timedelta(days=1), dt.time(17, 0))
    )
    send_after = evening_before if evening_before > now else max(now, start - dt.timedelta(hours=2))
    facts = {
        "when": f"{slot.starts_at:%H:%M} {slot.day:%d/%m/%Y}",
        "place": area.center.name_vi,
        "area": area.name_vi,
        "code": appointment.code,
    }
    with translation.override("vi"):  # messages to citizens go out in Vietnamese
        booked = (
            _(
                "Booked: %(when)s at %(place)s (%(area)s). "
                "Code %(code)s: scan or type it at the kiosk when you arrive."
            )
            % facts
        )
        reminder = (
            _("Reminder: your appointment %(when)s at %(place)s (%(area)s). Code %(code)s.") % facts
        )
    key = f"queue-appointment:{appointment.code}"
    enqueue(key=f"{key}:booked", channel="sms", to=appointment.phone, body=booked)
    enqueue(
        key=f"{key}:reminder",
        channel="sms",
        to=appointment.phone,
        body=reminder,
        send_after=send_after,
    )


def appointment_cancel(*, appointment: Appointment, at: dt.datetime | None = None) -> Appointment:
    _refuse_on_ward()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update().select_related("area").get(pk=appointment.pk)
        )
        if appointment.status != AppointmentStatus.BOOKED:
            raise QueueError(_("Only a booking not yet used can be cancelled."))
        Slot.objects.filter(pk=appointment.slot_id).update(booked=F("booked") - 1)
        _status_change(appointment, AppointmentStatus.CANCELLED)
    return appointment


def appointment_check_in(
    *, code: str, center: Unit, actor: User | None = None, at: dt.datetime | None = None
) -> Ticket:
    """The holder arrives: a ticket for the booked area, priority on online-priority days.

    On the hub, a center that runs its own node checks its bookings in at that node's
    kiosk: its queue is there, and a check-in here would use the booking up without a
    ticket in that queue, so the person could no longer check in at the center.
    """
    now = moment_or_now(at)
    code = (code or "").strip().upper()
    if runs_own_node(center.pk):
        raise QueueError(
            _(
                "Bookings for this center are checked in at the kiosk of the center's own "
                "server, not on the provincial server."
            ),
            field="code",
        )
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(code=code, area__center=center)
            .select_related("area__center")
            .first()
        )
        if appointment is None and bookings_from_hub():
            # Booked at the hub after this node last pulled (or while the line was down):
            # the person is still served, with an ordinary ticket.
            raise QueueError(
                _(
                    "No booking with this code has reached this center yet: a recent booking "
                    "may still be on its way from the provincial server. Touch the service "
                    "you came for to take a number as usual."
                ),
                field="code",
            )
        if appointment is None:
            raise QueueError(_("No booking with this code at this center."), field="code")
        if appointment.status == AppointmentStatus.CHECKED_IN:
            raise QueueError(_("This booking has already been used."), field="code")
        if appointment.status != AppointmentStatus.BOOKED:
            raise QueueError(_("This booking was cancelled."), field="code")
        if appointment.day != timezone.localtime(now).date():
            raise QueueError(
                _("This booking is for %(day)s.") % {"day": f"{appointment.day:%d/%m/%Y}"},
                field="code",
            )
        ticket = ticket_issue(
            area=appointment.area,
            source=TicketSource.APPOINTMENT,
            actor=actor,
            at=now,
            appointment=appointment,
        )
        _status_change(appointment, AppointmentStatus.CHECKED_IN)
    return ticket


def appointment_record_check_in(*, appointment_ids: Collection[Any]) -> int:
    """On the hub: bookings a ward node's kiosk checked in (its tickets name them) are used.

    A booking cancelled here in the meantime stays cancelled: its place was given
    back and may be taken again, and the same phone may already hold another
    booking that day. Answers how many bookings changed.
    """
    with transaction.atomic():
        used = list(
            Appointment.objects.select_for_update()
            .filter(pk__in=appointment_ids, status=AppointmentStatus.BOOKED)
            .select_related("area")
            .order_by("pk")
        )
        for appointment in used:
            _status_change(appointment, AppointmentStatus.CHECKED_IN)
    return len(used)
