"""The synchronisation pages: a ward node's link to the hub, and the hub's nodes and conflicts."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.http import HtmxHttpRequest
from sync.hub import conflict_settle
from sync.log import syncing
from sync.models import Conflict, ConflictState
from sync.status import (
    differences,
    is_hub,
    may_watch_hub,
    nodes_for,
    nodes_listed,
    round_request,
    stale_after,
    ward_status,
)

SETTLED_SHOWN = 50


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _hub_watcher(request: HttpRequest) -> User:
    """The hub's pages exist only on the hub, for center managers and administrators."""
    if not is_hub():
        raise Http404
    user = _user(request)
    if not may_watch_hub(user):
        raise PermissionDenied
    return user


@login_required
@require_http_methods(["GET", "POST"])
def status(request: HtmxHttpRequest) -> HttpResponse:
    if is_hub():
        raise Http404
    if not _user(request).is_staff_member:
        raise PermissionDenied
    if request.method == "POST":
        if not syncing():
            raise Http404
        round_request()
        if not request.htmx:
            messages.success(request, _("A round was requested; it starts within seconds."))
            return redirect("sync:status")
    context = {
        "status": ward_status() if syncing() else None,
        "stale_seconds": round(stale_after().total_seconds()),
    }
    template = "sync/status.html#state" if request.htmx else "sync/status.html"
    return render(request, template, context)


@login_required
def nodes(request: HttpRequest) -> HttpResponse:
    user = _hub_watcher(request)
    now = timezone.now()
    return render(request, "sync/nodes.html", {"rows": nodes_listed(nodes_for(user), now)})


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request: HttpRequest) -> HttpResponse:
    user = _hub_watcher(request)
    scoped = Conflict.objects.filter(node__in=nodes_for(user)).select_related(
        "node__unit", "settled_by"
    )
    if request.method == "POST":
        conflict = get_object_or_404(scoped, pk=_uuid(request.POST.get("conflict", "")))
        if conflict.state != ConflictState.OPEN:
            messages.info(request, _("This conflict was already settled."))
        else:
            take = request.POST.get("choice") == "take"
            conflict_settle(conflict, take_theirs=take, user=user)
            messages.success(
                request,
                _("The node's version was taken.") if take else _("The hub's version was kept."),
            )
        return redirect("sync:conflicts")
    open_ones = scoped.filter(state=ConflictState.OPEN).order_by("created_at")
    settled = scoped.exclude(state=ConflictState.OPEN).order_by("-settled_at")[:SETTLED_SHOWN]
    context = {
        "open": [(c, differences(c)) for c in open_ones],
        "settled": list(settled),
    }
    return render(request, "sync/conflicts.html", context)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
