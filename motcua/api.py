"""The one JSON API of a node, mounted at /api/ (OpenAPI docs at /api/docs).

Every error answers ``{"detail": ...}``: a message, or for 422 a list of
``{field, msg, type, loc}`` whether ninja or a service refused the input; a
refused transition (409) also lists the actions that are allowed instead.
"""

import json
from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import render_template

from accounts.api_auth import router as token_router
from catalog.api import router as catalog_router
from dossiers.api import input_error_body, lookup_router
from dossiers.api import router as dossier_router
from dossiers.services import DossierInputError
from dossiers.workflow import TransitionError


class SignedInSwagger(Swagger):
    """The docs page, whose "Try it out" works for a signed-in staff member.

    Ninja adds the session's CSRF token to the page's requests only when the
    API as a whole requires a CSRF-checked auth; here each operation names
    its own, and the session one is CSRF-checked.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render_template(request, self.template, self.template_cdn, context)


api = NinjaAPI(
    title="MotCua API",
    version="1",
    description=(
        "Procedure catalog, dossier intake and processing for public administration "
        "service centers. Staff authenticate with `Authorization: Bearer <token>` (made "
        "on the page /accounts/tokens/ when signed in) or their browser session; a "
        "request made with the session sends its CSRF token in `X-CSRFToken`, as this "
        "page does."
    ),
    docs_url="/docs",
    docs=SignedInSwagger(),
    urls_namespace="api",
)


def _location(loc: Sequence[str | int]) -> list[str | int]:
    # ninja puts where the value came from first and, for a body, the name of
    # the view's parameter next: ("body", "body", "applicant", "full_name").
    # Clients know nothing of that parameter, and service errors lack it.
    if len(loc) > 2 and loc[0] == "body":
        return [loc[0], *loc[2:]]
    return list(loc)


# Pydantic words its messages in English. The common ones are said here in the
# client's language; the others stay as pydantic wrote them.
_DATE = gettext_lazy("Give a date as YYYY-MM-DD.")
_MOMENT = gettext_lazy("Give a moment as YYYY-MM-DDTHH:MM, with its time zone.")
_ID = gettext_lazy("Give an id (a UUID).")
_WHOLE = gettext_lazy("Give a whole number.")
SAID_BY_TYPE: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "uuid_parsing": _ID,
    "uuid_type": _ID,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "int_type": _WHOLE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_type": _DATE,
    "datetime_parsing": _MOMENT,
    "datetime_from_date_parsing": _MOMENT,
    "datetime_type": _MOMENT,
    "string_type": gettext_lazy("Give a text."),
    "bool_parsing": gettext_lazy("Give true or false."),
    "greater_than_equal": gettext_lazy("Give at least %(ge)s."),
    "less_than_equal": gettext_lazy("Give at most %(le)s."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
}


def _said(error: dict[str, Any]) -> str:
    said = SAID_BY_TYPE.get(error.get("type", ""))
    if said is None:
        return str(error.get("msg", ""))
    try:
        return str(said) % error.get("ctx", {})
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = _location(error.get("loc", ()))
        errors.append(
            {
                "field": ".".join(str(part) for part in loc[1:]) or str(loc[0]),
                "msg": _said(error),
                "type": error.get("type", "invalid"),
                "loc": loc,
            }
        )
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(DossierInputError)
def _refused_input(request: HttpRequest, exc: DossierInputError) -> HttpResponse:
    return api.create_response(request, input_error_body(exc), status=422)


@api.exception_handler(TransitionError)
def _refused_transition(request: HttpRequest, exc: TransitionError) -> HttpResponse:
    body = {"detail": str(exc.message), "allowed_actions": list(exc.allowed)}
    return api.create_response(request, body, status=409)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals, said in the client's language when they are the known ones."""
    detail = str(exc.message)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The body could not be read: send JSON, with Content-Type: application/json.")
    elif exc.status_code == 403 and detail == "CSRF check Failed":
        detail = _(
            "The session's security check (CSRF) failed: send the csrftoken cookie's value "
            "in the X-CSRFToken header, or use an API token."
        )
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


# The same answer whatever was not found, and whatever DEBUG says: the body
# must not tell a dossier that exists apart from one that does not.
@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = _("Send a valid API token or sign in as staff.")
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


class PingOut(Schema):
    ok: bool


@api.get("/ping", response=PingOut, tags=["health"])
def ping(request: HttpRequest) -> dict[str, Any]:
    """The smallest JSON answer the server gives; the baseline of the benchmarks."""
    return {"ok": True}


api.add_router("/catalog", catalog_router)
api.add_router("/dossiers", dossier_router)
api.add_router("/lookup", lookup_router)
api.add_router("/tokens", token_router)
