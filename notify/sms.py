"""SMS gateway adapters: one ``send`` method each, chosen by ``NOTIFY_SMS_BACKEND``.

A ward node without a gateway keeps every SMS in a file (the default) so the
desk can read what would have gone out; a provincial hub points
``HttpGatewayBackend`` at its operator's HTTP API.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from typing import Protocol

from django.utils import timezone
from django.utils.module_loading import import_string

from notify import conf


class SmsError(Exception):
    """The gateway did not take the message; the outbox tries again later."""


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, reference: str) -> None: ...


class FileBackend:
    """Appends one JSON line per message to ``NOTIFY_SMS_FILE``."""

    _lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str) -> None:
        path = conf.sms_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), "to": to, "text": text, "reference": reference}
        with self._lock, path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


class ConsoleBackend:
    """Prints each message, for a developer watching the worker."""

    def send(self, *, to: str, text: str, reference: str) -> None:
        sys.stdout.write(f"SMS to {to} [{reference}]: {text}\n")
        sys.stdout.flush()


class HttpGatewayBackend:
    """POSTs ``{"to", "text", "sender", "reference"}`` as JSON to ``NOTIFY_SMS_URL``.

    Any 2xx answer means the gateway took the message. ``reference`` is the
    outbox message id, so a gateway that deduplicates can drop a retry of a
    message it already took.
    """

    def send(self, *, to: str, text: str, reference: str) -> None:
        url = conf.setting("NOTIFY_SMS_URL")
        if not url:
            raise SmsError("NOTIFY_SMS_URL is not set")
        body = {
            "to": to,
            "text": text,
            "sender": conf.setting("NOTIFY_SMS_SENDER", "MOTCUA"),
            "reference": reference,
        }
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token = conf.setting("NOTIFY_SMS_TOKEN")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        timeout = float(conf.setting("NOTIFY_SMS_TIMEOUT", "10"))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"gateway answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(
        conf.setting("NOTIFY_SMS_BACKEND", "notify.sms.FileBackend")
    )()
    return backend
