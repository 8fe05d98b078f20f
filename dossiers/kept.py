"""The catalog cases and units a desk reads at every intake, kept in memory.

Receiving a dossier reads its case with the checklist, the receiving unit
and the agency the dossier goes to. They change a few times a year and the
queries to read them cost more than the rest of the intake, so each process
keeps what it read. Saving or deleting a unit or any part of the catalog
forgets everything kept in the process that saved it (see :func:`follow`)
and, through the node's stamp file (``core.kept``), in its other server
processes. Rows written without a signal are read afresh within
``KEPT_SECONDS``.

Only cases of a frozen procedure version are kept: a frozen version can no
longer change, and receiving the first dossier of a version is what freezes
it, which must reach the database.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from catalog.models import Case, Component, Procedure, ProcedureVersion
from core.kept import Kept
from units.models import Unit

KEPT_SECONDS = 60.0

_kept = Kept(stamp="intake-reference")


def forget(**_kwargs: Any) -> None:
    """Forget everything kept in this process."""
    _kept.forget()


def case_kept(case_id: uuid.UUID) -> Case | None:
    """The case with its version, procedure and checklist."""

    def read() -> Case | None:
        return (
            Case.objects.select_related("version__procedure")
            .prefetch_related("components")
            .filter(pk=case_id)
            .first()
        )

    def frozen(case: Case | None) -> bool:
        return case is not None and case.version.is_locked

    return _kept.get(("case", case_id), read, seconds=KEPT_SECONDS, keep=frozen)


def unit_kept(unit_id: Any) -> Unit | None:
    """The unit with its province and parent (routing a dossier reads both)."""

    def read() -> Unit | None:
        return Unit.objects.select_related("province", "parent").filter(pk=unit_id).first()

    return _kept.get(("unit", unit_id), read, seconds=KEPT_SECONDS)


def competent_unit_kept(
    filed_at: Unit, version: ProcedureVersion, ward: Unit | None
) -> Unit | None:
    """:meth:`Unit.competent_unit` for a dossier of ``version`` filed at ``filed_at``."""
    key = ("competent", filed_at.pk, version.agency, version.level, ward.pk if ward else None)

    def read() -> Unit | None:
        return filed_at.competent_unit(version.agency, version.level, ward=ward)

    return _kept.get(key, read, seconds=KEPT_SECONDS)


def _changed(**kwargs: Any) -> None:
    # Now, for later reads in the same transaction, and again once it commits,
    # in case something was read back from uncommitted rows in between.
    forget()
    transaction.on_commit(forget, using=kwargs.get("using"))


def follow() -> None:
    """Connect the saves and deletes that must empty what is kept."""
    for model in (Unit, Procedure, ProcedureVersion, Case, Component):
        uid = f"dossiers-kept-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-deleted")
