"""Files sent in pieces, so that a cut connection resumes where the server stopped.

The browser asks to begin an upload for one paper (``upload_begin``), sends
the file in pieces at the offset the server names (``upload_append``), and
after a failure asks where the server stands before going on. The pieces
wait in a staging file; the last one makes the file whole, and it is then
checked and attached exactly like a file sent in one request
(``upload_attach``). Staging files untouched for a day are removed by
``upload_sweep``, which every new upload runs and the worker runs with its
deadline watch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import UploadRejectedError, max_upload_bytes
from dossiers.models import Dossier, Status
from dossiers.services import DossierInputError, dossier_supplement_upload
from dossiers.workflow import TransitionError
from portal.models import UploadPurpose, UploadSession
from portal.services import component_of, draft_locked, draft_paper_upload

# What the browser sends in one request, and the most the server reads from one.
CHUNK_BYTES = 256 * 1024
PIECE_MAX_BYTES = 1024 * 1024
STAGED_FOR = dt.timedelta(days=1)
SHA256_RE = re.compile(r"[0-9a-f]{64}")


class OffsetMismatchError(Exception):
    """The piece does not start where the server stands; ``offset`` is where it does."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def staging_path(session: UploadSession) -> Path:
    return Path(settings.MEDIA_ROOT) / "portal" / "partial" / f"{session.pk}.part"


def upload_sweep(*, now: dt.datetime | None = None) -> int:
    """Forget uploads untouched for a day, and their staging files; how many went."""
    now = now if now is not None else timezone.now()
    stale = list(UploadSession.objects.filter(touched_at__lt=now - STAGED_FOR)[:200])
    for session in stale:
        staging_path(session).unlink(missing_ok=True)
    UploadSession.objects.filter(pk__in=[s.pk for s in stale]).delete()
    return len(stale)


def _check_size(file_name: str, size: int) -> None:
    """The refusals ``core.uploads.check_upload`` gives, before any byte is sent."""
    limit = max_upload_bytes()
    if size <= 0:
        raise UploadRejectedError(_("The file “%(name)s” is empty.") % {"name": file_name})
    if size > limit:
        raise UploadRejectedError(
            _("The file “%(name)s” is %(size).1f MB; the limit is %(limit)d MB.")
            % {"name": file_name, "size": size / 1024 / 1024, "limit": limit // 1024 // 1024}
        )


def upload_begin(
    *,
    actor: User,
    dossier: Dossier,
    purpose: str,
    file_name: str,
    size: int,
    sha256: str = "",
    component_id: uuid.UUID | str | None = None,
    paper_name: str = "",
) -> UploadSession:
    """Begin an upload for one paper, or find again the unfinished one of the same file.

    A file named by its sha256 is found again after the page was reloaded, so
    what the server already has is not sent twice. Raises
    ``UploadRejectedError`` for an empty or too large file and
    ``DossierInputError`` when the paper cannot be added now.
    """
    upload_sweep()
    file_name = " ".join((file_name or "scan").split())[-200:]
    _check_size(file_name, size)
    sha256 = sha256.strip().lower()
    sha256 = sha256 if SHA256_RE.fullmatch(sha256) else ""
    with transaction.atomic():
        target = _target(actor, dossier, purpose, component_id, paper_name)
        earlier = (
            UploadSession.objects.filter(
                **target, sha256=sha256, size=size, finished_at__isnull=True
            )
            .order_by("-touched_at")
            .first()
            if sha256
            else None
        )
        if earlier is not None and staging_path(earlier).exists():
            return earlier
        session = UploadSession.objects.create(
            **target, file_name=file_name, size=size, sha256=sha256
        )
        path = staging_path(session)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return session


def _target(
    actor: User,
    dossier: Dossier,
    purpose: str,
    component_id: uuid.UUID | str | None,
    paper_name: str,
) -> dict[str, Any]:
    """Whose upload it is and for which paper; refused when the paper cannot be added now."""
    if purpose == UploadPurpose.PAPER:
        dossier = draft_locked(actor, dossier)
        component = component_of(dossier, component_id or "")
        return {"user": actor, "dossier": dossier, "purpose": purpose, "component": component}
    if purpose != UploadPurpose.SUPPLEMENT:
        raise ValueError(purpose)
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise DossierInputError("file", _("No papers are asked for on this dossier now."))
    return {
        "user": actor,
        "dossier": dossier,
        "purpose": purpose,
        "paper_name": " ".join(paper_name.split())[:500],
    }


def _restart(session: UploadSession) -> None:
    """Start the file again from its first byte: what was kept cannot be used."""
    path = staging_path(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    session.received = 0
    session.touched_at = timezone.now()
    session.save(update_fields=["received", "touched_at"])


def upload_append(*, session: UploadSession, offset: int, data: bytes | None) -> UploadSession:
    """Keep one piece that starts at ``offset``; how far the file has come.

    Raises ``OffsetMismatchError`` with the server's offset when the piece
    starts elsewhere, and ``UploadRejectedError`` when it goes past the size
    announced (``data`` is None when the request held more than may be read).
    """
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.finished_at is not None or offset != locked.received:
            raise OffsetMismatchError(locked.received)
        if data is None or offset + len(data) > locked.size:
            raise UploadRejectedError(
                _("The file “%(name)s” is larger than announced; choose it again.")
                % {"name": locked.file_name}
            )
        if staging_path(locked).exists():
            return _write(locked, data)
        # Swept or lost: committed, then told, so the browser starts again.
        _restart(locked)
    raise OffsetMismatchError(0)


def _write(locked: UploadSession, data: bytes) -> UploadSession:
    path = staging_path(locked)
    if data:
        # Written at the offset, not appended: bytes a failed request left past
        # ``received`` are overwritten. Synced before ``received`` says they are kept.
        with path.open("r+b") as handle:
            handle.seek(locked.received)
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        locked.received += len(data)
        locked.touched_at = timezone.now()
        locked.save(update_fields=["received", "touched_at"])
    return locked


def _finish(session: UploadSession, error: str) -> UploadSession:
    session.finished_at = timezone.now()
    session.touched_at = session.finished_at
    session.error = error[:500]
    session.save(update_fields=["finished_at", "touched_at", "error"])
    path = staging_path(session)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return session


@transaction.atomic
def upload_refuse(*, session: UploadSession, error: str) -> UploadSession:
    """Give up an upload the server will not take; the refusal is kept to be told again."""
    locked = UploadSession.objects.select_for_update().get(pk=session.pk)
    if locked.finished_at is not None:
        return locked
    return _finish(locked, error)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def upload_attach(*, actor: User, session: UploadSession) -> UploadSession:
    """The whole file, checked and attached to its paper as if sent in one request.

    Done once: a later call (the answer was lost) returns the same outcome,
    with ``error`` set when the file was refused. Raises
    ``OffsetMismatchError(0)`` when the bytes kept are not the file announced.
    """
    with transaction.atomic():
        locked = (
            UploadSession.objects.select_for_update().select_related("dossier").get(pk=session.pk)
        )
        if locked.finished_at is not None:
            return locked
        path = staging_path(locked)
        whole = locked.received == locked.size and path.exists()
        if whole and (not locked.sha256 or _digest(path) == locked.sha256):
            return _attach(actor, locked, path)
        # Committed, then told, so the browser sends the file again from the start.
        _restart(locked)
    raise OffsetMismatchError(0)


def _attach(actor: User, locked: UploadSession, path: Path) -> UploadSession:
    error = ""
    with path.open("rb") as handle:
        upload = UploadedFile(file=handle, name=locked.file_name, size=locked.size)
        try:
            if locked.purpose == UploadPurpose.PAPER:
                draft_paper_upload(
                    actor=actor,
                    dossier=locked.dossier,
                    component_id=locked.component_id or "",
                    upload=upload,
                )
            else:
                dossier_supplement_upload(
                    actor=actor, dossier=locked.dossier, upload=upload, name=locked.paper_name
                )
        except (DossierInputError, UploadRejectedError, TransitionError) as exc:
            error = str(getattr(exc, "message", exc))
        except forms.ValidationError as exc:
            error = " ".join(exc.messages)
    return _finish(locked, error)
