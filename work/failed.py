"""A form that failed, carried across the redirect that follows it (Post/Redirect/Get).

An action of the processing page, or an apology's decision, that fails does
not answer its POST with the page: it keeps what was typed and the errors in
the session and redirects to the page that holds the form. The address bar
then shows that page, never the action's address, so a refresh only reads the
page again and re-sends nothing; the page takes the kept form back once and
shows it open, with the errors beside their fields and the typed text in them.

The form's own errors are found again by validating the kept data; only the
errors the services raised after validation are kept as they were said.
Uploaded files are not kept: a browser never keeps a chosen file either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict

SESSION_KEY = "work.failed"
KEEP = 8  # entries kept at most: one per form a person left failed and never reopened


@dataclass(frozen=True)
class Failed:
    """What a failed POST left for the page that shows its form."""

    action: str = ""
    data: dict[str, list[str]] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    refused: str = ""

    def bound(self, form_class: type[forms.Form], **kwargs: Any) -> Any:
        """The form bound again to what was typed, with every error it had."""
        data = QueryDict(mutable=True)
        for key, values in self.data.items():
            data.setlist(key, values)
        form = form_class(data, **kwargs)
        if form.is_valid():
            for name, message in self.errors:
                form.add_error(name if name in form.fields else None, message)
        return form


def failed_keep(
    request: HttpRequest,
    key: str,
    *,
    action: str = "",
    errors: list[tuple[str | None, str]] | None = None,
    refused: str = "",
) -> None:
    """Keep the POST's fields (not its files nor its token) and the services' errors."""
    data = {
        name: request.POST.getlist(name) for name in request.POST if name != "csrfmiddlewaretoken"
    }
    kept: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    kept.pop(key, None)
    kept[key] = {
        "action": action,
        "data": data,
        "errors": [[name, str(message)] for name, message in errors or []],
        "refused": str(refused),
    }
    while len(kept) > KEEP:
        kept.pop(next(iter(kept)))
    request.session[SESSION_KEY] = kept


def failed_take(request: HttpRequest, key: str) -> Failed | None:
    """The failed form kept under ``key``, removed from the session; None if there is none."""
    kept: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    entry = kept.pop(key, None)
    if entry is None:
        return None
    request.session[SESSION_KEY] = kept
    return Failed(
        action=str(entry.get("action", "")),
        data={str(k): [str(v) for v in vs] for k, vs in (entry.get("data") or {}).items()},
        errors=[(name, str(message)) for name, message in entry.get("errors") or []],
        refused=str(entry.get("refused", "")),
    )
