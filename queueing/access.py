"""Who may use which queue page: the one place these rules live."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from units.models import Unit, UnitKind

# Kiosks are devices a guide signs in once; desk officers and managers may use them too.
KIOSK_ROLES = frozenset({Role.GUIDE, Role.DESK_OFFICER, Role.MANAGER})
COUNTER_ROLES = frozenset({Role.DESK_OFFICER, Role.MANAGER})
MANAGE_ROLES = frozenset({Role.MANAGER, Role.GUIDE})
BOOKING_ROLES = frozenset({Role.GUIDE, Role.DESK_OFFICER, Role.MANAGER})
# Guides see the manager's view; only the center's manager changes its set-up there.
SETUP_ROLES = frozenset({Role.MANAGER})


def centers_for(user: Any, roles: frozenset[str]) -> list[Unit]:
    """The service centers where the user holds one of ``roles``."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = {a.unit_id for a in user.assignments.all() if a.role in roles}
    return list(Unit.objects.filter(pk__in=ids, kind=UnitKind.CENTER).order_by("code"))


def center_by_code(code: str) -> Unit:
    center = Unit.objects.filter(code=code, kind=UnitKind.CENTER, is_active=True).first()
    if center is None:
        raise Http404
    return center


def center_for_staff(user: Any, roles: frozenset[str], code: str | None = None) -> Unit:
    """The center named by ``code`` (or the user's first) if the user holds a role there."""
    centers = centers_for(user, roles)
    if code:
        centers = [c for c in centers if c.code == code]
    if not centers:
        raise PermissionDenied
    return centers[0]


def may_use(user: Any, center: Unit, roles: frozenset[str]) -> bool:
    return any(c.pk == center.pk for c in centers_for(user, roles))
