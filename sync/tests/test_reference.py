"""What a ward takes from the hub replaces its own copy, removals included."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accounts.models import Assignment
from queueing.models import Counter, OnlinePriorityDay, ServiceArea
from sync.reference import (
    FOLLOWED_MODELS,
    _querysets,
    reference_current,
    reference_export,
    reference_import,
)
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_days_and_roles_the_hub_took_away_go_on_the_ward_too(ward_center, desk_officer) -> None:
    kept = OnlinePriorityDay.objects.create(center=ward_center, day=dt.date(2026, 12, 2))
    gone = OnlinePriorityDay.objects.create(center=ward_center, day=dt.date(2026, 12, 9))
    role = Assignment.objects.filter(user=desk_officer).first()
    assert role is not None
    _digest, body = reference_export(ward_center)
    reference_import(body, ward_center.code)
    assert set(OnlinePriorityDay.objects.filter(center=ward_center)) == {kept, gone}
    assert Assignment.objects.filter(pk=role.pk).exists()
    # The hub's manager removed a day and a role: the hub's next copy lacks them.
    reference_import(body_without(body, gone.pk, role.pk), ward_center.code)
    assert list(OnlinePriorityDay.objects.filter(center=ward_center)) == [kept]
    assert not Assignment.objects.filter(pk=role.pk).exists()


def body_without(body: bytes, *pks: object) -> bytes:
    rows = [row for row in json.loads(body) if str(row["pk"]) not in {str(pk) for pk in pks}]
    return json.dumps(rows).encode()


def test_the_hub_keeps_its_answer_until_a_row_is_saved(ward_center, desk_officer) -> None:
    digest, _body = reference_current(ward_center)
    # A change that skips the model's signals is seen only once the kept answer expires...
    Unit.objects.filter(pk=ward_center.pk).update(name_en="Renamed quietly")
    assert reference_current(ward_center)[0] == digest != reference_export(ward_center)[0]
    # ...a change saved through the model is seen at once, and so is a counter's areas.
    ward_center.name_en = "Renamed"
    ward_center.save()
    renamed = reference_current(ward_center)[0]
    assert renamed == reference_export(ward_center)[0] != digest
    area = ServiceArea.objects.create(center=ward_center, name_vi="Khu A", name_en="A")
    counter = Counter.objects.create(center=ward_center, number=1)
    with_counter = reference_current(ward_center)[0]
    counter.areas.add(area)
    assert reference_current(ward_center)[0] == reference_export(ward_center)[0] != with_counter


def test_the_kept_answer_follows_every_table_the_export_reads(ward_center) -> None:
    exported = {queryset.model for queryset, _fields in _querysets(ward_center)}
    assert exported == set(FOLLOWED_MODELS)
