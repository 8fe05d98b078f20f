"""Load at a server process's start what its first requests would otherwise wait for."""

from __future__ import annotations

import importlib

from django.urls import get_resolver

# Slow to import and needed by everyday pages: the receipt printed at the desk.
HEAVY = ("weasyprint",)


def warm_up() -> None:
    """Import every page's code (the URL patterns) and the heavy libraries they use."""
    get_resolver().url_patterns  # noqa: B018  (imports every app's views)
    for name in HEAVY:
        importlib.import_module(name)
