from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.ratelimit import rate_limit_hit
from dossiers.access import dossier_for_lookup

LOOKUP_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 60


def lookup(request: HttpRequest) -> HttpResponse:
    """Where a dossier stands, for whoever holds its receipt; no personal data shown."""
    code = request.GET.get("code", "").strip()[:40]
    secret = request.GET.get("secret", "").strip()[:12]
    context: dict[str, object] = {"code": code, "secret": secret}
    status = 200
    if code or secret:
        client = request.META.get("REMOTE_ADDR", "")
        wait = rate_limit_hit(f"lookup:{client}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW_SECONDS)
        if wait is not None:
            context["error"] = _("Too many attempts. Try again in %(seconds)d seconds.") % {
                "seconds": wait
            }
            status = 429
        elif (dossier := dossier_for_lookup(code, secret)) is None:
            context["error"] = _(
                "No dossier matches this code and lookup secret. Check both on your receipt."
            )
            status = 404
        else:
            context["dossier"] = dossier
            context["events"] = dossier.events.order_by("at", "seq").only("action", "at")
    return render(request, "portal/lookup.html", context, status=status)
