"""New rows inserted with a statement built once: read back as the ORM wrote them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.rows import rows_insert
from dossiers.models import Dossier, DossierEvent
from dossiers.services import ApplicantIn, PaperIn, dossier_intake
from dossiers.tests.fixtures import snapshot
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(desk_officer: User, ward_center: Unit, ward_case, applicant_in: ApplicantIn) -> Dossier:
    papers = [PaperIn(component_id=c.pk, originals=1) for c in ward_case.components.all()]
    return dossier_intake(
        actor=desk_officer, unit=ward_center, case=ward_case, applicant=applicant_in, papers=papers
    )


def _event(dossier: Dossier, seq: int, **fields: object) -> DossierEvent:
    return DossierEvent(
        dossier=dossier,
        node_id="rows-test",
        seq=seq,
        action="note",
        from_status=dossier.status,
        to_status=dossier.status,
        at=dt.datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=dt.UTC),
        **fields,
    )


def test_rows_read_back_as_they_were_written(dossier: Dossier, desk_officer: User) -> None:
    rows = [
        _event(dossier, 1, actor=desk_officer, actor_name="Lê Thị Hồng", data={"lý do": [1, "ô"]}),
        _event(dossier, 2, note="Không có người nhận", data={}),  # no actor, no unit
    ]
    with CaptureQueriesContext(connection) as queries:
        rows_insert(rows)
    assert len(queries) == 1
    assert all(not row._state.adding and row._state.db == "default" for row in rows)
    for row in rows:
        assert snapshot(DossierEvent.objects.get(pk=row.pk)) == snapshot(row)


def test_the_statement_is_built_once_for_each_number_of_rows(dossier: Dossier) -> None:
    from core import rows as module

    rows_insert([_event(dossier, 10)])
    rows_insert([_event(dossier, 11)])
    rows_insert([_event(dossier, 12), _event(dossier, 13)])
    kept = [key for key in module._statements if key[1] is DossierEvent]
    assert sorted(key[2] for key in kept) == [1, 2]
    assert DossierEvent.objects.filter(node_id="rows-test").count() == 4


def test_only_new_rows_of_one_model_with_their_ids(dossier: Dossier) -> None:
    written = _event(dossier, 20)
    rows_insert([written])
    with pytest.raises(ValueError):
        rows_insert([written])  # already written
    with pytest.raises(ValueError):
        rows_insert([_event(dossier, 21), dossier])
    rows_insert([])  # nothing to do
    assert DossierEvent.objects.filter(node_id="rows-test").count() == 1
