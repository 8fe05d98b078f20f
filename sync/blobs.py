"""The hub's file store: files named by their sha256, received in resumable chunks.

A node asks which of its files the hub lacks, then sends each in chunks. A
chunk names the offset it starts at; the hub appends it only when that is
how much it holds, and otherwise answers how much it holds, so a transfer cut
half-way goes on from there. A complete file whose digest does not match is
thrown away.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from sync.wire import blob_name

SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK_BYTES = 1 << 20


class BlobError(Exception):
    pass


def media_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def partial_path(sha: str) -> Path:
    return media_path(f"blobs/partial/{sha}")


def blob_have(sha: str) -> bool:
    return media_path(blob_name(sha)).exists()


def blob_missing(hashes: Iterable[str]) -> list[str]:
    return sorted({h for h in hashes if not blob_have(h)})


def blob_held(sha: str) -> int:
    """Bytes held for ``sha``: its size when complete, else what has arrived."""
    done = media_path(blob_name(sha))
    if done.exists():
        return done.stat().st_size
    partial = partial_path(sha)
    return partial.stat().st_size if partial.exists() else 0


def blob_append(sha: str, offset: int, data: bytes, total: int) -> tuple[int, bool]:
    """Append a chunk at ``offset``; answers the bytes now held and whether the file is whole."""
    if not SHA256.match(sha):
        raise BlobError("not a sha256")
    if blob_have(sha):
        return blob_held(sha), True
    partial = partial_path(sha)
    partial.parent.mkdir(parents=True, exist_ok=True)
    held = partial.stat().st_size if partial.exists() else 0
    if offset != held:
        return held, False
    with partial.open("ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    held += len(data)
    if held < total:
        return held, False
    digest = hashlib.sha256()
    with partial.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha or held != total:
        partial.unlink()
        raise BlobError("the file does not match its digest")
    final = media_path(blob_name(sha))
    final.parent.mkdir(parents=True, exist_ok=True)
    partial.replace(final)
    return held, True


def blob_store(sha: str, data: bytes) -> None:
    """Keep a whole file received another way (an import); checked against its digest."""
    if hashlib.sha256(data).hexdigest() != sha:
        raise BlobError("the file does not match its digest")
    final = media_path(blob_name(sha))
    if final.exists():
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(final)
