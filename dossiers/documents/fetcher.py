"""The only fetcher the forms' PDFs use: our font files and data: URIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher

from dossiers.documents.fonts import font_dirs


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
