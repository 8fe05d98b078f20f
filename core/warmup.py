"""Load at a server process's start what its first requests would otherwise wait for."""

from __future__ import annotations

import gc
import importlib

from django.urls import get_resolver

# Slow to import and needed by everyday pages: the receipt printed at the desk.
HEAVY = ("weasyprint",)


def warm_up() -> None:
    """Import every page's code (the URL patterns) and the heavy libraries they use, then
    set what they loaded aside from the garbage collector."""
    get_resolver().url_patterns  # noqa: B018  (imports every app's views)
    for name in HEAVY:
        importlib.import_module(name)
    # What is loaded now lives as long as the process. Left to the collector, every
    # full collection walks it all again while requests wait: under load those pauses
    # made the slowest answers (ping's 99th percentile under ASGI at 32 clients was
    # 132-143 ms without this, 48-74 ms with it, on a 2-CPU machine).
    gc.collect()
    gc.freeze()
