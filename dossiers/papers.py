"""An applicant's digitised papers: kept once, offered again instead of asked for."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from catalog.text import fold
from core.uploads import check_upload
from dossiers.models import Applicant, DigitisedPaper, Dossier


def paper_kind(name: str) -> str:
    """Papers of the same kind share their folded name, whatever the procedure."""
    return fold(name)


@transaction.atomic
def paper_digitise(
    *,
    applicant: Applicant,
    name: str,
    upload: UploadedFile,
    source: Dossier | None = None,
    is_result: bool = False,
) -> DigitisedPaper:
    """Keep a scan in the applicant's papers; the same file twice is kept once.

    Raises :class:`core.uploads.UploadRejectedError` for a file that is not a
    size-limited PDF, JPEG or PNG.
    """
    checked = check_upload(upload)
    existing = DigitisedPaper.objects.filter(applicant=applicant, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    upload.name = f"{checked.sha256[:16]}.{checked.extension}"
    return DigitisedPaper.objects.create(
        applicant=applicant,
        name=name,
        kind=paper_kind(name),
        file=upload,
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=checked.size,
        source=source,
        is_result=is_result,
    )


def result_paper_keep(dossier: Dossier, upload: UploadedFile) -> DigitisedPaper:
    """Keep a dossier's result document in its applicant's papers, as an issued result."""
    return paper_digitise(
        applicant=dossier.applicant,
        name=dossier.procedure_version.result_vi or "Kết quả giải quyết hồ sơ",
        upload=upload,
        source=dossier,
        is_result=True,
    )


def papers_for(applicant: Applicant, name: str) -> list[DigitisedPaper]:
    """The applicant's papers that can stand in for a checklist item of this name."""
    return list(DigitisedPaper.objects.filter(applicant=applicant, kind=paper_kind(name)))
