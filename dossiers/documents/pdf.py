"""HTML of a form to PDF bytes with WeasyPrint.

WeasyPrint takes seconds to load, so it is imported when a process first
makes a PDF: a sync round or a command that makes none never waits for it.
The web server's processes load it as they start (``core.warmup``), so no
one at the desk waits for the first receipt.
"""

from __future__ import annotations

import threading
from typing import Any

from dossiers.documents.forms import render_form_html
from dossiers.models import Dossier

# Building a FontConfiguration loads the machine's whole fontconfig setup,
# and registering our faces copies the font files; done once per thread, a
# form renders in a fraction of the time. WeasyPrint's font objects are not
# meant to be shared between threads, hence one per thread.
_local = threading.local()


def _font_config() -> Any:
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    from dossiers.documents.fetcher import LocalOnlyFetcher

    document = HTML(string=html, url_fetcher=LocalOnlyFetcher())
    return bytes(document.write_pdf(font_config=_font_config()))


def render_form_pdf(dossier: Dossier, number: str) -> bytes:
    """The form as a PDF (A4 portrait, fonts embedded)."""
    return html_to_pdf(render_form_html(dossier, number))
