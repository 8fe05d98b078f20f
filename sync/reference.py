"""What a ward node takes from the hub as it is: units, catalog, calendar, staff, queue set-up.

The hub serialises these tables (same primary keys everywhere, so every
foreign key holds on the node) and names the whole by its digest; a node
asks again with the digest it has and gets nothing when nothing changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core import serializers
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import Assignment, User
from catalog.models import Case, Component, Fee, Field, Procedure, ProcedureVersion, Step
from deadlines.models import CalendarDay
from queueing.models import (
    Counter,
    OnlinePriorityDay,
    OpeningHours,
    PriorityGroup,
    QueueSettings,
    ServiceArea,
)
from sync.ownership import served_units
from units.models import Unit

USER_FIELDS = [
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "full_name",
    "phone",
]
# Kept as the node has them once created: a counter's state is the node's own.
CREATE_ONLY = {Counter}


def _querysets(center: Unit) -> list[tuple[models.QuerySet[Any], list[str] | None]]:
    units = served_units(center)
    staff = User.objects.filter(assignments__unit_id__in=units).distinct()
    return [
        (Unit.objects.all(), None),
        (Field.objects.all(), None),
        (Procedure.objects.all(), None),
        (ProcedureVersion.objects.all(), None),
        (Case.objects.all(), None),
        (Component.objects.all(), None),
        (Fee.objects.all(), None),
        (Step.objects.all(), None),
        (CalendarDay.objects.all(), None),
        (staff, USER_FIELDS),
        (Assignment.objects.filter(unit_id__in=units), None),
        (PriorityGroup.objects.all(), None),
        (QueueSettings.objects.filter(center=center), None),
        (OpeningHours.objects.filter(center=center), None),
        (ServiceArea.objects.filter(center=center), None),
        (Counter.objects.filter(center=center), ["center", "number", "areas"]),
        (OnlinePriorityDay.objects.filter(center=center), None),
    ]


def reference_export(center: Unit) -> tuple[str, bytes]:
    parts = []
    for queryset, fields in _querysets(center):
        rows = queryset.order_by("pk")
        parts.append(serializers.serialize("json", rows, fields=fields))
    body = (
        "[" + ",".join(p.strip()[1:-1] for p in parts if p.strip() not in ("[]", "")) + "]"
    ).encode()
    return hashlib.sha256(body).hexdigest(), body


@transaction.atomic
def reference_import(body: bytes, center_code: str) -> int:
    """Save every row as the hub has it; roles and online-priority days the hub took away
    go here too."""
    count = 0
    assignments: set[Any] = set()
    online_days: set[Any] = set()
    for item in serializers.deserialize("json", body):
        obj = item.object
        if type(obj) in CREATE_ONLY and type(obj)._default_manager.filter(pk=obj.pk).exists():
            continue
        if isinstance(obj, Assignment):
            assignments.add(obj.pk)
        if isinstance(obj, OnlinePriorityDay):
            online_days.add(obj.pk)
        if isinstance(obj, PriorityGroup):
            # Every database seeds its own groups: the hub's id wins for the same code.
            PriorityGroup.objects.filter(code=obj.code).exclude(pk=obj.pk).delete()
        item.save()
        count += 1
    center = Unit.objects.get(code=center_code)
    Assignment.objects.filter(unit_id__in=served_units(center)).exclude(pk__in=assignments).delete()
    OnlinePriorityDay.objects.filter(center=center).exclude(pk__in=online_days).delete()
    return count


# -- the export as the hub answers it -----------------------------------------------------------

REFERENCE_KEPT = 30  # seconds; a change saved in this process drops the kept exports at once
_GENERATION_KEY = "sync-reference-generation"
# Every table the export reads (a test checks this against the export).
FOLLOWED_MODELS: list[type[models.Model]] = [
    *(Unit, Field, Procedure, ProcedureVersion, Case, Component, Fee, Step, CalendarDay),
    *(User, Assignment, PriorityGroup, QueueSettings, OpeningHours, ServiceArea, Counter),
    OnlinePriorityDay,
]


def reference_current(center: Unit) -> tuple[str, bytes]:
    """:func:`reference_export`, kept a few seconds: every node asks each round, and the
    answer is almost always "nothing changed". A row saved or deleted here starts a new
    generation; a change made by another server process is seen within ``REFERENCE_KEPT``."""
    generation = cache.get_or_set(_GENERATION_KEY, 0)
    key = f"sync-reference:{generation}:{center.pk}"
    kept = cache.get(key)
    if kept is None:
        kept = reference_export(center)
        cache.set(key, kept, REFERENCE_KEPT)
    return kept  # type: ignore[no-any-return]


def reference_changed(**_kwargs: Any) -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # no generation yet, or it expired
        cache.set(_GENERATION_KEY, 1)


def reference_follow() -> None:
    """Connect the saves and deletes of every exported table, and changes of their
    many-to-many links (a counter's areas, an area's procedures), to
    :func:`reference_changed`."""
    for model in FOLLOWED_MODELS:
        uid = f"sync-reference-{model._meta.label_lower}"
        post_save.connect(reference_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(reference_changed, sender=model, dispatch_uid=uid)
        for link in model._meta.many_to_many:
            through = link.remote_field.through  # type: ignore[attr-defined]
            m2m_changed.connect(
                reference_changed, sender=through, dispatch_uid=f"{uid}-{link.name}"
            )
