"""Numbers a node hands out by itself, without asking any server.

Both use django-sequences: a row per sequence name, locked inside the
caller's transaction, so two desks receiving at the same moment get
consecutive numbers and a rolled-back intake gives its number back.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.utils import timezone
from sequences import get_next_value

# No 0/O, 1/I/L: the secret is read off paper and typed on a phone.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_LENGTH = 6


def dossier_code_issue(*, unit_code: str, at: dt.datetime) -> str:
    """``{unit e-id}-{yyMMdd}-{NNNN}``, counting from 1 each day for each unit."""
    day = timezone.localtime(at).strftime("%y%m%d")
    number = get_next_value(f"dossier-code:{unit_code}:{day}")
    return f"{unit_code}-{day}-{number:04d}"


def lookup_secret_new() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def node_seq_next() -> int:
    """The next number in this node's event log."""
    return get_next_value(f"node-events:{settings.NODE_ID}")
