"""The log carried on a USB stick when the line is down for long.

``sync_export`` writes every entry the hub has not acknowledged, with the
files they name, to one zip file signed with the node's secret;
``sync_import`` on the hub checks the signature and applies the batches with
the same exactly-once rules as a push, so importing twice, or importing and
then pushing, applies nothing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from sync.blobs import blob_store
from sync.hub import Applied, BatchRefusedError, batch_apply
from sync.models import Node, NodeState
from sync.node import batch_build
from sync.wire import decode, encode


def _signature(secret: str, node: str, digests: list[str]) -> str:
    message = "\n".join(["motcua-export", node, *digests]).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class Exported:
    entries: int = 0
    batches: int = 0
    files: int = 0


def log_export(path: Path) -> Exported:
    """Write the unacknowledged log of this node to ``path``."""
    done = Exported()
    after = NodeState.get().acked_seq
    digests: list[str] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        while (batch := batch_build(after, settings.SYNC_BATCH)) is not None:
            body = encode(batch.body)
            name = f"batches/{done.batches + 1:06d}.json"
            archive.writestr(name, body)
            digests.append(hashlib.sha256(body).hexdigest())
            for sha, stored in batch.files.items():
                member = f"blobs/{sha}"
                if member not in archive.namelist():
                    with default_storage.open(stored, "rb") as handle:
                        archive.writestr(member, handle.read())
                    done.files += 1
            done.entries += batch.last - batch.first + 1
            done.batches += 1
            after = batch.last
        manifest = {
            "node": settings.NODE_ID,
            "batches": digests,
            "signature": _signature(settings.SYNC_SECRET, settings.NODE_ID, digests),
        }
        archive.writestr("manifest.json", json.dumps(manifest))
    return done


class ImportRefusedError(Exception):
    pass


@dataclass
class Imported:
    node: str
    applied: int = 0
    skipped: int = 0
    acked: int = 0


def log_import(path: Path) -> Imported:
    """Apply a node's exported log at the hub, each entry once."""
    with zipfile.ZipFile(path) as archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            raise ImportRefusedError("the file has no readable manifest") from None
        node = Node.objects.select_related("unit").filter(node_id=manifest.get("node")).first()
        if node is None or not node.is_active:
            raise ImportRefusedError(f"unknown node {manifest.get('node')!r}")
        digests = list(manifest.get("batches", []))
        expected = _signature(node.secret, node.node_id, digests)
        if not hmac.compare_digest(expected, str(manifest.get("signature", ""))):
            raise ImportRefusedError("the file's signature does not match the node's secret")
        result = Imported(node=node.node_id)
        names = sorted(n for n in archive.namelist() if n.startswith("batches/"))
        if len(names) != len(digests):
            raise ImportRefusedError("the file does not hold the batches its manifest lists")
        for member in archive.namelist():
            if member.startswith("blobs/"):
                blob_store(member.split("/", 1)[1], archive.read(member))
        for name, want in zip(names, digests, strict=True):
            body = archive.read(name)
            if hashlib.sha256(body).hexdigest() != want:
                raise ImportRefusedError(f"{name} was changed after it was written")
            try:
                applied: Applied = batch_apply(node, decode(body))
            except BatchRefusedError as refused:
                raise ImportRefusedError(f"{name}: {refused}") from None
            result.applied += applied.applied
            result.skipped += applied.skipped
            result.acked = applied.acked
    return result
