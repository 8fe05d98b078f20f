"""What every page needs to draw its header: the staff links a user's roles open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str | Promise
    roles: frozenset[str]


STAFF_LINKS = [
    NavLink("desk:index", _("Front desk"), frozenset({Role.DESK_OFFICER, Role.MANAGER})),
    NavLink("queueing:counter", _("Counter"), frozenset({Role.DESK_OFFICER, Role.MANAGER})),
    NavLink(
        "work:index", _("Work queue"), frozenset({Role.SPECIALIST, Role.APPROVER, Role.MANAGER})
    ),
    NavLink("work:center", _("Center"), frozenset({Role.MANAGER, Role.ADMIN})),
    NavLink("desk:guide_index", _("Guide sheets"), frozenset({Role.GUIDE})),
    NavLink("queueing:manage", _("Queue"), frozenset({Role.MANAGER, Role.GUIDE})),
    NavLink("reports:index", _("Reports"), frozenset({Role.MANAGER, Role.ADMIN})),
]


def staff_links(roles: set[str]) -> list[dict[str, Any]]:
    links = []
    for link in STAFF_LINKS:
        if roles & link.roles:
            links.append(
                {"url": reverse(link.url_name), "label": link.label, "name": link.url_name}
            )
    return links


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_links": []}
    roles = {a.role for a in user.assignments.all()}
    links = staff_links(roles)
    if roles & {Role.SPECIALIST, Role.APPROVER}:
        # One indexed count: the open dossiers assigned to this person.
        from work.queue import nav_label

        for link in links:
            if link["name"] == "work:index":
                link["label"] = nav_label(user, link["label"])
    return {"staff_links": links}
