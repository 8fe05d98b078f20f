"""Numbers a node hands out by itself, without asking any server.

Both count in django-sequences' table, a row per sequence name, moved
forward by one upsert inside the caller's transaction: the row stays locked
until that transaction ends, so two desks receiving at the same moment get
consecutive numbers and a rolled-back intake gives its number back.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import connection
from django.utils import timezone

# No 0/O, 1/I/L: the secret is read off paper and typed on a phone.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_LENGTH = 6


# One statement on SQLite (3.35 and later) and PostgreSQL alike.
ADVANCE = (
    "INSERT INTO sequences_sequence (name, last) VALUES (%s, %s) "
    "ON CONFLICT (name) DO UPDATE SET last = sequences_sequence.last + excluded.last "
    "RETURNING last"
)


def sequence_advance(name: str, count: int = 1) -> int:
    """Take ``count`` numbers of sequence ``name``; answers the last one taken.

    Must run inside a transaction: the numbers are the caller's only once it commits.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("sequence_advance() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(ADVANCE, [name, count])
        row = cursor.fetchone()
    return int(row[0])


# Codes the provincial hub issues for a center that runs its own node (online
# filings addressed to it) count from here, so the two never issue one code twice.
HUB_RANGE_START = 5000


def dossier_code_issue(*, unit_code: str, at: dt.datetime, hub_range: bool = False) -> str:
    """``{unit e-id}-{yyMMdd}-{NNNN}``, counting from 1 each day for each unit."""
    day = timezone.localtime(at).strftime("%y%m%d")
    if hub_range:
        number = HUB_RANGE_START + sequence_advance(f"dossier-code:{unit_code}:{day}:hub")
    else:
        number = sequence_advance(f"dossier-code:{unit_code}:{day}")
    return f"{unit_code}-{day}-{number:04d}"


def lookup_secret_new() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def node_seq_next(count: int = 1) -> int:
    """The next number in this node's event log (the last of ``count`` taken at once)."""
    return sequence_advance(f"node-events:{settings.NODE_ID}", count)
