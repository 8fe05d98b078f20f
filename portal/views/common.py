"""What the portal's views share: who the citizen is, and how errors reach the form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from accounts.models import User
from portal.models import Profile

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def client_of(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def citizen(request: HttpRequest) -> User:
    """The signed-in citizen (views behind :func:`citizen_required` only)."""
    user = request.user
    assert isinstance(user, User)
    return user


def profile_of(request: HttpRequest) -> Profile:
    """The signed-in citizen's profile (set by :func:`citizen_required`)."""
    profile: Profile = request.portal_profile  # type: ignore[attr-defined]
    return profile


def citizen_required(view: V) -> V:
    """Signed-in citizens only: others go to the code sign-in; staff accounts are told why not."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:signin"))
        profile = Profile.objects.filter(user=request.user).select_related("ward").first()
        if profile is None:
            return render(request, "portal/not_citizen.html", status=403)
        request.portal_profile = profile  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def form_error(form: forms.BaseForm, field: str, message: str) -> None:
    """Put a service's error next to its field, or at the top when the form has no such field."""
    form.add_error(field if field in form.fields else None, message)


def file_response(field_file: Any, filename: str) -> FileResponse:
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
