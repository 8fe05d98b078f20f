"""A dossier new on the hub is counted from its batch: the same lives the database would give."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.base import ContentFile

from accounts.models import User
from catalog.models import Case
from dossiers import services as s
from dossiers.models import Dossier, DossierComponent, DossierEvent
from dossiers.services import ApplicantIn
from reports.rebuild import lives_of
from reports.tests.story import Agency, generate
from sync import counting, rows
from sync.wire import encode
from units.models import Unit

pytestmark = pytest.mark.django_db


def _wire(snaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As the hub reads them: encoded to JSON and decoded again."""
    return json.loads(encode({"s": snaps}))["s"]  # type: ignore[no-any-return]


def test_lives_told_by_a_batch_are_the_lives_the_database_holds(
    desk_officer: User,
    ward_center: Unit,
    ward_case: Case,
    justice_case: Case,
    approver: User,
    specialist: User,
    justice_approver: User,
    justice_specialist: User,
    citizen: User,
) -> None:
    applicant = s.applicant_find_or_create(
        data=ApplicantIn(full_name="Trần Thị Mai", id_number="066190001234")
    )
    made = generate(
        seed=11,
        count=60,
        first=dt.date(2024, 12, 16),
        days=30,
        horizon=dt.datetime(2025, 2, 10, 12, 0, tzinfo=dt.UTC),
        desk=desk_officer,
        center=ward_center,
        agencies=[
            Agency(ward_case, approver, specialist),
            Agency(justice_case, justice_approver, justice_specialist),
        ],
        citizen=citizen,
        applicant=applicant,
    )
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
