"""The delivery settings, read from Django settings or else from the environment.

| name | default | meaning |
|---|---|---|
| ``NOTIFY_SMS_BACKEND`` | ``notify.sms.FileBackend`` | dotted path of the SMS gateway adapter |
| ``NOTIFY_SMS_FILE`` | ``<var>/sms/outbox.jsonl`` | where ``FileBackend`` appends messages |
| ``NOTIFY_SMS_URL`` | (none) | the HTTP gateway's endpoint (``HttpGatewayBackend``) |
| ``NOTIFY_SMS_TOKEN`` | (none) | bearer token sent to the HTTP gateway |
| ``NOTIFY_SMS_SENDER`` | ``MOTCUA`` | the sender name the gateway shows |
| ``NOTIFY_SMS_TIMEOUT`` | ``10`` | seconds before a gateway call counts as failed |
| ``NOTIFY_MAX_ATTEMPTS`` | ``8`` | tries before a message is given up |

E-mail goes through Django's own ``EMAIL_BACKEND`` and ``DEFAULT_FROM_EMAIL``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def sms_file() -> Path:
    configured = setting("NOTIFY_SMS_FILE")
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var")) / "sms" / "outbox.jsonl"


def max_attempts() -> int:
    return int(setting("NOTIFY_MAX_ATTEMPTS", "8"))
