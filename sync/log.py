"""The change log of a ward node: records other than dossier events, numbered with them.

Dossier events carry their node id and sequence already. Applicants, queue
tickets and ratings change in place, so each save on a syncing ward node adds
a :class:`~sync.models.Change` in the same transaction, taking the next number
of the same sequence: the node's log stays one gap-free series and the push
ships each record's latest state.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_save, pre_save

from dossiers.codes import node_seq_next
from dossiers.models import Applicant
from portal.models import Rating
from queueing.models import Ticket
from sync.models import Change
from sync.wire import digest, snapshot

# model label on the wire -> model
FOLLOWED: dict[str, type[models.Model]] = {
    "applicant": Applicant,
    "ticket": Ticket,
    "rating": Rating,
}
LABELS = {model: label for label, model in FOLLOWED.items()}


def syncing() -> bool:
    """True on a ward node that has a hub to push to."""
    return settings.NODE_ROLE == "ward" and bool(settings.SYNC_HUB_URL)


def _before(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not syncing() or kwargs.get("raw") or sender is not Applicant or instance._state.adding:
        return
    old = Applicant.objects.filter(pk=instance.pk).first()
    instance._sync_base = digest(snapshot(old)) if old is not None else ""  # type: ignore[attr-defined]


def _after(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not syncing() or kwargs.get("raw") or getattr(instance, "_sync_applying", False):
        return
    with transaction.atomic():  # the caller's transaction when there is one
        Change.objects.create(
            node_id=settings.NODE_ID,
            seq=node_seq_next(),
            model=LABELS[sender],
            object_id=instance.pk,
            base=getattr(instance, "_sync_base", ""),
        )


for _model in FOLLOWED.values():
    pre_save.connect(_before, sender=_model, dispatch_uid=f"sync-before-{_model.__name__}")
    post_save.connect(_after, sender=_model, dispatch_uid=f"sync-after-{_model.__name__}")
