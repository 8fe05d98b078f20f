"""Requests between a ward node and the hub, signed with the node's secret.

Each request carries the node id, the time, a random nonce and an HMAC-SHA256
of those with the method, path and body digest. The hub refuses a request
that is too old or too new, a nonce it has seen, or a signature that does
not match: a forged batch and a replayed one are both turned away.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER_NODE = "X-Motcua-Node"
HEADER_TIME = "X-Motcua-Time"
HEADER_NONCE = "X-Motcua-Nonce"
HEADER_SIGNATURE = "X-Motcua-Signature"
MAX_SKEW_SECONDS = 300


def signature(
    secret: str, method: str, path: str, node: str, at: str, nonce: str, body: bytes
) -> str:
    message = "\n".join(
        [method.upper(), path, node, at, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, node: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
    at = str(int(time.time()))
    nonce = secrets.token_hex(16)
    return {
        HEADER_NODE: node,
        HEADER_TIME: at,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, method, path, node, at, nonce, body),
    }


def fresh(at: str, now: float | None = None) -> bool:
    try:
        moment = int(at)
    except ValueError:
        return False
    return abs((time.time() if now is None else now) - moment) <= MAX_SKEW_SECONDS


def matches(
    secret: str, method: str, path: str, node: str, at: str, nonce: str, body: bytes, given: str
) -> bool:
    expected = signature(secret, method, path, node, at, nonce, body)
    return hmac.compare_digest(expected, given)
