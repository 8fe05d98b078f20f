"""The cases and units an intake reads, kept in memory and forgotten when they change."""

from __future__ import annotations

import time
from typing import Any

import pytest

from catalog.models import Case
from dossiers import kept
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept() -> Any:
    kept.forget()
    yield
    kept.forget()


def test_a_frozen_versions_case_is_read_once(ward_case: Case, django_assert_num_queries) -> None:
    ward_case.version.lock()
    with django_assert_num_queries(2):  # the case with its version, then its checklist
        first = kept.case_kept(ward_case.pk)
    with django_assert_num_queries(0):
        again = kept.case_kept(ward_case.pk)
    assert again is first
    assert [c.pk for c in again.components.all()] == [c.pk for c in ward_case.components.all()]


def test_a_case_that_can_still_change_is_read_every_time(
    ward_case: Case, django_assert_num_queries
) -> None:
    assert not ward_case.version.is_locked
    kept.case_kept(ward_case.pk)
    with django_assert_num_queries(2):
        kept.case_kept(ward_case.pk)


def test_saving_a_unit_or_the_catalog_forgets_what_is_kept(
    ward_case: Case, ward_center: Unit, django_assert_num_queries
) -> None:
    ward_case.version.lock()
    kept.case_kept(ward_case.pk)
    assert kept.unit_kept(ward_center.pk).name_en == "Ward One service center"  # type: ignore[union-attr]
    ward_center.name_en = "Ward One one-stop center"
    ward_center.save()
    assert kept.unit_kept(ward_center.pk).name_en == "Ward One one-stop center"  # type: ignore[union-attr]
    with django_assert_num_queries(2):
        kept.case_kept(ward_case.pk)
    procedure = ward_case.version.procedure
    procedure.save()
    with django_assert_num_queries(2):
        kept.case_kept(ward_case.pk)


def test_what_another_process_changed_is_read_again_after_a_while(
    ward_center: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept.unit_kept(ward_center.pk)
    Unit.objects.filter(pk=ward_center.pk).update(is_active=False)  # no signal, as elsewhere
    assert kept.unit_kept(ward_center.pk).is_active  # type: ignore[union-attr]
    later = time.monotonic() + kept.KEPT_SECONDS + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert not kept.unit_kept(ward_center.pk).is_active  # type: ignore[union-attr]


def test_nothing_is_kept_for_an_id_that_does_not_exist(django_assert_num_queries) -> None:
    missing = "01a20b685d81760398aca10f67981f0a"
    assert kept.unit_kept(missing) is None
    with django_assert_num_queries(1):
        assert kept.unit_kept(missing) is None
