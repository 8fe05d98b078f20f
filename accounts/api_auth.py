"""Who may call the staff API, and the error bodies every API router declares.

Staff call it with a bearer token (``Authorization: Bearer mc_…``) or with
their browser session. Either way the caller must be an active user who
holds at least one role; what they then see is scoped by those roles.
"""

import datetime as dt
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, Assignment, User
from core.models import related_known

KEY_PREFIX = "mc_"
# last_used_at is a hint for people cleaning up old tokens, not an audit log:
# writing it on every call would turn each read into a write.
TOUCH_EVERY = dt.timedelta(minutes=1)


# -- error bodies ------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    msg: str
    type: str
    loc: list[str | int]


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


# -- tokens ------------------------------------------------------------------------------------


def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which is shown once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or str(_("API token")),
        prefix=key[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


def _staff_or_none(user: User | None) -> User | None:
    """``user`` with their role assignments loaded, if they are active staff."""
    if user is None or not user.is_active:
        return None
    return user if _with_assignments(user).assignments.all() else None


# Every staff API call runs these two lookups, so they are written out in SQL:
# the ORM takes several times longer to build each query than the database
# takes to answer it.
TOKEN_USER_SQL = (
    "SELECT u.*, t.id AS token_id, t.last_used_at AS token_used_at "
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND NOT t.revoked AND u.is_active"
)
ASSIGNMENTS_SQL = f"SELECT * FROM {Assignment._meta.db_table} WHERE user_id = %s"


def _token_holder(token: str) -> tuple[User, Any, dt.datetime | None] | None:
    """The active user holding this unrevoked token, with the token's id and last use."""
    found = list(User.objects.raw(TOKEN_USER_SQL, [ApiToken.hash_key(token)]))
    if not found:
        return None
    user = found[0]
    token_id, used = getattr(user, "token_id"), getattr(user, "token_used_at")  # noqa: B009
    return user, _token_value("id", token_id), _token_value("last_used_at", used)


def _token_value(name: str, value: Any) -> Any:
    """A token column read beside the user, converted as the ORM would have."""
    column = ApiToken._meta.get_field(name).get_col(ApiToken._meta.db_table)  # type: ignore[union-attr]
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    for converter in converters:
        value = converter(value, column, connection)
    return value


def _with_assignments(user: User) -> User:
    """``user`` with ``user.assignments.all()`` answered from one query read now."""
    user_id = User._meta.pk.get_db_prep_value(user.pk, connection)  # type: ignore[union-attr]
    related_known(user, "assignments", list(Assignment.objects.raw(ASSIGNMENTS_SQL, [user_id])))
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(KEY_PREFIX):
            return None
        holder = _token_holder(token)
        if holder is None:
            return None
        user, token_id, last_used_at = holder
        if _staff_or_none(user) is None:
            return None
        now = timezone.now()
        if last_used_at is None or now - last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        return user


class StaffSessionAuth(SessionAuth):
    """Django's session, CSRF-checked; skipped when there is no session cookie.

    Ninja's own session auth runs the CSRF check before it looks at the
    cookie, so a token client that got its token wrong would be told
    "CSRF check failed" instead of 401.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None or not request.user.is_authenticated:
            return None
        # request.user is a lazy proxy; prefetching needs the model instance.
        return _staff_or_none(User.objects.filter(pk=request.user.pk).first())


token_auth = TokenAuth()
session_auth = StaffSessionAuth()
STAFF_AUTH = [token_auth, session_auth]


def staff_of(request: HttpRequest) -> User:
    """The authenticated staff member of a request that passed ``STAFF_AUTH``."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("staff_of() needs a request authenticated with STAFF_AUTH")
    return user


# -- token management --------------------------------------------------------------------------

router = Router(tags=["tokens"])


class TokenIn(Schema):
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


class NewTokenOut(TokenOut):
    key: str


@router.get("", response={200: list[TokenOut], 401: ErrorOut}, auth=STAFF_AUTH)
def token_list(request: HttpRequest) -> QuerySet[ApiToken]:
    """Your own API tokens (never their keys)."""
    return ApiToken.objects.filter(user=staff_of(request))


# Only a signed-in person mints tokens: a leaked token must not breed more.
@router.post(
    "", response={201: NewTokenOut, 401: ErrorOut, 422: ValidationErrorOut}, auth=session_auth
)
def token_create(request: HttpRequest, body: TokenIn) -> Status[NewTokenOut]:
    """A new token for yourself; its key is in this answer and nowhere else."""
    token, key = api_token_issue(user=staff_of(request), name=body.name)
    return Status(201, NewTokenOut(**TokenOut.model_validate(token).model_dump(), key=key))


@router.post(
    "/{token_id}/revoke",
    response={200: TokenOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=STAFF_AUTH,
)
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> ApiToken:
    """Revoke one of your tokens; it stops working at once."""
    token = ApiToken.objects.filter(user=staff_of(request), pk=token_id).first()
    if token is None:
        raise Http404
    return api_token_revoke(token=token)
