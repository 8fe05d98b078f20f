"""Records as they travel between nodes: plain JSON, files named by their sha256.

A snapshot is a record's concrete fields by column name. A file field travels
as ``{"sha256", "size", "name"}``; the file itself is sent before the batch
(see :mod:`sync.blobs`) and stored at the hub under its digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any, TypeVar

import orjson
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

log = logging.getLogger(__name__)

BLOB_DIR = "blobs"


def blob_name(sha256: str) -> str:
    return f"{BLOB_DIR}/{sha256[:2]}/{sha256}"


def file_digest(name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Encoder(DjangoJSONEncoder):
    """Moments to the microsecond: two copies of a log must read the same."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def file_value(
    model: type[models.Model], pk: Any, name: str | None, sha: str = ""
) -> dict[str, Any] | None:
    """A file field as it travels: its digest, size and base name; None when it has none."""
    if not name:
        return None
    if not sha and name.startswith(BLOB_DIR + "/"):
        sha = name.rsplit("/", 1)[-1]
    try:
        if sha:
            size = default_storage.size(name)
        else:
            sha, size = file_digest(name)
    except FileNotFoundError:
        log.warning("%s %s: file %s is missing; sent without it", model._meta.label, pk, name)
        return None
    return {"sha256": sha, "size": size, "name": name.rsplit("/", 1)[-1]}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The record's columns; files as their digest, size and base name."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            data[field.attname] = file_value(
                type(obj), obj.pk, value.name if value else "", getattr(obj, "sha256", "")
            )
            continue
        data[field.attname] = value
    return json.loads(json.dumps(data, cls=Encoder))


def files_of(snap: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for value in snap.values():
        if isinstance(value, dict) and "sha256" in value and "size" in value:
            yield value


M = TypeVar("M", bound=models.Model)


def instance(model: type[M], snap: dict[str, Any]) -> M:
    """A model instance from a snapshot; files point at the blob store."""
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.attname not in snap:
            continue
        value = snap[field.attname]
        if isinstance(field, models.FileField):
            values[field.attname] = blob_name(value["sha256"]) if value else ""
        elif value is None:
            values[field.attname] = None
        elif isinstance(field, models.JSONField):
            values[field.attname] = value
        else:
            values[field.attname] = field.to_python(value)
    return model(**values)


def digest(snap: dict[str, Any], *, skip: Iterable[str] = ("updated_at", "created_at")) -> str:
    """A record's content as one string, to tell whether two versions differ."""
    kept = {k: v for k, v in sorted(snap.items()) if k not in set(skip)}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


_ENCODER = Encoder()


def _beyond_json(o: Any) -> Any:
    """What orjson leaves to us (decimals, lazy translations) goes as Django writes it."""
    return _ENCODER.default(o)


def encode(payload: dict[str, Any]) -> bytes:
    """A batch or an answer as compact JSON; moments to the microsecond, as ``Encoder``."""
    return orjson.dumps(payload, default=_beyond_json)


def decode(data: bytes | str) -> Any:
    return orjson.loads(data)
