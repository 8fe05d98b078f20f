"""Files sent in pieces by the page's script: begin, ask where the server stands, send a piece.

Every answer about the upload itself is JSON (where the server stands); the
answer once the file is whole, or refused, is the same one a file sent in one
request gets, so the script handles both alike.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.uploads import UploadRejectedError
from dossiers.services import DossierInputError
from portal.access import dossier_for_citizen
from portal.models import UploadPurpose, UploadSession
from portal.uploads import (
    CHUNK_BYTES,
    PIECE_MAX_BYTES,
    OffsetMismatchError,
    upload_append,
    upload_attach,
    upload_begin,
    upload_refuse,
)
from portal.views.common import citizen, citizen_required
from portal.views.filing import draft_for, paper_fragment
from portal.views.mine import supplement_answer


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _where(session: UploadSession, status: int = 200) -> JsonResponse:
    return JsonResponse(
        {
            "upload": reverse("portal:upload", args=[session.pk]),
            "offset": session.received,
            "size": session.size,
            "chunk": CHUNK_BYTES,
        },
        status=status,
    )


def _answer(request: HttpRequest, session: UploadSession) -> HttpResponse:
    """The answer a file sent whole would have had."""
    if session.purpose == UploadPurpose.PAPER:
        return paper_fragment(request, session.dossier_id, str(session.component_id), session.error)
    return supplement_answer(session.error)


def _begin(request: HttpRequest, dossier_id: uuid.UUID, purpose: str) -> HttpResponse:
    if purpose == UploadPurpose.PAPER:
        dossier = draft_for(request, dossier_id)
    else:
        dossier = dossier_for_citizen(citizen(request), dossier_id)
    component_id = request.POST.get("component", "")
    try:
        session = upload_begin(
            actor=citizen(request),
            dossier=dossier,
            purpose=purpose,
            file_name=request.POST.get("file_name", ""),
            size=_int(request.POST.get("size")),
            sha256=request.POST.get("sha256", ""),
            component_id=component_id or None,
            paper_name=request.POST.get("name", ""),
        )
    except (DossierInputError, UploadRejectedError) as exc:
        error = str(getattr(exc, "message", exc))
        if purpose == UploadPurpose.PAPER:
            return paper_fragment(request, dossier_id, component_id, error)
        return supplement_answer(error)
    return _where(session)


@citizen_required
@require_POST
def file_paper_upload(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Begin sending a scan for one item of a draft, or find the upload begun earlier."""
    return _begin(request, dossier_id, UploadPurpose.PAPER)


@citizen_required
@require_POST
def supplement_upload(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Begin sending a paper the agency asked for."""
    return _begin(request, dossier_id, UploadPurpose.SUPPLEMENT)


def _piece(request: HttpRequest, room: int) -> bytes | None:
    """The request's bytes, or None when it holds more than ``room`` (the rest is never read)."""
    if _int(request.META.get("CONTENT_LENGTH") or "0") > room:
        return None
    data = request.read(room + 1)
    return None if len(data) > room else data


@citizen_required
@require_http_methods(["GET", "POST"])
def upload_piece(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    """GET: where the server stands. POST ``?offset=``: one piece from there on.

    A piece that does not start where the server stands is refused with 409
    and the server's offset, for the script to go on from there.
    """
    session = UploadSession.objects.filter(pk=upload_id, user=citizen(request)).first()
    if session is None:
        raise Http404
    if request.method == "GET" or session.finished_at is not None:
        return _answer(request, session) if session.finished_at else _where(session)
    offset = _int(request.GET.get("offset"))
    try:
        if offset != session.received:
            # Told before the piece is read; checked again under the lock.
            raise OffsetMismatchError(session.received)
        if session.received < session.size:
            room = min(PIECE_MAX_BYTES, session.size - session.received)
            session = upload_append(session=session, offset=offset, data=_piece(request, room))
            if session.received < session.size:
                return _where(session)
        session = upload_attach(actor=citizen(request), session=session)
    except OffsetMismatchError as exc:
        return JsonResponse({"offset": exc.offset, "size": session.size}, status=409)
    except UploadRejectedError as exc:
        session = upload_refuse(session=session, error=str(exc))
    return _answer(request, session)
