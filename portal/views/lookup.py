"""The public lookup by receipt: code and secret, no account, no personal data."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.ratelimit import rate_limit_hit
from dossiers.access import dossier_for_lookup
from dossiers.models import Dossier, Status
from dossiers.services import DossierInputError
from portal.forms import RatingForm
from portal.models import Rating
from portal.plain import history, next_step
from portal.services import rating_give
from portal.views.common import client_of

LOOKUP_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 60


def _found(request: HttpRequest, code: str, secret: str) -> tuple[Dossier | None, str, int]:
    """The dossier for a receipt, or the message and status to answer with."""
    wait = rate_limit_hit(
        f"lookup:{client_of(request)}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW_SECONDS
    )
    if wait is not None:
        return (
            None,
            _("Too many attempts. Try again in %(seconds)d seconds.") % {"seconds": wait},
            429,
        )
    dossier = dossier_for_lookup(code, secret)
    if dossier is None:
        message = _("No dossier matches this code and lookup secret. Check both on your receipt.")
        return None, message, 404
    return dossier, "", 200


def lookup(request: HttpRequest) -> HttpResponse:
    """Where a dossier stands, for whoever holds its receipt; no personal data shown."""
    code = request.GET.get("code", "").strip()[:40]
    secret = request.GET.get("secret", "").strip()[:12]
    context: dict[str, object] = {"code": code, "secret": secret}
    status = 200
    if code or secret:
        dossier, error, status = _found(request, code, secret)
        if dossier is None:
            context["error"] = error
        else:
            context["dossier"] = dossier
            context["events"] = history(dossier, private=False)
            context["next_step"] = next_step(dossier)
            rated = Rating.objects.filter(dossier=dossier).exists()
            if dossier.status == Status.RETURNED and not rated:
                context["rating_form"] = RatingForm()
            context["rated"] = rated
    return render(request, "portal/lookup.html", context, status=status)


@require_POST
def lookup_rate(request: HttpRequest) -> HttpResponse:
    """Rate the service with the receipt in hand, for people who filed at the desk."""
    code = request.POST.get("code", "").strip()[:40]
    secret = request.POST.get("secret", "").strip()[:12]
    dossier, error, _status = _found(request, code, secret)
    form = RatingForm(request.POST)
    if dossier is not None and form.is_valid():
        try:
            rating_give(
                dossier=dossier,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                by=request.user if request.user.is_authenticated else None,
            )
            messages.success(request, _("Thank you for rating the service."))
        except DossierInputError as exc:
            messages.error(request, exc.message)
    elif dossier is None:
        messages.error(request, error)
    else:
        messages.error(request, _("Choose how satisfied you are."))
    return redirect(reverse("portal:lookup") + "?" + urlencode({"code": code, "secret": secret}))
