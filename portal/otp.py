"""Signing in with a one-time code sent by SMS or email.

Only a keyed hash of each code is stored, so a copy of the database does not
hold working codes. A code expires after a few minutes and after a few wrong
tries; asking for a new code replaces the old one. Sending is rate limited per
address and per client, so the portal cannot be used to flood someone's phone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.ratelimit import rate_limit_hit
from notify.outbox import enqueue
from portal.models import ContactChannel, OneTimeCode, Profile

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
SENDS_PER_CONTACT = 3
SEND_WINDOW = 15 * 60
SENDS_PER_CLIENT = 10
CLIENT_WINDOW = 60 * 60
CHECKS_PER_CLIENT = 30
CHECK_WINDOW = 15 * 60

_PHONE_JUNK = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0[0-9]{9}")


class OtpError(ValueError):
    """A code that was not sent or not accepted, with a message for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Contact:
    value: str
    channel: str

    @property
    def masked(self) -> str:
        if self.channel == ContactChannel.SMS:
            return self.value[:3] + "****" + self.value[-3:]
        name, _at, domain = self.value.partition("@")
        return name[:2] + "***@" + domain


def contact_parse(text: str) -> Contact:
    """A Vietnamese mobile number (0xxxxxxxxx or +84...) or an email address, normalised."""
    text = text.strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError as exc:
            raise OtpError(_("This email address does not look right.")) from exc
        return Contact(text.lower(), ContactChannel.EMAIL)
    digits = _PHONE_JUNK.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _PHONE.fullmatch(digits):
        raise OtpError(
            _("Write a mobile number of 10 digits starting with 0, or an email address.")
        )
    return Contact(digits, ContactChannel.SMS)


def _hash(contact: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"otp:{contact}:{code}".encode(), hashlib.sha256).hexdigest()


def _wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many codes were asked for. Try again in %(n)d minute.",
        "Too many codes were asked for. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


@transaction.atomic
def otp_send(*, contact: Contact, client: str, at: dt.datetime | None = None) -> OneTimeCode:
    """Send a new code to ``contact`` through the outbox; earlier codes stop working."""
    for key, limit, window in [
        (f"otp-send:{contact.value}", SENDS_PER_CONTACT, SEND_WINDOW),
        (f"otp-send-client:{client}", SENDS_PER_CLIENT, CLIENT_WINDOW),
    ]:
        wait = rate_limit_hit(key, limit=limit, window=window)
        if wait is not None:
            raise OtpError(_wait_message(wait))
    now = at or timezone.now()
    OneTimeCode.objects.filter(contact=contact.value, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = OneTimeCode.objects.create(
        contact=contact.value,
        channel=contact.channel,
        code_hash=_hash(contact.value, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    enqueue(
        key=f"otp:{contact.value}:{row.id}",
        channel=contact.channel,
        to=contact.value,
        subject=_("Your MotCua sign-in code") if contact.channel == ContactChannel.EMAIL else "",
        body=_(
            "MotCua sign-in code: %(code)s. It expires in %(minutes)d minutes. "
            "Never give it to anyone, not even to staff."
        )
        % {"code": code, "minutes": minutes},
    )
    return row


def otp_check(*, contact: Contact, code: str, client: str) -> User:
    """The account for ``contact`` (made on first sign-in) if ``code`` is right; else OtpError.

    A wrong try is counted in its own transaction, so raising the error does
    not roll the count back.
    """
    if rate_limit_hit(f"otp-check:{client}", limit=CHECKS_PER_CLIENT, window=CHECK_WINDOW):
        raise OtpError(_("Too many tries from this device. Wait a few minutes and try again."))
    code = re.sub(r"\s", "", code)
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(contact=contact.value, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = timezone.now()
        if row is None or row.expires_at <= now:
            raise OtpError(_("This code has expired or was replaced. Ask for a new code."))
        if row.attempts >= MAX_ATTEMPTS:
            raise OtpError(_("Too many wrong codes. Ask for a new code."))
        if not hmac.compare_digest(row.code_hash, _hash(contact.value, code)):
            OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            left = MAX_ATTEMPTS - row.attempts - 1
            wrong = (
                ngettext(
                    "The code is not right. %(n)d try left.",
                    "The code is not right. %(n)d tries left.",
                    left,
                )
                % {"n": left}
                if left
                else _("Too many wrong codes. Ask for a new code.")
            )
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            return account_for(contact)
    raise OtpError(wrong)


def account_for(contact: Contact) -> User:
    """The citizen account that signs in with ``contact``, created the first time."""
    profile = Profile.objects.select_related("user").filter(contact=contact.value).first()
    if profile is not None:
        return profile.user
    digest = hashlib.sha256(contact.value.encode()).hexdigest()[:20]
    # Until the person types their name, the header greets them by their masked contact.
    user = User(username=f"citizen-{digest}", full_name=contact.masked)
    user.set_unusable_password()
    if contact.channel == ContactChannel.SMS:
        user.phone = contact.value
    else:
        user.email = contact.value
    user.save()
    Profile.objects.create(
        user=user,
        contact=contact.value,
        channel=contact.channel,
        phone=user.phone,
        email=user.email,
    )
    return user
