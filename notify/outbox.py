"""Putting messages in the outbox. Delivery is a separate, retrying job (``notify.delivery``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from notify.models import Message

if TYPE_CHECKING:
    from dossiers.models import Dossier


def enqueue(
    *,
    key: str,
    channel: str,
    to: str,
    body: str,
    subject: str = "",
    dossier: Dossier | None = None,
    send_after: dt.datetime | None = None,
) -> Message:
    """Add a message once: the same ``key`` again returns the message already there.

    Call it inside the transaction that makes the message true, so a rolled
    back action sends nothing.
    """
    message = Message(
        key=key,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        dossier=dossier,
        send_after=send_after or timezone.now(),
    )
    enqueue_many([message])
    return Message.objects.get(key=key)


def enqueue_many(messages: Sequence[Message]) -> None:
    """Add unsaved messages in one statement; those whose key is taken are skipped.

    ``ON CONFLICT DO NOTHING`` instead of get-or-create: no savepoint, and a
    concurrent writer of the same key neither fails nor sends twice.
    """
    if messages:
        Message.objects.bulk_create(messages, ignore_conflicts=True)
