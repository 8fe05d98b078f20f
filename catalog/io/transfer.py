"""Import and export of the whole catalog."""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from catalog.io.reader import catalog_read
from catalog.models import Field, Procedure
from catalog.services import field_save, procedure_version_create, version_document
from catalog.spec import (
    FORMAT,
    FORMAT_VERSION,
    ProcedureSpec,
    compact_document,
    document_hash,
    procedure_document,
)

Progress = Callable[[Sequence[ProcedureSpec]], Iterable[ProcedureSpec]]


@dataclass(slots=True)
class ImportReport:
    fields_created: int = 0
    fields_renamed: int = 0
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    dry_run: bool = False


def catalog_import(
    *,
    path: str | Path | None = None,
    text: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Bring the database in line with a catalog file, all or nothing.

    The file is checked completely first (CatalogFileError, nothing touched).
    Then one transaction upserts the fields and gives every changed procedure
    a new current version; any database error rolls all of it back.
    Procedures missing from the file are left alone. ``progress`` may wrap
    the list of procedures (a tqdm bar, say). A dry run does all the work and
    rolls it back, so its report is exact.
    """
    spec = catalog_read(path=path, text=text)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        fields: dict[str, Field] = {}
        for field_spec in spec.fields:
            field, outcome = field_save(
                code=field_spec.code, name_vi=field_spec.name_vi, name_en=field_spec.name_en
            )
            fields[field_spec.code] = field
            report.fields_created += outcome == "created"
            report.fields_renamed += outcome == "renamed"
        referenced = {item.field for item in spec.procedures} - set(fields)
        fields.update((field.code, field) for field in Field.objects.filter(code__in=referenced))

        existing = {
            procedure.code: procedure
            for procedure in Procedure.objects.filter(
                code__in=[item.code for item in spec.procedures]
            ).select_related("current_version")
        }
        for item in progress(spec.procedures) if progress else spec.procedures:
            procedure = existing.get(item.code)
            current = procedure.current_version if procedure else None
            digest = document_hash(procedure_document(code=item.code, field=item.field, data=item))
            if current is not None and current.content_hash == digest:
                report.unchanged += 1
                continue
            procedure_version_create(procedure_code=item.code, field=fields[item.field], data=item)
            if procedure is None:
                report.created += 1
            else:
                report.new_versions += 1
        if dry_run:
            transaction.set_rollback(True)
    return report


def catalog_export(*, procedures: Iterable[Procedure] | None = None) -> dict[str, Any]:
    """The catalog file of the current versions, ordered by code.

    Without ``procedures``, every field and every procedure that has a
    current version; with them, those procedures and the fields they use.
    """
    chosen = Procedure.objects.filter(current_version__isnull=False)
    fields = Field.objects.all()
    if procedures is not None:
        chosen = chosen.filter(pk__in=[procedure.pk for procedure in procedures])
        fields = fields.filter(procedures__in=chosen).distinct()
    chosen = chosen.select_related("current_version__procedure__field").prefetch_related(
        "current_version__cases__components",
        "current_version__cases__fees",
        "current_version__cases__steps",
    )
    documents = []
    for procedure in chosen.order_by("code"):
        assert procedure.current_version is not None
        documents.append(compact_document(version_document(procedure.current_version)))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fields": [
            {"code": field.code, "name_vi": field.name_vi, "name_en": field.name_en}
            for field in fields.order_by("code")
        ],
        "procedures": documents,
    }


def catalog_dumps(document: dict[str, Any]) -> str:
    """The file text: UTF-8 friendly (Vietnamese stays readable), two-space indent."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
