"""Playing a ward node or the hub in one test database: the settings that say which."""

from __future__ import annotations

from typing import Any

from sync import ownership


def as_hub(settings: Any) -> None:
    settings.NODE_ROLE = "hub"
    settings.NODE_ID = "hub"
    settings.SYNC_HUB_URL = ""
    ownership.forget()


def as_ward(settings: Any, center: Any) -> None:
    """Ward node ``ward-a`` of ``center``, synchronising with a hub."""
    settings.NODE_ROLE = "ward"
    settings.NODE_ID = "ward-a"
    settings.NODE_UNIT = center.code
    settings.SYNC_HUB_URL = "http://hub.invalid"
    ownership.forget()
