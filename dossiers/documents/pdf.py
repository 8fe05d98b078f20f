"""HTML of a form to PDF bytes with WeasyPrint."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from dossiers.documents.fonts import font_dirs
from dossiers.documents.forms import render_form_html
from dossiers.models import Dossier


class LocalOnlyFetcher(URLFetcher):
    """Fetches our font files and data: URIs, nothing else.

    A form never needs the network, and refusing everything else keeps a
    stray URL in a name or note from making an offline node wait on a
    timeout or read arbitrary files.
    """

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(url2pathname(parts.path)).resolve()
            if path.parent in font_dirs():
                return super().fetch(url, headers)
        raise ValueError(f"Forms load no resource from {url!r}.")


# Building a FontConfiguration loads the machine's whole fontconfig setup,
# and registering our faces copies the font files; done once per thread, a
# form renders in a fraction of the time. WeasyPrint's font objects are not
# meant to be shared between threads, hence one per thread.
_local = threading.local()


def _font_config() -> Any:
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    document = HTML(string=html, url_fetcher=LocalOnlyFetcher())
    return bytes(document.write_pdf(font_config=_font_config()))


def render_form_pdf(dossier: Dossier, number: str) -> bytes:
    """The form as a PDF (A4 portrait, fonts embedded)."""
    return html_to_pdf(render_form_html(dossier, number))
