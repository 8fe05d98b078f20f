"""Who may use the front desk, and which dossiers a desk may open.

The desk works on dossiers received at its own center: a desk officer (or
the center's manager) of one ward never opens a dossier filed at another
center, even when the dossier is known to them some other way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponseBase

from accounts.models import Role, User
from dossiers.access import dossier_for_staff
from dossiers.audit import access_record
from dossiers.models import AccessRecord, Dossier
from units.models import Unit

DESK_ROLES = frozenset({Role.DESK_OFFICER, Role.MANAGER})
# Guides hand out checklists too; they do not touch dossiers.
GUIDE_SHEET_ROLES = frozenset({Role.GUIDE, *DESK_ROLES})

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def desk_unit_ids(user: User) -> list[Any]:
    """The centers where ``user`` works the desk, in a stable order."""
    return sorted({a.unit_id for a in user.assignments.all() if a.role in DESK_ROLES}, key=str)


def desk_units(user: User) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=desk_unit_ids(user)).order_by("code"))


def _roles_required(roles: frozenset[str]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            assert isinstance(user, User)
            # Read the roles once: the header, the scoping and the view all ask.
            prefetch_related_objects([user], "assignments")
            if not any(a.role in roles for a in user.assignments.all()):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


desk_required = _roles_required(DESK_ROLES)
guide_sheet_required = _roles_required(GUIDE_SHEET_ROLES)


def dossier_for_desk(
    user: User, code: str, *, read: AccessRecord.Kind | None = None, detail: str = ""
) -> Dossier:
    """The dossier ``code`` if it was received at one of the user's desks; 404 otherwise.

    ``read`` records the read, as :func:`dossiers.access.dossier_for_staff` does.
    """
    dossier = dossier_for_staff(user, code)
    if dossier.receiving_unit_id not in desk_unit_ids(user):
        raise Http404
    if read is not None:
        access_record(user=user, kind=read, dossier=dossier, detail=detail)
    return dossier
