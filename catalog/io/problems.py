"""Problems found in a catalog file, in words a catalog editor understands.

Every problem names a line, and where it helps the path of the value
(``procedures[3].cases[0].time.unit``), because editors fix files in a text
editor, not in a tree view.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic_core import ErrorDetails

from catalog.io.jsontree import JsonNode, Loc, line_of
from catalog.spec import CASE_CODE_RE, FIELD_CODE_RE, PROCEDURE_CODE_RE, json_number

MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class FileProblem:
    line: int | None
    message: str
    path: str = ""
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        values = {"line": self.line, "column": self.column, "path": self.path}
        if self.column is not None:
            return _("line %(line)d, column %(column)d: %(message)s") % {
                **values,
                "message": self.message,
            }
        if self.path:
            return _("line %(line)d: %(path)s: %(message)s") % {**values, "message": self.message}
        return _("line %(line)d: %(message)s") % {**values, "message": self.message}


class CatalogFileError(Exception):
    """The file was refused; ``problems`` says why, line by line."""

    def __init__(self, problems: Iterable[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


def path_of(loc: Loc) -> str:
    """('procedures', 3, 'cases', 0) -> 'procedures[3].cases[0]'."""
    text = ""
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else step
    return text


def problem_at(tree: JsonNode, loc: Loc, message: str) -> FileProblem:
    return FileProblem(line=line_of(tree, loc), path=path_of(loc), message=message)


def shown(value: Any) -> str:
    """A value as the editor wrote it, shortened."""
    if isinstance(value, dict):
        return _("an object")
    if isinstance(value, list | tuple):
        return _("a list")
    if isinstance(value, Decimal):
        value = json_number(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _pattern_words(pattern: str) -> str:
    return {
        FIELD_CODE_RE: _("2 to 20 capital letters, digits or _"),
        PROCEDURE_CODE_RE: _("d.dddddd (national code) or MC.nnnn (local code)"),
        CASE_CODE_RE: _("1 to 10 letters, digits, '.', '-' or '_'"),
    }.get(pattern, pattern)


def describe(error: ErrorDetails) -> str:
    """One pydantic error in the editor's words."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    got = shown(ctx.get("got", error["input"]))
    values = {"got": got}
    if kind == "choice":
        return _("must be one of %(choices)s (got %(got)s)") % {
            **values,
            "choices": ", ".join(ctx["choices"]),
        }
    if kind == "missing":
        return _("is required but missing")
    if kind == "extra_forbidden":
        return _("unknown key (misspelt, or not part of this format)")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("must be an object (got %(got)s)") % values
    if kind in {"string_too_short", "too_short"} and ctx.get("min_length") == 1:
        return _("must not be empty")
    simple = {
        "string_type": _("must be a string (got %(got)s)"),
        "int_type": _("must be a whole number (got %(got)s)"),
        "bool_type": _("must be true or false (got %(got)s)"),
        "list_type": _("must be a list (got %(got)s)"),
        "number_type": _("must be a number (got %(got)s)"),
        "decimal_max_digits": _("is too large (got %(got)s)"),
        "decimal_whole_digits": _("is too large (got %(got)s)"),
        "same_day_value": _("must be 0 when the unit is same_day (got %(got)s)"),
        "time_zero": _("must be more than 0 unless the unit is same_day"),
        "duplicate_case": _("the case code %(got)s is used twice in this procedure"),
    }
    if kind in simple:
        return simple[kind] % values
    if kind == "greater_than_equal":
        return _("must be at least %(limit)s (got %(got)s)") % {**values, "limit": ctx["ge"]}
    if kind == "less_than_equal":
        return _("must be at most %(limit)s (got %(got)s)") % {**values, "limit": ctx["le"]}
    if kind == "string_too_long":
        limit = ctx["max_length"]
        return ngettext(
            "must be at most %(limit)d character long",
            "must be at most %(limit)d characters long",
            limit,
        ) % {"limit": limit}
    if kind == "decimal_max_places":
        places = ctx["decimal_places"]
        return ngettext(
            "may have at most %(places)d decimal place (got %(got)s)",
            "may have at most %(places)d decimal places (got %(got)s)",
            places,
        ) % {**values, "places": places}
    if kind == "string_pattern_mismatch":
        return _("must be written as %(form)s (got %(got)s)") % {
            **values,
            "form": _pattern_words(ctx["pattern"]),
        }
    if kind == "steps_total":
        return _("the step days add up to %(total)s, but the case time is %(expected)s") % {
            "total": shown(ctx["total"]),
            "expected": shown(ctx["expected"]),
        }
    if kind == "literal_error":
        return _("must be %(expected)s (got %(got)s)") % {**values, "expected": ctx["expected"]}
    # Types not listed above cannot come from this schema; pydantic's own
    # (English) words are still better than nothing.
    return error["msg"]


def problem_from(tree: JsonNode, error: ErrorDetails) -> FileProblem:
    # Our model validators name the key to blame in ctx["at"].
    at = tuple((error.get("ctx") or {}).get("at", ()))
    return problem_at(tree, tuple(error["loc"]) + at, describe(error))


def refuse(problems: list[FileProblem]) -> CatalogFileError:
    """Sorted by line, and at most MAX_PROBLEMS of them, to keep the list readable."""
    ordered = sorted(problems, key=lambda problem: problem.line or 0)
    if len(ordered) > MAX_PROBLEMS:
        hidden = len(ordered) - MAX_PROBLEMS
        ordered = ordered[:MAX_PROBLEMS]
        ordered.append(
            FileProblem(
                line=None,
                message=ngettext(
                    "... and %(count)d more problem.",
                    "... and %(count)d more problems.",
                    hidden,
                )
                % {"count": hidden},
            )
        )
    return CatalogFileError(ordered)
