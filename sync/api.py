"""The hub's endpoints for ward nodes; every request is signed by the node (sync.signing)."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sync import signing
from sync.blobs import SHA256, BlobError, blob_append, blob_held, blob_missing, media_path
from sync.hub import BatchRefusedError, batch_apply, bookings_batch, pull_batch
from sync.models import Node, Nonce
from sync.reference import reference_current
from sync.wire import blob_name, decode

NodeView = Callable[..., HttpResponse | FileResponse]


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def node_endpoint(view: NodeView) -> Callable[..., HttpResponse | FileResponse]:
    """Only on the hub, only for a registered node with a fresh, unused, matching signature."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse | FileResponse:
        if settings.NODE_ROLE != "hub":
            return _error(404, _("This server is not the provincial hub."))
        headers = request.headers
        node_id = headers.get(signing.HEADER_NODE, "")
        at = headers.get(signing.HEADER_TIME, "")
        nonce = headers.get(signing.HEADER_NONCE, "")
        given = headers.get(signing.HEADER_SIGNATURE, "")
        node = Node.objects.select_related("unit").filter(node_id=node_id, is_active=True).first()
        if node is None or not nonce or len(nonce) > 64:
            return _error(401, _("Unknown node."))
        try:
            body = request.body
        except UnreadablePostError:
            return _error(400, _("The request was cut before its end."))
        if not signing.matches(
            node.secret,
            request.method or "",
            request.get_full_path(),
            node_id,
            at,
            nonce,
            body,
            given,
        ):
            return _error(401, _("The request's signature does not match this node's secret."))
        if not signing.fresh(at):
            return _error(401, _("The request is too old or dated in the future; check the clock."))
        now = timezone.now()
        try:
            with transaction.atomic():
                Nonce.objects.create(node=node, value=nonce)
                horizon = now - dt.timedelta(seconds=4 * signing.MAX_SKEW_SECONDS)
                Nonce.objects.filter(node=node, at__lt=horizon).delete()
                Node.objects.filter(pk=node.pk).update(last_contact_at=now)
        except IntegrityError:
            return _error(409, _("This request was already received; a replay is refused."))
        return view(request, node, *args, **kwargs)

    return wrapped


def _json_body(request: HttpRequest) -> Any:
    try:
        body = request.body
    except UnreadablePostError:
        raise ValueError("the request was cut") from None
    if request.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return decode(body or b"{}")


@require_http_methods(["POST"])
@node_endpoint
def push(request: HttpRequest, node: Node) -> HttpResponse:
    try:
        batch = _json_body(request)
    except (ValueError, OSError, EOFError):
        return _error(400, _("The batch is not valid JSON."))
    if batch.get("node") != node.node_id:
        return _error(403, _("A node may send only its own log."))
    try:
        applied = batch_apply(node, batch)
    except BatchRefusedError as refused:
        Node.objects.filter(pk=node.pk).update(
            last_error=refused.message,
            last_error_params=refused.params,
            last_error_at=timezone.now(),
        )
        return _error(refused.status, str(refused), **refused.extra)
    return JsonResponse(
        {"acked": applied.acked, "applied": applied.applied, "skipped": applied.skipped}
    )


PAGE_MOST = 2000  # entries a pull answers at the most, whatever the node asks


def _paged(
    request: HttpRequest, node: Node, page: Callable[[Node, int, int], dict[str, Any]]
) -> HttpResponse:
    """``page(node, after, limit)`` from the query string's ``after`` and ``limit``."""
    try:
        after = int(request.GET.get("after", "0"))
        limit = max(1, min(int(request.GET.get("limit", "500")), PAGE_MOST))
    except ValueError:
        return _error(400, _("after and limit are numbers."))
    return JsonResponse(page(node, after, limit))


@require_http_methods(["GET"])
@node_endpoint
def pull(request: HttpRequest, node: Node) -> HttpResponse:
    """The hub's events on dossiers the node's center received, after its mark."""
    return _paged(request, node, pull_batch)


@require_http_methods(["GET"])
@node_endpoint
def bookings(request: HttpRequest, node: Node) -> HttpResponse:
    """The node's center's bookings changed after its mark (the portal books at the hub)."""
    return _paged(request, node, bookings_batch)


@require_http_methods(["GET"])
@node_endpoint
def reference(request: HttpRequest, node: Node) -> HttpResponse:
    digest, body = reference_current(node.unit)
    if request.headers.get("If-None-Match") == digest:
        return HttpResponse(status=304, headers={"ETag": digest})
    return HttpResponse(
        gzip.compress(body),
        content_type="application/json",
        headers={"ETag": digest, "Content-Encoding": "gzip", "X-Motcua-Center": node.unit.code},
    )


@require_http_methods(["POST"])
@node_endpoint
def blobs_missing(request: HttpRequest, node: Node) -> HttpResponse:
    try:
        hashes = [h for h in _json_body(request).get("sha256", []) if SHA256.match(h)]
    except (ValueError, OSError, EOFError, AttributeError):
        return _error(400, _("Send a list of sha256 digests."))
    missing = blob_missing(hashes)
    return JsonResponse({"missing": missing, "held": {h: blob_held(h) for h in missing}})


@require_http_methods(["GET", "PUT"])
@node_endpoint
def blob(request: HttpRequest, node: Node, sha: str) -> HttpResponse | FileResponse:
    if not SHA256.match(sha):
        return _error(400, _("Not a sha256 digest."))
    if request.method == "GET":
        path = media_path(blob_name(sha))
        if not path.exists():
            return _error(404, _("The hub does not have this file."))
        return FileResponse(path.open("rb"), content_type="application/octet-stream")
    try:
        offset = int(request.GET["offset"])
        total = int(request.GET["total"])
    except (KeyError, ValueError):
        return _error(400, _("offset and total are numbers."))
    try:
        held, done = blob_append(sha, offset, request.body, total)
    except BlobError as error:
        return _error(400, str(error))
    status = 200 if done or held == offset + len(request.body) else 409
    return JsonResponse({"held": held, "done": done}, status=status)
