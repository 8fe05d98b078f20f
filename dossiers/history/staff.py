"""The staff who act: desk officers at every center, a specialist and an approver per agency."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Assignment, Role, User
from core.demo import DEMO_PASSWORD
from dossiers.history.people import _place_name, _slug, name_new
from units.models import Unit, UnitKind

USER_PREFIX: dict[str, str] = {
    UnitKind.WARD_COMMITTEE: "ubnd",
    UnitKind.POLICE: "congan",
    UnitKind.JUSTICE: "tuphap",
    UnitKind.FINANCE: "taichinh",
    UnitKind.CONSTRUCTION: "xaydung",
    UnitKind.AGRI_ENV: "nnmt",
    UnitKind.HEALTH: "yte",
    UnitKind.EDUCATION: "gddt",
    UnitKind.HOME_AFFAIRS: "noivu",
    UnitKind.SOCIAL_INSURANCE: "bhxh",
    UnitKind.TAX: "thue",
    UnitKind.CENTER: "ttpvhcc",
}


# -- staff -----------------------------------------------------------------------------------


@dataclass
class Staff:
    desks: dict[Any, list[User]] = field(default_factory=dict)
    specialists: dict[Any, list[User]] = field(default_factory=dict)
    approvers: dict[Any, list[User]] = field(default_factory=dict)
    created: int = 0


def _agency_units(province: Unit) -> list[Unit]:
    return list(
        Unit.objects.active()
        .filter(province=province)
        .exclude(kind__in=[UnitKind.PROVINCE, UnitKind.CENTER])
        .select_related("parent")
        .order_by("code")
    )


def _user_slug(unit: Unit) -> str:
    committee = unit.ward_committee()
    place = "tinh" if committee is None else _slug(_place_name(committee).split(" ", 1)[-1])
    if unit.kind == UnitKind.CENTER:
        return place
    return f"{USER_PREFIX.get(unit.kind, unit.kind)}.{place}"


def staff_ensure(*, province: Unit, seed: int = 1) -> Staff:
    """Desk officers for every center, a specialist and an approver for every agency.

    Units that already have someone in the role keep their people; new logins
    get the demo password. Safe to run again.
    """
    centers = list(Unit.objects.active().centers().filter(province=province).select_related())
    agencies = _agency_units(province)
    held: set[tuple[Any, str]] = set(
        Assignment.objects.filter(unit__province=province).values_list("unit_id", "role")
    )
    wanted: list[tuple[Unit, Role, str]] = []
    for center in centers:
        if (center.pk, Role.DESK_OFFICER) not in held:
            wanted.append((center, Role.DESK_OFFICER, f"desk.{_user_slug(center)}"))
    for agency in agencies:
        for role, prefix in [(Role.SPECIALIST, "specialist"), (Role.APPROVER, "approver")]:
            if (agency.pk, role) not in held:
                wanted.append((agency, role, f"{prefix}.{_user_slug(agency)}"))
    created = 0
    if wanted:
        password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 costs ~0.3 s a call
        rng = random.Random(f"{seed}:staff")
        with transaction.atomic():
            for unit, role, username in wanted:
                user = User.objects.filter(username=username).first()
                if user is None:
                    sex = rng.choice(("male", "female"))
                    user = User.objects.create(
                        username=username, full_name=name_new(rng, sex), password=password
                    )
                    created += 1
                Assignment.objects.get_or_create(user=user, unit=unit, role=role)
    staff = Staff(created=created)
    by_role: dict[str, dict[Any, list[User]]] = {
        Role.DESK_OFFICER: staff.desks,
        Role.SPECIALIST: staff.specialists,
        Role.APPROVER: staff.approvers,
    }
    users = {
        u.pk: u
        for u in User.objects.filter(
            assignments__unit__province=province, assignments__role__in=list(by_role)
        )
        .distinct()
        .prefetch_related("assignments")
        .order_by("username")
    }
    assignments = Assignment.objects.filter(unit__province=province, role__in=list(by_role))
    for unit_id, held_role, user_id in assignments.order_by("user__username").values_list(
        "unit_id", "role", "user_id"
    ):
        by_role[held_role].setdefault(unit_id, []).append(users[user_id])
    return staff
