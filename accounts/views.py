"""Staff sign-in: each goes to the page their role works from."""

from __future__ import annotations

from django.contrib.auth.views import LoginView

from accounts.models import User
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
