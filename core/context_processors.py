"""What every page needs to draw its header: the staff links a user's roles open,
and the page a staff member works from."""

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


# The page each role starts its day on; the first that applies wins for a person
# holding several roles.
WORKSPACES: list[tuple[str, str]] = [
    (Role.DESK_OFFICER, "desk:index"),
    (Role.SPECIALIST, "work:index"),
    (Role.APPROVER, "work:index"),
    (Role.MANAGER, "work:center"),
    (Role.ADMIN, "reports:index"),
    (Role.GUIDE, "desk:guide_index"),
]


def workspace(roles: set[str]) -> dict[str, Any] | None:
    """Where a staff member works, with its label; None for a person without a staff role."""
    labels = {link.url_name: link.label for link in STAFF_LINKS}
    for role, url_name in WORKSPACES:
        if role in roles:
            return {"url": reverse(url_name), "label": labels[url_name], "name": url_name}
    return None


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
        return {"staff_links": [], "workspace": None}
    roles = {a.role for a in user.assignments.all()}
    links = staff_links(roles)
    if roles & {Role.SPECIALIST, Role.APPROVER}:
        # One indexed count: the open dossiers assigned to this person.
        from work.queue import nav_label

        for link in links:
            if link["name"] == "work:index":
                link["label"] = nav_label(user, link["label"])
    return {"staff_links": links, "workspace": workspace(roles)}
