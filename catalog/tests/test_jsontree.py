import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.io.jsontree import (
    JsonArray,
    JsonNode,
    JsonObject,
    JsonScalar,
    JsonSyntaxError,
    line_of,
    parse,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def _nodes(node: JsonNode) -> list[JsonNode]:
    found = [node]
    if isinstance(node, JsonArray):
        for item in node.items:
            found += _nodes(item)
    elif isinstance(node, JsonObject):
        for member in node.members.values():
            found += _nodes(member.value)
    return found


def _offset(text: str, line: int, column: int) -> int:
    return sum(len(part) + 1 for part in text.split("\n")[: line - 1]) + column - 1


@settings(max_examples=150, deadline=None)
@given(
    value=json_values,
    indent=st.sampled_from([None, 0, 2, "\t"]),
    ensure_ascii=st.booleans(),
)
def test_reader_agrees_with_json_loads(value: Any, indent: Any, ensure_ascii: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    tree = parse(text)
    assert tree.to_python() == json.loads(text)
    # Every node's position points at the first character of its value.
    for node in _nodes(tree):
        first = text[_offset(text, node.line, node.column)]
        if isinstance(node, JsonObject):
            assert first == "{"
        elif isinstance(node, JsonArray):
            assert first == "["
        else:
            assert isinstance(node, JsonScalar)
            assert first == _first_character(node.value)


def _first_character(value: Any) -> str:
    if isinstance(value, str):
        return '"'
    if isinstance(value, bool):
        return "t" if value else "f"
    if value is None:
        return "n"
    return "-" if value < 0 or str(value).startswith("-") else json.dumps(value)[0]


def test_keys_and_values_know_their_lines() -> None:
    text = '{\n  "a": 1,\n  "b": [\n    {"c":\n      true}\n  ]\n}'
    tree = parse(text)
    assert tree.line == 1
    assert line_of(tree, ("a",)) == 2
    assert line_of(tree, ("b",)) == 3
    assert line_of(tree, ("b", 0)) == 4
    assert line_of(tree, ("b", 0, "c")) == 4
    # Missing keys and indexes answer with the nearest value that exists.
    assert line_of(tree, ("b", 0, "missing")) == 4
    assert line_of(tree, ("b", 7)) == 3
    assert isinstance(tree, JsonObject)
    assert tree.members["b"].value.line == 3
    assert tree.members["b"].key_column == 3


def test_floats_can_be_read_as_decimals() -> None:
    assert parse("[0.1, 2, 1e2]", parse_float=Decimal).to_python() == [
        Decimal("0.1"),
        2,
        Decimal("1e2"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}'"),
        ("[1, 2,]", 1, 7, "expected a value"),
        ('{\n  "a": 1,\n}', 3, 1, "expected a key in double quotes"),
        ('{"a" 1}', 1, 6, "expected ':' after the key"),
        ('[\n  "open', 2, 3, "the string is not closed"),
        ('["tab\there"]', 1, 6, "control character"),
        ('{"a": 1, "a": 2}', 1, 10, 'the key "a" appears twice'),
        ("[1] [2]", 1, 5, "unexpected text after the end"),
        ("", 1, 1, "the document ends where a value was expected"),
        ("[NaN]", 1, 2, "expected a value"),
        ("{'a': 1}", 1, 2, "expected a key in double quotes"),
        ("[01]", 1, 3, "expected ',' or ']'"),
    ],
)
def test_syntax_errors_name_line_and_column(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(JsonSyntaxError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.message
    # Every text refused here is refused by json.loads as well.
    with pytest.raises(ValueError):
        json.loads(text, object_pairs_hook=_no_repeats, parse_constant=_not_json)


def _not_json(word: str) -> None:
    raise ValueError(f"{word} is not JSON")


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("repeated key")
    return dict(pairs)


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(JsonSyntaxError, match="nested too deeply"):
        parse("[" * 100_000)
