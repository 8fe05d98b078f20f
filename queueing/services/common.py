"""What the queue's services share: the error they raise, the clock, the counter lock."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from queueing.models import Counter

if TYPE_CHECKING:
    from accounts.models import User


class QueueError(Exception):
    """An action the queue's rules refuse, with a message for the person who tried."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def moment_or_now(at: dt.datetime | None) -> dt.datetime:
    """The moment a service was given (tests and the demo set it), or now."""
    return at or timezone.now()


def counter_locked(counter: Counter, actor: User) -> Counter:
    """The counter, locked; only the officer sitting at it may act there."""
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    if locked.officer_id != actor.pk:
        raise QueueError(_("You are not at this counter."))
    return locked
