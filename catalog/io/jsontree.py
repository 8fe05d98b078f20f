"""A JSON reader that remembers where everything is.

``json.loads`` forgets positions, but a catalog editor fixing a 5,000-line
file needs "line 57", not "procedures[3].cases[0]". This reader builds a small
tree in which every value knows the line and column where it starts and every
object key knows its own line. It accepts exactly the JSON that ``json.loads``
accepts, except NaN and Infinity, which are not JSON.
"""

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

Scalar = str | int | float | Decimal | bool | None
Loc = tuple[str | int, ...]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS: dict[str, Scalar] = {"true": True, "false": False, "null": None}
# The standard library's own string scanner (in C, so fast and exact); the
# type stubs do not list it.
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class JsonSyntaxError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class JsonNode:
    line: int
    column: int

    def to_python(self) -> Any:
        raise NotImplementedError


@dataclass(slots=True)
class JsonScalar(JsonNode):
    value: Scalar

    def to_python(self) -> Any:
        return self.value


@dataclass(slots=True)
class JsonArray(JsonNode):
    items: list[JsonNode] = field(default_factory=list)

    def to_python(self) -> Any:
        return [item.to_python() for item in self.items]


@dataclass(slots=True)
class JsonMember:
    key_line: int
    key_column: int
    value: JsonNode


@dataclass(slots=True)
class JsonObject(JsonNode):
    members: dict[str, JsonMember] = field(default_factory=dict)

    def to_python(self) -> Any:
        return {key: member.value.to_python() for key, member in self.members.items()}


def line_of(root: JsonNode, loc: Loc) -> int:
    """The line that best shows the value at ``loc``.

    A present key answers with its own line; a missing key or index with the
    line of the nearest enclosing value that exists, which is where the
    reader has to add it.
    """
    node = root
    line = root.line
    for step in loc:
        if isinstance(node, JsonObject) and isinstance(step, str) and step in node.members:
            member = node.members[step]
            node, line = member.value, member.key_line
        elif isinstance(node, JsonArray) and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
            line = node.line
        else:
            break
    return line


def parse(text: str, *, parse_float: Callable[[str], Any] = float) -> JsonNode:
    """Read one JSON document; raise :class:`JsonSyntaxError` with its position."""
    return _Parser(text, parse_float).document()


class _Parser:
    def __init__(self, text: str, parse_float: Callable[[str], Any]) -> None:
        self.text = text
        self.parse_float = parse_float
        # Offsets where each line starts, to turn an offset into line:column.
        self.line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def fail(self, message: str, offset: int) -> JsonSyntaxError:
        return JsonSyntaxError(message, *self.position(offset))

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        assert match is not None  # the pattern also matches the empty string
        return match.end()

    def document(self) -> JsonNode:
        try:
            node, offset = self.value(self.skip(0))
        except RecursionError:
            raise self.fail(_("the document is nested too deeply"), 0) from None
        offset = self.skip(offset)
        if offset != len(self.text):
            raise self.fail(_("unexpected text after the end of the document"), offset)
        return node

    def value(self, offset: int) -> tuple[JsonNode, int]:
        text = self.text
        line, column = self.position(offset)
        char = text[offset : offset + 1]
        if char == "{":
            return self.object(offset, line, column)
        if char == "[":
            return self.array(offset, line, column)
        if char == '"':
            string, end = self.string(offset)
            return JsonScalar(line, column, string), end
        number = _NUMBER.match(text, offset)
        if number:
            digits = number.group()
            fraction_or_exponent = number.group(1) or number.group(2)
            parsed = self.parse_float(digits) if fraction_or_exponent else int(digits)
            return JsonScalar(line, column, parsed), number.end()
        for word, literal in _LITERALS.items():
            if text.startswith(word, offset):
                return JsonScalar(line, column, literal), offset + len(word)
        if not char:
            raise self.fail(_("the document ends where a value was expected"), offset)
        raise self.fail(_("expected a value"), offset)

    def string(self, offset: int) -> tuple[str, int]:
        try:
            return _scanstring(self.text, offset + 1, True)
        except json.JSONDecodeError as exc:
            raise self.fail(_string_problem(exc.msg), exc.pos) from None

    def object(self, start: int, line: int, column: int) -> tuple[JsonObject, int]:
        node = JsonObject(line, column)
        offset = self.skip(start + 1)
        if self.text.startswith("}", offset):
            return node, offset + 1
        while True:
            if not self.text.startswith('"', offset):
                raise self.fail(_("expected a key in double quotes"), offset)
            key_line, key_column = self.position(offset)
            key, offset = self.string(offset)
            if key in node.members:
                # json.loads keeps the last of two equal keys; in a catalog that
                # silently drops data, so it is an error here.
                raise JsonSyntaxError(
                    _('the key "%(key)s" appears twice in this object') % {"key": key},
                    key_line,
                    key_column,
                )
            offset = self.skip(offset)
            if not self.text.startswith(":", offset):
                raise self.fail(_("expected ':' after the key"), offset)
            value, offset = self.value(self.skip(offset + 1))
            node.members[key] = JsonMember(key_line, key_column, value)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset = self.skip(offset + 1)
            elif self.text.startswith("}", offset):
                return node, offset + 1
            else:
                raise self.fail(_("expected ',' or '}'"), offset)

    def array(self, start: int, line: int, column: int) -> tuple[JsonArray, int]:
        node = JsonArray(line, column)
        offset = self.skip(start + 1)
        if self.text.startswith("]", offset):
            return node, offset + 1
        while True:
            item, offset = self.value(offset)
            node.items.append(item)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset = self.skip(offset + 1)
            elif self.text.startswith("]", offset):
                return node, offset + 1
            else:
                raise self.fail(_("expected ',' or ']'"), offset)


def _string_problem(message: str) -> str:
    """Put the standard library's string errors in translatable words."""
    if message.startswith("Unterminated string"):
        return _("the string is not closed with a double quote")
    if message.startswith("Invalid control character"):
        return _("a line break or control character inside a string must be escaped")
    if message.startswith("Invalid \\uXXXX"):
        return _("invalid \\u escape in a string")
    if message.startswith("Invalid \\escape"):
        return _("invalid backslash escape in a string")
    return message
