"""Which units a staff member may report on: the one place the scoping rule lives.

Reports count dossiers by the unit that received them. A center manager sees
the dossiers their center received, whichever agency decides them; a
provincial administrator sees every unit of the province. Nobody else reads
reports.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Role, User
from units.models import Level, Unit, UnitKind


@dataclass(frozen=True)
class Scope:
    """The receiving units a user's reports may cover."""

    units: tuple[Unit, ...]
    province: Unit | None = None  # set when the user covers a whole province

    @property
    def ids(self) -> frozenset[uuid.UUID]:
        return frozenset(u.pk for u in self.units)

    @property
    def centers(self) -> list[Unit]:
        return [u for u in self.units if u.kind == UnitKind.CENTER]

    def pick(self, choice: str) -> list[Unit]:
        """The units of a scope choice: ``all``, ``wards``, ``province`` or one unit's id."""
        if choice in ("", "all"):
            return list(self.units)
        if choice == "wards":
            return [u for u in self.centers if u.level == Level.WARD]
        if choice == "province":
            return [u for u in self.centers if u.level == Level.PROVINCE]
        return [u for u in self.units if str(u.pk) == choice]

    def choices(self) -> list[tuple[str, str]]:
        from django.utils.translation import gettext as _

        options: list[tuple[str, str]] = []
        if self.province is not None:
            options += [
                ("all", _("Whole province: every center")),
                ("province", _("Provincial center")),
                ("wards", _("All ward and commune centers")),
            ]
        elif len(self.units) > 1:
            options.append(("all", _("All my centers")))
        options += [(str(u.pk), u.name) for u in self.centers]
        return options


def scope_for(user: User) -> Scope:
    """The units ``user`` may report on; empty when they hold no reporting role."""
    if not user.is_authenticated:
        return Scope(())
    assignments = list(user.assignments.select_related("unit", "unit__province"))
    for a in assignments:
        if a.role == Role.ADMIN:
            province = a.unit if a.unit.kind == UnitKind.PROVINCE else a.unit.province
            if province is None:
                continue
            units = Unit.objects.filter(province=province).order_by("level", "code")
            return Scope(tuple(units), province)
    managed = {a.unit.pk: a.unit for a in assignments if a.role == Role.MANAGER}
    return Scope(tuple(sorted(managed.values(), key=lambda u: u.code)))


def scope_required(request: HttpRequest) -> Scope:
    """The scope of the signed-in user, or 403 for anyone without a reporting role."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    scope = scope_for(user)
    if not scope.units:
        raise PermissionDenied
    return scope


def province_required(request: HttpRequest) -> Scope:
    """Only a provincial administrator reads the province's dashboard."""
    scope = scope_required(request)
    if scope.province is None:
        raise PermissionDenied
    return scope
