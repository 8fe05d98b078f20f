"""Every change to the queue: one keyword-only function per action, one transaction each.

Tickets are numbered per area and day from a locked counter row
(django-sequences), so two kiosks never print the same number. Calling
locks the counter and the areas it serves, so two counters never call the
same ticket; on SQLite the immediate transaction already makes writers
queue. Each change writes a ``TicketEvent``; calls, recalls and pauses also
write a ``BoardEvent`` for the display boards.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.db import IntegrityError, transaction
from django.db.models import Avg, F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from sequences import get_next_value

from notify.outbox import enqueue
from queueing import ordering
from queueing.board import board_publish
from queueing.models import (
    ACTIVE,
    Appointment,
    AppointmentStatus,
    BookingChannel,
    Counter,
    CounterEvent,
    CounterState,
    OnlinePriorityDay,
    OpeningHours,
    Policy,
    PriorityGroup,
    QueueSettings,
    ServiceArea,
    Slot,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketStatus,
)
from sync.ownership import runs_own_node

if TYPE_CHECKING:
    from accounts.models import User
    from dossiers.models import Dossier
    from units.models import Unit

__all__ = [
    "QueueError",
    "WaitEstimate",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_record_check_in",
    "bookings_from_hub",
    "counter_close",
    "counter_open",
    "counter_pause",
    "counter_resume",
    "counter_set_areas",
    "current_ticket",
    "is_open",
    "online_priority_day_add",
    "online_priority_day_remove",
    "slots_open",
    "ticket_call_next",
    "ticket_finish",
    "ticket_issue",
    "ticket_link_dossier",
    "ticket_no_show",
    "ticket_recall",
    "ticket_start",
    "ticket_transfer",
    "wait_estimate",
]

# No 0/O, 1/I/L: codes are read off paper and typed on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PHONE_RE = re.compile(r"^0\d{9,10}$")


class QueueError(Exception):
    """An action the queue's rules refuse, with a message for the person who tried."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _settings(center_id: Any) -> QueueSettings:
    found = QueueSettings.objects.filter(center_id=center_id).first()
    return found or QueueSettings(center_id=center_id)


def _event(
    ticket: Ticket,
    kind: str,
    at: dt.datetime,
    actor: User | None,
    counter: Counter | None = None,
    note: str = "",
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, at=at, actor=actor, counter=counter, note=note[:300]
    )


# -- opening hours ------------------------------------------------------------------------------


def is_open(center: Unit, at: dt.datetime | None = None) -> bool:
    """Whether the kiosk issues tickets now; a center without opening hours never closes."""
    local = timezone.localtime(_now(at))
    hours = list(OpeningHours.objects.filter(center=center))
    if not hours:
        return True
    return any(
        h.weekday == local.weekday() and h.opens_at <= local.time() <= h.closes_at for h in hours
    )


# -- tickets -------------------------------------------------------------------------------------


def ticket_issue(
    *,
    area: ServiceArea,
    priority_group: PriorityGroup | None = None,
    source: str = TicketSource.KIOSK,
    actor: User | None = None,
    at: dt.datetime | None = None,
    appointment: Appointment | None = None,
) -> Ticket:
    """A new ticket at the end of the area's queue, numbered from 1 each day in that area."""
    now = _now(at)
    if not area.is_active:
        raise QueueError(_("This service area is not taking tickets."))
    if not is_open(area.center, now):
        raise QueueError(_("The center is closed now: tickets are issued during opening hours."))
    local = timezone.localtime(now)
    day = local.date()
    with transaction.atomic():
        seq = get_next_value(f"queue:{area.pk}:{day:%Y%m%d}")
        priority = priority_group is not None
        if appointment is not None:
            priority = (
                priority
                or OnlinePriorityDay.objects.filter(center_id=area.center_id, day=day).exists()
            )
        ticket = Ticket.objects.create(
            center_id=area.center_id,
            area=area,
            issued_area=area,
            day=day,
            seq=seq,
            number=area.number_base + seq,
            priority_group=priority_group,
            priority=priority,
            source=source,
            appointment=appointment,
            token=secrets.token_urlsafe(12),
            issued_at=now,
            queued_at=now,
            weekday=local.weekday(),
            hour=local.hour,
        )
        _event(ticket, TicketEvent.Kind.ISSUED, now, actor)
    return ticket


def _rule(area: ServiceArea, day: dt.date) -> ordering.Rule:
    since = 0
    if area.policy == Policy.INTERLEAVE:
        called = Ticket.objects.filter(area=area, day=day, called_at__isnull=False)
        last_priority = (
            called.filter(priority=True).order_by("-called_at").values("called_at").first()
        )
        normal = called.filter(priority=False)
        if last_priority:
            normal = normal.filter(called_at__gt=last_priority["called_at"])
        since = normal.count()
    return ordering.Rule(
        policy=area.policy,
        interleave_every=area.interleave_every,
        aging_minutes=area.aging_minutes,
        normal_since_priority=since,
    )


def _waiting(areas: list[ServiceArea], day: dt.date) -> list[ordering.Waiting]:
    rows = Ticket.objects.waiting().filter(area__in=areas, day=day)
    return [
        ordering.Waiting(id=r[0], area_id=r[1], priority=r[2], queued_at=r[3])
        for r in rows.values_list("id", "area_id", "priority", "queued_at")
    ]


def _counter_for(counter: Counter, actor: User) -> Counter:
    """The counter, locked; only the officer sitting at it may act there."""
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    if locked.officer_id != actor.pk:
        raise QueueError(_("You are not at this counter."))
    return locked


def ticket_call_next(
    *, counter: Counter, actor: User, at: dt.datetime | None = None
) -> Ticket | None:
    """Call whoever the policies put first in this counter's areas; None if nobody waits."""
    now = _now(at)
    day = timezone.localtime(now).date()
    with transaction.atomic():
        counter = _counter_for(counter, actor)
        if counter.state != CounterState.OPEN:
            raise QueueError(_("Resume the counter before calling."))
        if Ticket.objects.filter(counter=counter, status__in=ACTIVE).exists():
            raise QueueError(_("Finish the current ticket, or mark it absent, before calling."))
        # Locked in one order, so two counters sharing areas queue instead of deadlocking.
        areas = list(
            ServiceArea.objects.select_for_update()
            .filter(counters=counter, is_active=True)
            .order_by("pk")
        )
        if not areas:
            raise QueueError(_("This counter serves no area today."))
        rules = {area.pk: _rule(area, day) for area in areas}
        chosen = ordering.next_ticket(rules, _waiting(areas, day))
        if chosen is None:
            return None
        ticket = Ticket.objects.select_for_update().get(pk=chosen.id)
        if ticket.status != TicketStatus.WAITING:  # pragma: no cover - guarded by the area locks
            raise QueueError(_("Someone else called this ticket; call again."))
        ticket.status = TicketStatus.CALLED
        ticket.called_at = now
        ticket.counter = counter
        ticket.served_by = actor
        ticket.recalls = 0
        if ticket.wait_seconds is None:
            ticket.wait_seconds = max(int((now - ticket.issued_at).total_seconds()), 0)
        ticket.save(
            update_fields=[
                "status",
                "called_at",
                "counter",
                "served_by",
                "recalls",
                "wait_seconds",
            ]
        )
        _event(ticket, TicketEvent.Kind.CALLED, now, actor, counter)
        board_publish(
            center_id=counter.center_id,
            kind="call",
            counter_number=counter.number,
            ticket_number=ticket.number,
            at=now,
        )
    return ticket


def _active_ticket(ticket: Ticket, actor: User, *statuses: str) -> tuple[Ticket, Counter]:
    locked = Ticket.objects.select_for_update().select_related("area").get(pk=ticket.pk)
    if locked.counter_id is None or locked.status not in statuses:
        raise QueueError(_("This ticket is not in a state that allows this."))
    counter = _counter_for(Counter(pk=locked.counter_id), actor)
    return locked, counter


def ticket_recall(*, ticket: Ticket, actor: User, at: dt.datetime | None = None) -> Ticket:
    """Call the same number again, up to the center's number of recalls."""
    now = _now(at)
    with transaction.atomic():
        ticket, counter = _active_ticket(ticket, actor, TicketStatus.CALLED)
        allowed = _settings(ticket.center_id).recalls_before_no_show
        if ticket.recalls >= allowed:
            raise QueueError(
                _("Number %(number)s was called %(n)s more times: mark it absent.")
                % {"number": ticket.number, "n": ticket.recalls}
            )
        ticket.recalls += 1
        ticket.save(update_fields=["recalls"])
        _event(ticket, TicketEvent.Kind.RECALLED, now, actor, counter)
        board_publish(
            center_id=ticket.center_id,
            kind="recall",
            counter_number=counter.number,
            ticket_number=ticket.number,
            at=now,
        )
    return ticket


def ticket_no_show(*, ticket: Ticket, actor: User, at: dt.datetime | None = None) -> Ticket:
    """Mark a called ticket absent, once it has been called again as often as the center says."""
    now = _now(at)
    with transaction.atomic():
        ticket, counter = _active_ticket(ticket, actor, TicketStatus.CALLED)
        needed = _settings(ticket.center_id).recalls_before_no_show
        if ticket.recalls < needed:
            raise QueueError(
                _("Call number %(number)s again first (%(done)s of %(needed)s recalls).")
                % {"number": ticket.number, "done": ticket.recalls, "needed": needed}
            )
        ticket.status = TicketStatus.NO_SHOW
        ticket.finished_at = now
        ticket.save(update_fields=["status", "finished_at"])
        _event(ticket, TicketEvent.Kind.NO_SHOW, now, actor, counter)
    return ticket


def ticket_start(*, ticket: Ticket, actor: User, at: dt.datetime | None = None) -> Ticket:
    now = _now(at)
    with transaction.atomic():
        ticket, counter = _active_ticket(ticket, actor, TicketStatus.CALLED)
        ticket.status = TicketStatus.SERVING
        ticket.started_at = now
        ticket.save(update_fields=["status", "started_at"])
        _event(ticket, TicketEvent.Kind.STARTED, now, actor, counter)
    return ticket


def _link(ticket: Ticket, dossier: Dossier, actor: User | None, at: dt.datetime) -> None:
    if dossier.receiving_unit_id != ticket.center_id:
        raise QueueError(_("That dossier was received at another center."), field="dossier")
    ticket.dossier = dossier
    _event(ticket, TicketEvent.Kind.LINKED, at, actor, note=dossier.code or "")


def ticket_finish(
    *,
    ticket: Ticket,
    actor: User,
    dossier: Dossier | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """End the service; the dossier received for this person may be linked at the same time."""
    now = _now(at)
    with transaction.atomic():
        ticket, counter = _active_ticket(ticket, actor, TicketStatus.SERVING)
        ticket.status = TicketStatus.DONE
        ticket.finished_at = now
        started = ticket.started_at or now
        ticket.service_seconds = max(int((now - started).total_seconds()), 0)
        if dossier is not None:
            _link(ticket, dossier, actor, now)
        ticket.save(update_fields=["status", "finished_at", "service_seconds", "dossier"])
        _event(ticket, TicketEvent.Kind.FINISHED, now, actor, counter)
    return ticket


def ticket_link_dossier(
    *, ticket: Ticket, dossier: Dossier, actor: User | None = None, at: dt.datetime | None = None
) -> Ticket:
    """Link the dossier received for this ticket's holder (the desk's receive page calls this)."""
    now = _now(at)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status in (TicketStatus.WAITING, TicketStatus.NO_SHOW):
            raise QueueError(_("Only a ticket that was served can be linked to a dossier."))
        _link(ticket, dossier, actor, now)
        ticket.save(update_fields=["dossier"])
    return ticket


def ticket_transfer(
    *,
    ticket: Ticket,
    area: ServiceArea,
    actor: User,
    note: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    """Send the person to another area's queue with the same number.

    The ticket keeps its place in time (``queued_at``), so whoever was sent on
    does not queue again behind people who came later.
    """
    now = _now(at)
    with transaction.atomic():
        ticket, counter = _active_ticket(ticket, actor, TicketStatus.CALLED, TicketStatus.SERVING)
        if area.center_id != ticket.center_id or not area.is_active:
            raise QueueError(_("Choose an area of this center."), field="area")
        if area.pk == ticket.area_id:
            raise QueueError(_("The ticket is already in this area."), field="area")
        before = ticket.area.name_vi
        ticket.area = area
        ticket.status = TicketStatus.WAITING
        ticket.counter = None
        ticket.served_by = None
        ticket.called_at = None
        ticket.started_at = None
        ticket.recalls = 0
        ticket.save(
            update_fields=[
                "area",
                "status",
                "counter",
                "served_by",
                "called_at",
                "started_at",
                "recalls",
            ]
        )
        _event(
            ticket,
            TicketEvent.Kind.TRANSFERRED,
            now,
            actor,
            counter,
            note=f"{before} → {area.name_vi}" + (f": {note}" if note else ""),
        )
    return ticket


def current_ticket(user: User) -> Ticket | None:
    """The ticket in front of this officer now (called or being served), if any."""
    if not user.is_authenticated:
        return None
    return (
        Ticket.objects.filter(served_by=user, status__in=ACTIVE, counter__officer=user)
        .select_related("area", "counter", "priority_group", "appointment")
        .order_by("-called_at")
        .first()
    )


# -- counters ------------------------------------------------------------------------------------


def _counter_event(counter: Counter, state: str, at: dt.datetime, actor: User, note: str) -> None:
    counter.state = state
    counter.state_since = at
    counter.save(update_fields=["state", "state_since", "officer"])
    CounterEvent.objects.create(counter=counter, state=state, at=at, actor=actor, note=note[:300])
    board_publish(
        center_id=counter.center_id,
        kind=state,
        counter_number=counter.number,
        ticket_number=None,
        at=at,
    )


def counter_open(*, counter: Counter, actor: User, at: dt.datetime | None = None) -> Counter:
    """The officer sits at this counter; the board shows it open."""
    now = _now(at)
    try:
        with transaction.atomic():
            counter = Counter.objects.select_for_update().get(pk=counter.pk)
            if counter.officer_id not in (None, actor.pk):
                raise QueueError(_("%(name)s is at this counter.") % {"name": counter.officer})
            counter.officer = actor
            _counter_event(counter, CounterState.OPEN, now, actor, "")
    except IntegrityError as exc:  # the officer already sits at another counter
        raise QueueError(_("Close your other counter first.")) from exc
    return counter


def counter_pause(
    *, counter: Counter, actor: User, note: str = "", at: dt.datetime | None = None
) -> Counter:
    now = _now(at)
    with transaction.atomic():
        counter = _counter_for(counter, actor)
        if counter.state != CounterState.OPEN:
            raise QueueError(_("The counter is not open."))
        if Ticket.objects.filter(counter=counter, status__in=ACTIVE).exists():
            raise QueueError(_("Finish the current ticket before pausing."))
        _counter_event(counter, CounterState.PAUSED, now, actor, note)
    return counter


def counter_resume(*, counter: Counter, actor: User, at: dt.datetime | None = None) -> Counter:
    now = _now(at)
    with transaction.atomic():
        counter = _counter_for(counter, actor)
        if counter.state != CounterState.PAUSED:
            raise QueueError(_("The counter is not paused."))
        _counter_event(counter, CounterState.OPEN, now, actor, "")
    return counter


def counter_close(*, counter: Counter, actor: User, at: dt.datetime | None = None) -> Counter:
    """The officer leaves the counter."""
    now = _now(at)
    with transaction.atomic():
        counter = _counter_for(counter, actor)
        if Ticket.objects.filter(counter=counter, status__in=ACTIVE).exists():
            raise QueueError(_("Finish the current ticket before closing."))
        counter.officer = None
        _counter_event(counter, CounterState.CLOSED, now, actor, "")
    return counter


def counter_set_areas(*, counter: Counter, areas: list[ServiceArea], actor: User) -> Counter:
    """The areas a counter serves from now on (the manager moves staff to busy areas)."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(pk=counter.pk)
        if any(area.center_id != counter.center_id for area in areas):
            raise QueueError(_("Choose areas of this center."), field="areas")
        counter.areas.set(areas)
        CounterEvent.objects.create(
            counter=counter,
            state=counter.state,
            at=timezone.now(),
            actor=actor,
            note=", ".join(a.name_vi for a in areas)[:300],
        )
    return counter


# -- online-priority days -------------------------------------------------------------------------


def _day_may_change(day: dt.date, at: dt.datetime | None, past: str) -> str:
    """Refuse a change on a ward node or to a day before today (``past`` says why);
    the day as people read it."""
    # A ward node takes its queue set-up from the hub, which would undo a local change.
    if settings.NODE_ROLE == "ward" and settings.SYNC_HUB_URL:
        raise QueueError(
            _("Online-priority days are set on the provincial server and copied here."),
            field="day",
        )
    if day < timezone.localtime(_now(at)).date():
        raise QueueError(past, field="day")
    return f"{day:%d/%m/%Y}"


def _log(actor: User, row: OnlinePriorityDay, flag: int) -> None:
    """Who set or removed the day, in the same history the admin keeps."""
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[row], action_flag=flag, single_object=True
    )


def online_priority_day_add(
    *, center: Unit, day: dt.date, actor: User, at: dt.datetime | None = None
) -> OnlinePriorityDay:
    """Make ``day`` a day on which people who booked are served as priority tickets."""
    shown = _day_may_change(day, at, _("Choose today or a later day."))
    try:
        with transaction.atomic():
            row = OnlinePriorityDay.objects.create(center=center, day=day)
            _log(actor, row, ADDITION)
    except IntegrityError as exc:  # the unique (center, day) constraint: a double click too
        raise QueueError(
            _("%(day)s is already an online-priority day.") % {"day": shown}, field="day"
        ) from exc
    return row


def online_priority_day_remove(
    *, center: Unit, day: dt.date, actor: User, at: dt.datetime | None = None
) -> None:
    """Make ``day`` an ordinary day again; a past day stays, it already ordered the queue."""
    shown = _day_may_change(day, at, _("A past day cannot be changed."))
    with transaction.atomic():
        row = OnlinePriorityDay.objects.select_for_update().filter(center=center, day=day).first()
        if row is None:
            raise QueueError(
                _("%(day)s is not an online-priority day.") % {"day": shown},
                field="day",
            )
        _log(actor, row, DELETION)
        row.delete()


# -- what a ticket holder sees ------------------------------------------------------------------


@dataclass(frozen=True)
class WaitEstimate:
    ahead: int
    minutes: int
    counters: int


def wait_estimate(ticket: Ticket, at: dt.datetime | None = None) -> WaitEstimate:
    """People before this ticket in its area, and a rough wait from today's service times."""
    area = ticket.area
    if ticket.status != TicketStatus.WAITING:
        return WaitEstimate(ahead=0, minutes=0, counters=0)
    waiting = _waiting([area], ticket.day)
    ahead = ordering.people_ahead(_rule(area, ticket.day), waiting, ticket.pk)
    counters = Counter.objects.filter(areas=area, state=CounterState.OPEN).count()
    served = Ticket.objects.filter(area=area, day=ticket.day, service_seconds__isnull=False)
    average = served.aggregate(s=Avg("service_seconds"))["s"]
    minutes_each = (average / 60) if average else area.service_minutes
    minutes = round(ahead * minutes_each / max(counters, 1))
    return WaitEstimate(ahead=ahead, minutes=minutes, counters=counters)


# -- appointments --------------------------------------------------------------------------------


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
    """The area's slots on ``day`` that still have room and have not ended."""
    now = timezone.localtime(_now(at))
    slots = Slot.objects.filter(area=area, day=day, booked__lt=F("capacity")).order_by("starts_at")
    if day < now.date():
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
    now = _now(at)
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
    now = _now(at)
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
