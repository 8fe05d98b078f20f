"""Tickets: issued at the kiosk, called in the order the area's policy says, recalled,
served, linked to a dossier or sent to another area; and the wait a holder is shown.

Tickets are numbered per area and day from a locked counter row
(django-sequences), so two kiosks never print the same number. Calling
locks the counter and the areas it serves, so two counters never call the
same ticket; on SQLite the immediate transaction already makes writers
queue. Each change writes a ``TicketEvent``; calls and recalls also write a
``BoardEvent`` for the display boards.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _
from sequences import get_next_value

from queueing import ordering
from queueing.board import board_publish
from queueing.models import (
    ACTIVE,
    Appointment,
    Counter,
    CounterState,
    OnlinePriorityDay,
    Policy,
    PriorityGroup,
    QueueSettings,
    ServiceArea,
    Ticket,
    TicketEvent,
    TicketSource,
    TicketStatus,
)
from queueing.services.common import QueueError, counter_locked, moment_or_now
from queueing.services.opening import hours_on

if TYPE_CHECKING:
    from accounts.models import User
    from dossiers.models import Dossier


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
    now = moment_or_now(at)
    if not area.is_active:
        raise QueueError(_("This service area is not taking tickets."))
    local = timezone.localtime(now)
    day = local.date()
    hours = hours_on(area.center, day)
    if hours is None:
        raise QueueError(_("The center is closed today: it is not a working day."))
    if not hours[0] <= local.time() <= hours[1]:
        raise QueueError(_("The center is closed now: tickets are issued during opening hours."))
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


def ticket_call_next(
    *, counter: Counter, actor: User, at: dt.datetime | None = None
) -> Ticket | None:
    """Call whoever the policies put first in this counter's areas; None if nobody waits."""
    now = moment_or_now(at)
    day = timezone.localtime(now).date()
    with transaction.atomic():
        counter = counter_locked(counter, actor)
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
    counter = counter_locked(Counter(pk=locked.counter_id), actor)
    return locked, counter


def ticket_recall(*, ticket: Ticket, actor: User, at: dt.datetime | None = None) -> Ticket:
    """Call the same number again, up to the center's number of recalls."""
    now = moment_or_now(at)
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
    now = moment_or_now(at)
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
    now = moment_or_now(at)
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
    now = moment_or_now(at)
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
    now = moment_or_now(at)
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
    now = moment_or_now(at)
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
