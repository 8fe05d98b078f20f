"""Booking a time at the desk for the papers a partly-online procedure still needs in person.

The queue app owns slots and appointments; this module only finds the service
area of the center that serves the procedure and lists the next open times.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from dossiers.models import Dossier
from queueing.models import Appointment, ServiceArea, Slot
from queueing.services import QueueError, appointment_book, slots_open

DAYS_AHEAD = 10
MAX_SLOTS = 12


def area_for(dossier: Dossier) -> ServiceArea | None:
    """The area of the receiving center that serves this procedure, by name or by field."""
    procedure = dossier.procedure_version.procedure
    return (
        ServiceArea.objects.filter(center=dossier.receiving_unit)
        .filter(Q(procedures=procedure) | Q(fields=procedure.field_id))
        .order_by("position")
        .first()
    )


def open_slots(dossier: Dossier, *, at: dt.datetime | None = None) -> list[Slot]:
    """The next open times at the receiving center, a few days ahead."""
    area = area_for(dossier)
    if area is None:
        return []
    today = timezone.localdate(at)
    found: list[Slot] = []
    for offset in range(DAYS_AHEAD):
        found += slots_open(area, today + dt.timedelta(days=offset), at=at)
        if len(found) >= MAX_SLOTS:
            break
    return found[:MAX_SLOTS]


def booked(user: User, dossier: Dossier) -> Appointment | None:
    """The person's coming appointment at the area serving this dossier, if any."""
    area = area_for(dossier)
    if area is None:
        return None
    return (
        Appointment.objects.filter(area=area, booked_by=user, day__gte=timezone.localdate())
        .exclude(status="cancelled")
        .select_related("slot")
        .order_by("day")
        .first()
    )


def slot_book(*, user: User, dossier: Dossier, slot_id: str, phone: str) -> Appointment:
    """Book one of the open times for the applicant; raises ``queueing.services.QueueError``."""
    area = area_for(dossier)
    slot = Slot.objects.filter(pk=slot_id, area=area).first() if area else None
    if slot is None:
        raise QueueError(_("This time is no longer open; choose another."), field="slot")
    return appointment_book(slot=slot, name=dossier.applicant.full_name, phone=phone, actor=user)
