"""Checking an uploaded scan by what it is, not by what its name or browser says."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# The first bytes of each accepted type, and the type they prove.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


class UploadRejectedError(ValueError):
    """A file that is not kept, with a message the person can act on."""


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_MB", 10)) * 1024 * 1024


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Size and type (PDF, JPEG or PNG, read from the content), and its sha256."""
    limit = max_upload_bytes()
    size = upload.size or 0
    if size == 0:
        raise UploadRejectedError(_("The file “%(name)s” is empty.") % {"name": upload.name})
    if size > limit:
        raise UploadRejectedError(
            _("The file “%(name)s” is %(size).1f MB; the limit is %(limit)d MB.")
            % {"name": upload.name, "size": size / 1024 / 1024, "limit": limit // 1024 // 1024}
        )
    upload.seek(0)
    head = upload.read(16)
    kind = next((s for s in SIGNATURES if head.startswith(s[0])), None)
    if kind is None:
        raise UploadRejectedError(
            _("The file “%(name)s” is not a PDF, JPEG or PNG scan.") % {"name": upload.name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    _magic, content_type, extension = kind
    return CheckedUpload(content_type, extension, size, digest.hexdigest())
