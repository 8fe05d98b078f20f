"""Records read and written as snapshots in bulk, straight through the database cursor.

A batch names hundreds of rows; building a model instance for each and then a
snapshot from it costs more than the database work. Here a query's columns
come back as tuples and each column is turned into its snapshot form by one
small function chosen once per field, and rows are written back with one
multi-row ``INSERT`` per few hundred. The result is exactly what
:func:`sync.wire.snapshot` and :func:`sync.wire.instance` give, which the tests
check field by field on SQLite and PostgreSQL.

Only the kinds of field the synchronised models use have a fast form; a model
with any other kind goes through the model instances as before.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from functools import lru_cache
from itertools import chain
from typing import Any

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.utils.dateparse import parse_datetime

from sync.wire import blob_name, file_value, snapshot

Convert = Callable[[Any], Any]

TEXT = (models.CharField, models.TextField)
WHOLE = (models.IntegerField,)  # the positive, small and big kinds are subclasses
MAX_PARAMS = 30_000  # under SQLite's 32,766 bound variables


def _kind(field: models.Field[Any, Any]) -> str:
    if isinstance(field, models.FileField):
        return "file"
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    if isinstance(target, models.UUIDField):
        return "uuid"
    if isinstance(target, models.DateTimeField):
        return "datetime"
    if isinstance(target, models.DateField | models.TimeField):
        return "iso"
    if isinstance(target, models.BooleanField):
        return "bool"
    if isinstance(target, models.JSONField):
        return "json"
    if isinstance(target, (*TEXT, *WHOLE)):
        return "plain"
    return ""


def _same(value: Any) -> Any:
    return value


def _dashed(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


def _moment_from_sqlite(value: dt.datetime | str | None) -> str | None:
    """A moment stored in UTC without its zone -> '2026-11-23T08:00:00.123456+00:00'."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat() + "+00:00"
        return value.astimezone(dt.UTC).isoformat()
    if len(value) in (19, 26) and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    parsed = parse_datetime(value)
    assert parsed is not None, value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat()


def _moment_to_sqlite(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) in (25, 32) and value.endswith("+00:00") and value[10] == "T":
        return f"{value[:10]} {value[11:-6]}"
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return str(parsed)


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _iso(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else value.isoformat()


def _moment_from_postgres(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def _json_in(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _json_out(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def _flag(value: Any) -> Any:
    return None if value is None else bool(value)


def _bit(value: Any) -> Any:
    return None if value is None else int(value)


def _no_dashes(value: str | None) -> str | None:
    return None if value is None else value.replace("-", "")


READ: dict[str, dict[str, Convert]] = {
    "sqlite": {
        "uuid": _dashed,
        "datetime": _moment_from_sqlite,
        "iso": _iso,
        "bool": _flag,
        "json": _json_in,
        "plain": _same,
    },
    "postgresql": {
        "uuid": _text,
        "datetime": _moment_from_postgres,
        "iso": _iso,
        "bool": _same,
        "json": _json_in,
        "plain": _same,
    },
}

WRITE: dict[str, dict[str, Convert]] = {
    "sqlite": {
        "uuid": _no_dashes,
        "datetime": _moment_to_sqlite,
        "iso": _same,
        "bool": _bit,
        "json": _json_out,
        "plain": _same,
    },
    # PostgreSQL reads the rows from one JSON document: a JSON column's value goes as
    # the JSON it holds, everything else as its wire form.
    "postgresql": {
        "uuid": _same,
        "datetime": _same,
        "iso": _same,
        "bool": _same,
        "json": _same,
        "plain": _same,
    },
}


def _fast(model: type[models.Model]) -> bool:
    return connection.vendor in READ and all(_kind(f) for f in model._meta.concrete_fields)


# -- reading ------------------------------------------------------------------------------------


def snapshots(
    queryset: models.QuerySet[Any], *, files: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The snapshots of the rows ``queryset`` selects, in its order.

    ``files``, when given, gets the storage name of every file named, by its sha256.
    """
    model = queryset.model
    files = {} if files is None else files
    if not _fast(model):
        out = []
        for obj in queryset:
            snap = snapshot(obj)
            for f in model._meta.concrete_fields:
                value = snap.get(f.attname)
                if isinstance(f, models.FileField) and value:
                    files[value["sha256"]] = getattr(obj, f.attname).name
            out.append(snap)
        return out
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    try:
        sql, params = queryset.values_list(*names).query.sql_with_params()
    except EmptyResultSet:  # an empty ``__in``: nothing to read
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    readers = READ[connection.vendor]
    # Column by column: one loop a field, then each row's dict built at C speed.
    columns: list[list[Any]] = [list(c) for c in zip(*rows, strict=True)]
    kinds = [_kind(f) for f in fields]
    for i, kind in enumerate(kinds):
        if kind != "file" and readers[kind] is not _same:
            columns[i] = list(map(readers[kind], columns[i]))
    for i, kind in enumerate(kinds):
        if kind != "file":
            continue
        pks = columns[names.index("id")] if "id" in names else [None] * len(rows)
        shas = columns[names.index("sha256")] if "sha256" in names else [""] * len(rows)
        stored = columns[i]
        columns[i] = [
            file_value(model, pk, name, sha)
            for pk, name, sha in zip(pks, stored, shas, strict=True)
        ]
        for value, name in zip(columns[i], stored, strict=True):
            if value:
                files[value["sha256"]] = name
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


# -- writing ------------------------------------------------------------------------------------


def _on_conflict(model: type[models.Model], columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns if c != pk.column)
    return f" ON CONFLICT ({quote(pk.column)}) DO UPDATE SET {sets}"


@lru_cache(maxsize=128)
def _sqlite_statement(
    model: type[models.Model], columns: tuple[str, ...], rows: int, *, update: bool
) -> str:
    """SQLite's multi-row insert, written once per shape with the driver's own ``?``
    placeholders: it goes straight to the driver (:func:`write`), since Django's cursor
    would rewrite every ``%s`` of a statement of tens of thousands with a regular
    expression, milliseconds a statement."""
    quote = connection.ops.quote_name
    marks = "(" + ", ".join(["?"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES {', '.join([marks] * rows)}"
    )
    return sql + _on_conflict(model, columns) if update else sql


@lru_cache(maxsize=64)
def _json_statement(model: type[models.Model], columns: tuple[str, ...], *, update: bool) -> str:
    """PostgreSQL's insert of any number of rows sent as one JSON array of objects: the
    statement stays short and the rows are parsed by the server, not quoted by the driver."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {table} ({names}) "
        f"SELECT {names} FROM json_populate_recordset(NULL::{table}, %s::json)"
    )
    return sql + _on_conflict(model, columns) if update else sql


def write(model: type[models.Model], snaps: list[dict[str, Any]], *, update: bool) -> None:
    """Insert the snapshots' rows; with ``update``, a row already there is overwritten."""
    if not snaps:
        return
    if not _fast(model):
        from sync.wire import instance

        objs = [instance(model, s) for s in snaps]
        manager = model._default_manager
        if update:
            names = [f.name for f in model._meta.concrete_fields if not f.primary_key]
            manager.bulk_create(  # type: ignore[attr-defined]
                objs, update_conflicts=True, unique_fields=["id"], update_fields=names
            )
        else:
            manager.bulk_create(objs)  # type: ignore[attr-defined]
        return
    writers = WRITE[connection.vendor]
    fields = [f for f in model._meta.concrete_fields if f.attname in snaps[0]]
    plan: list[tuple[str, Convert | None]] = [
        (f.attname, None if _kind(f) == "file" else writers[_kind(f)]) for f in fields
    ]
    # Column by column, then interleaved row by row: one loop a field, not a call a value.
    values: list[list[Any]] = []
    for name, convert in plan:
        column = [snap.get(name) for snap in snaps]
        if convert is None:
            column = [blob_name(v["sha256"]) if v else "" for v in column]
        elif convert is not _same:
            column = list(map(convert, column))
        values.append(column)
    columns = tuple(f.column for f in fields)
    if connection.vendor == "postgresql":
        rows = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(
                _json_statement(model, columns, update=update), [orjson.dumps(rows).decode()]
            )
        return
    params: list[Any] = list(chain.from_iterable(zip(*values, strict=True)))
    width = len(columns)
    per = max(1, MAX_PARAMS // width)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        for start in range(0, len(snaps), per):
            chunk = params[start * width : (start + per) * width]
            sql = _sqlite_statement(model, columns, len(chunk) // width, update=update)
            sqlite3.Cursor.execute(cursor.cursor, sql, chunk)
