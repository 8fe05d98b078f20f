"""Online-priority days: the days a center serves people who booked as priority tickets."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from queueing.models import OnlinePriorityDay
from queueing.services.common import QueueError, moment_or_now

if TYPE_CHECKING:
    from accounts.models import User
    from units.models import Unit


def _day_may_change(day: dt.date, at: dt.datetime | None, past: str) -> str:
    """Refuse a change on a ward node or to a day before today (``past`` says why);
    the day as people read it."""
    # A ward node takes its queue set-up from the hub, which would undo a local change.
    if settings.NODE_ROLE == "ward" and settings.SYNC_HUB_URL:
        raise QueueError(
            _("Online-priority days are set on the provincial server and copied here."),
            field="day",
        )
    if day < timezone.localtime(moment_or_now(at)).date():
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
