"""Staff sign-in, each to the page their role works from; a staff member's API tokens."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.api_auth import api_token_issue, api_token_revoke
from accounts.models import ApiToken, User
from core.context_processors import workspace


class SignIn(LoginView):
    """Django's sign-in, except where it goes when the form asked for no page.

    The home page is the citizens' own: its filing and "my dossiers" links
    are closed to staff accounts.
    """

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        roles = {a.role for a in user.assignments.all()} if isinstance(user, User) else set()
        found = workspace(roles)
        return str(found["url"]) if found else super().get_default_redirect_url()


signin = SignIn.as_view()


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The tokens a staff member's programs use for the JSON API: made and revoked here.

    A new key is shown on the answer to the form that made it, once: only its
    hash is kept.
    """
    user = request.user
    if not isinstance(user, User) or not user.assignments.exists():
        raise PermissionDenied
    key = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            try:
                token_id = uuid.UUID(request.POST.get("token", ""))
            except ValueError:
                token_id = None
            token = get_object_or_404(ApiToken, pk=token_id, user=user)
            api_token_revoke(token=token)
            messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
            return redirect("api_tokens")
        _token, key = api_token_issue(user=user, name=request.POST.get("name", "")[:100])
    context = {
        "tokens": ApiToken.objects.filter(user=user).order_by("revoked", "-created_at"),
        "key": key,
    }
    return render(request, "accounts/tokens.html", context)
