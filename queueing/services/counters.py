"""Counters: an officer opens, pauses, resumes and closes one; the manager sets its areas.

Each change writes a ``CounterEvent`` and tells the display boards.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from queueing.board import board_publish
from queueing.models import ACTIVE, Counter, CounterEvent, CounterState, ServiceArea, Ticket
from queueing.services.common import QueueError, counter_locked, moment_or_now

if TYPE_CHECKING:
    from accounts.models import User


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
    now = moment_or_now(at)
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
    now = moment_or_now(at)
    with transaction.atomic():
        counter = counter_locked(counter, actor)
        if counter.state != CounterState.OPEN:
            raise QueueError(_("The counter is not open."))
        if Ticket.objects.filter(counter=counter, status__in=ACTIVE).exists():
            raise QueueError(_("Finish the current ticket before pausing."))
        _counter_event(counter, CounterState.PAUSED, now, actor, note)
    return counter


def counter_resume(*, counter: Counter, actor: User, at: dt.datetime | None = None) -> Counter:
    now = moment_or_now(at)
    with transaction.atomic():
        counter = counter_locked(counter, actor)
        if counter.state != CounterState.PAUSED:
            raise QueueError(_("The counter is not paused."))
        _counter_event(counter, CounterState.OPEN, now, actor, "")
    return counter


def counter_close(*, counter: Counter, actor: User, at: dt.datetime | None = None) -> Counter:
    """The officer leaves the counter."""
    now = moment_or_now(at)
    with transaction.atomic():
        counter = counter_locked(counter, actor)
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
