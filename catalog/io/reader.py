"""Reading and checking a whole catalog file before anything is saved."""

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError

from catalog.io.jsontree import JsonNode, JsonObject, JsonSyntaxError, parse
from catalog.io.problems import (
    FileProblem,
    problem_at,
    problem_from,
    refuse,
    shown,
)
from catalog.models import Field
from catalog.spec import FORMAT, FORMAT_VERSION, CatalogSpec


def catalog_read(*, path: str | Path | None = None, text: str | None = None) -> CatalogSpec:
    """Parse and check a catalog file; raise CatalogFileError listing every problem.

    Checks that need the database (does a referenced field exist?) only read.
    """
    if (path is None) == (text is None):
        raise TypeError("catalog_read() takes either path or text")
    if path is not None:
        text = _decode(Path(path).read_bytes())
    assert text is not None
    try:
        # Decimals, not floats: step days must add up exactly (0.1 + 0.2).
        tree = parse(text.removeprefix("\ufeff"), parse_float=Decimal)
    except JsonSyntaxError as exc:
        raise refuse([FileProblem(line=exc.line, column=exc.column, message=exc.message)]) from None

    header = _header_problems(tree)
    if header:
        # Under another format or version the rest of the file means something
        # else, so reporting on it would only mislead.
        raise refuse(header)

    raw = tree.to_python()
    problems: list[FileProblem] = []
    spec: CatalogSpec | None = None
    try:
        spec = CatalogSpec.model_validate(raw)
    except ValidationError as exc:
        problems.extend(problem_from(tree, error) for error in exc.errors())
    problems.extend(_cross_problems(tree, raw))
    if problems or spec is None:
        raise refuse(problems)
    return spec


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = _("the file is not UTF-8 text; save it as UTF-8")
        raise refuse([FileProblem(line=line, message=message)]) from None


def _header_problems(tree: JsonNode) -> list[FileProblem]:
    if not isinstance(tree, JsonObject):
        return [FileProblem(line=tree.line, message=_("a catalog file holds one JSON object"))]
    problems = []
    fmt = tree.members.get("format")
    if fmt is None:
        message = _('"format" is missing; a catalog file starts with "format": "%(format)s"')
        problems.append(FileProblem(line=tree.line, message=message % {"format": FORMAT}))
    elif fmt.value.to_python() != FORMAT:
        problems.append(
            problem_at(
                tree,
                ("format",),
                _("this is not a MotCua catalog file: expected %(format)s (got %(got)s)")
                % {"format": shown(FORMAT), "got": shown(fmt.value.to_python())},
            )
        )
    version = tree.members.get("format_version")
    if version is None:
        problems.append(FileProblem(line=tree.line, message=_('"format_version" is missing')))
    else:
        value = version.value.to_python()
        # Only the integer 1: Python also takes true and 1.0 for 1, JSON does not.
        if type(value) is not int or value != FORMAT_VERSION:
            message = _("format version %(got)s is not supported; MotCua reads version %(version)d")
            values = {"got": shown(value), "version": FORMAT_VERSION}
            problems.append(problem_at(tree, ("format_version",), message % values))
    return problems


def _cross_problems(tree: JsonNode, raw: dict[str, Any]) -> list[FileProblem]:
    """Rules between items: unique codes and known fields.

    They run on the raw data, even where pydantic found problems, so one
    attempt shows the editor every problem there is.
    """
    problems: list[FileProblem] = []

    def unique_codes(list_key: str, message: str) -> set[str]:
        seen: dict[str, int] = {}
        items = raw.get(list_key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str):
                continue
            if code in seen:
                first = problem_at(tree, (list_key, seen[code], "code"), "")
                problems.append(
                    problem_at(
                        tree,
                        (list_key, index, "code"),
                        message % {"code": shown(code), "line": first.line, "path": first.path},
                    )
                )
            else:
                seen[code] = index
        return set(seen)

    field_codes = unique_codes(
        "fields", _("the field code %(code)s is already used by %(path)s on line %(line)d")
    )
    unique_codes(
        "procedures",
        _("the procedure code %(code)s is already used by %(path)s on line %(line)d"),
    )

    procedures = raw.get("procedures")
    references = {
        index: item["field"]
        for index, item in enumerate(procedures if isinstance(procedures, list) else [])
        if isinstance(item, dict) and isinstance(item.get("field"), str)
    }
    missing = set(references.values()) - field_codes
    if missing:
        missing -= set(Field.objects.filter(code__in=missing).values_list("code", flat=True))
    for index, code in references.items():
        if code in missing:
            problems.append(
                problem_at(
                    tree,
                    ("procedures", index, "field"),
                    _("no field %(code)s in this file's fields or in the database")
                    % {"code": shown(code)},
                )
            )
    return problems
