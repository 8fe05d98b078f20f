"""The synchronisation status line drawn under the header of staff pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from accounts.models import User
from sync.log import syncing
from sync.status import HubStatus, WardStatus, hub_status, is_hub, may_watch_hub, ward_status


class SyncLine:
    """Read only when a template draws it: pages without the staff header query nothing.

    A ward node reads its state and counts its log (three queries); the hub
    counts its nodes and open conflicts and whether this user may open its
    pages (three queries).
    """

    def __init__(self, user: User) -> None:
        self.user = user
        self.on_hub = is_hub()

    @cached_property
    def ward(self) -> WardStatus | None:
        return None if self.on_hub else ward_status()

    @cached_property
    def hub(self) -> HubStatus | None:
        return hub_status() if self.on_hub else None

    @cached_property
    def may_watch(self) -> bool:
        return self.on_hub and may_watch_hub(self.user)


def sync_status(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A standalone node (no hub configured) has nothing to show.
    if not (is_hub() or syncing()):
        return {}
    return {"sync_line": SyncLine(user)}
