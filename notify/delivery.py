"""Sending what the outbox holds: claim, send, record; retry with backoff.

A worker claims a batch by moving rows from ``pending`` to ``sending`` with
its own claim token in one conditional UPDATE, then reads back only the rows
that carry its token. Two workers running at once therefore never hold the
same message, and a message is sent once. Sending happens outside any
transaction (a gateway may take seconds), and each result is written with a
second conditional UPDATE on the same token.

A worker that dies between claiming and recording leaves rows in
``sending``; after ``LEASE`` they go back to ``pending``. Such a message may
then go out a second time: the only duplicate possible, and only after a
crash in the middle of a send.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from notify import conf
from notify.models import Message, MessageChannel, MessageState
from notify.sms import sms_backend

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
# Waits after the 1st, 2nd, ... failed attempt; the last one repeats.
BACKOFF = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
    dt.timedelta(hours=6),
]


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: Delivery) -> Delivery:
        return Delivery(
            self.sent + other.sent, self.retried + other.retried, self.failed + other.failed
        )


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failure."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def outbox_release_stale(*, now: dt.datetime | None = None) -> int:
    """Give back messages claimed by a worker that never recorded a result."""
    now = now or timezone.now()
    return Message.objects.filter(state=MessageState.SENDING, claimed_at__lt=now - LEASE).update(
        state=MessageState.PENDING, claim="", claimed_at=None
    )


def outbox_claim(*, limit: int = 50, now: dt.datetime | None = None) -> list[Message]:
    """Take up to ``limit`` messages that are due; nobody else can take them now."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = Message.objects.filter(state=MessageState.PENDING, send_after__lte=now)
    ids = list(due.order_by("send_after").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    # The state test in the UPDATE is what makes the claim exclusive: a row
    # another worker moved to "sending" meanwhile no longer matches.
    Message.objects.filter(id__in=ids, state=MessageState.PENDING).update(
        state=MessageState.SENDING, claim=token, claimed_at=now
    )
    return list(Message.objects.filter(claim=token, state=MessageState.SENDING))


def _send(message: Message) -> None:
    if message.channel == MessageChannel.EMAIL:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"X-MotCua-Message": str(message.id)},
        ).send(fail_silently=False)
    elif message.channel == MessageChannel.SMS:
        sms_backend().send(to=message.to, text=message.body, reference=str(message.id))
    else:
        raise ValueError(f"unknown channel {message.channel!r}")


def _record_sent(message: Message, now: dt.datetime) -> None:
    Message.objects.filter(pk=message.pk, claim=message.claim).update(
        state=MessageState.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
    )


def _record_failure(message: Message, error: Exception, now: dt.datetime) -> bool:
    """Write the failure; True when the message will be tried again."""
    attempts = message.attempts + 1
    again = attempts < conf.max_attempts()
    Message.objects.filter(pk=message.pk, claim=message.claim).update(
        state=MessageState.PENDING if again else MessageState.FAILED,
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        send_after=now + backoff(attempts),
        claim="",
        claimed_at=None,
    )
    return again


def outbox_deliver(*, limit: int = 50, now: dt.datetime | None = None) -> Delivery:
    """Claim one batch of due messages and send each; failures wait and retry."""
    outbox_release_stale(now=now)
    result = Delivery()
    for message in outbox_claim(limit=limit, now=now):
        try:
            _send(message)
        except Exception as exc:  # a gateway or mail server fault, whatever its type
            logger.warning("message %s not sent: %s", message.pk, exc)
            if _record_failure(message, exc, now or timezone.now()):
                result.retried += 1
            else:
                result.failed += 1
            continue
        _record_sent(message, now or timezone.now())
        result.sent += 1
    return result
