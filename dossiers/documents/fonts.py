"""The font files the forms are printed with, shipped in ``static/fonts/``.

They are found through the static files finders, like any other static file,
and handed to WeasyPrint as ``file://`` URLs: a PDF must not change with the
fonts a machine happens to have installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured

FONT_FILES: dict[str, str] = {
    "regular": "fonts/DejaVuSerif.ttf",
    "bold": "fonts/DejaVuSerif-Bold.ttf",
    "italic": "fonts/DejaVuSerif-Italic.ttf",
}


@cache
def font_paths() -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for face, name in FONT_FILES.items():
        found = finders.find(name)
        if not found or isinstance(found, list):
            raise ImproperlyConfigured(f"The form font static/{name} is missing.")
        paths[face] = Path(found).resolve()
    return paths


def font_urls() -> dict[str, str]:
    return {face: path.as_uri() for face, path in font_paths().items()}


def font_dirs() -> frozenset[Path]:
    return frozenset(path.parent for path in font_paths().values())
