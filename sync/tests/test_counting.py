"""A dossier new on the hub is counted from its batch: the same lives the database would give."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.base import ContentFile

from dossiers.models import Dossier, DossierComponent, DossierEvent
from reports.rebuild import lives_of
from reports.tests.story import Made
from sync import counting, rows
from sync.wire import encode
from units.models import Unit

pytestmark = pytest.mark.django_db


def _wire(snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As the hub reads them: encoded to JSON and decoded again."""
    return json.loads(encode({"s": snaps}))["s"]  # type: ignore[no-any-return]


def test_lives_told_by_a_batch_are_the_lives_the_database_holds(
    made: Made, ward_center: Unit
) -> None:
    # One paper scanned at the desk: it counts as digitised.
    scanned = DossierComponent.objects.filter(supplement=False).first()
    assert scanned is not None
    scanned.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)

    ids = [d.pk for d in made.dossiers]
    told = counting.lives_in_batch(
        _wire(rows.snapshots(Dossier.objects.filter(pk__in=ids))),
        _wire(rows.snapshots(DossierEvent.objects.filter(dossier_id__in=ids).order_by("?"))),
        _wire(rows.snapshots(DossierComponent.objects.filter(dossier_id__in=ids))),
    )
    read = list(lives_of(ward_center))
    assert sorted(told, key=lambda life: life.id) == sorted(read, key=lambda life: life.id)

    # The comparison saw what matters: pauses, results, digitised and reused papers.
    actions = {e.action for life in read for e in life.events}
    assert {"receive", "request_supplement", "resolve", "return"} <= actions
    assert any(life.papers[1] for life in read) and any(life.papers[2] for life in read)
