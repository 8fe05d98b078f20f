"""What a ward node takes from the hub as it is: units, catalog, calendar, staff, queue set-up.

The hub serialises these tables (same primary keys everywhere, so every
foreign key holds on the node) and names the whole by its digest; a node
asks again with the digest it has and gets nothing when nothing changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core import serializers
from django.db import models, transaction

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
