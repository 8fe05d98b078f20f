"""Values kept by a process, forgotten in every process of the node when they change."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from core.kept import Kept

HOUR = 3600.0


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.KEPT_DIR = tmp_path / "kept"
    return tmp_path


def counter() -> Any:
    numbers = itertools.count(1)
    return lambda: next(numbers)


def test_a_value_is_kept_until_this_process_forgets_it(var_dir: Path) -> None:
    kept, read = Kept(stamp="things"), counter()
    assert [kept.get("a", read, seconds=HOUR) for _ in range(3)] == [1, 1, 1]
    kept.forget("a")
    assert kept.get("a", read, seconds=HOUR) == 2


def test_a_forget_in_one_process_reaches_the_others_of_the_node(var_dir: Path) -> None:
    # Two keepers with one stamp stand for two server processes: all they share is the file.
    here, there = Kept(stamp="things"), Kept(stamp="things")
    read = counter()
    assert there.get("a", read, seconds=HOUR) == 1
    assert there.get("a", read, seconds=HOUR) == 1
    here.forget("b")  # whatever changed, the other process cannot tell what it kept of it
    assert there.get("a", read, seconds=HOUR) == 2
    assert there.get("a", read, seconds=HOUR) == 2
    assert (var_dir / "kept" / "things").exists()


def test_forgets_one_right_after_the_other_are_each_seen(var_dir: Path) -> None:
    # A save forgets at once and again when its transaction commits, a moment later; a
    # value read between the two may come from before the commit and must not stay.
    here, there = Kept(stamp="things"), Kept(stamp="things")
    read = counter()
    for expected in range(1, 6):
        assert there.get("a", read, seconds=HOUR) == expected
        here.forget()


def test_keepers_of_other_stamps_or_none_are_not_disturbed(var_dir: Path) -> None:
    here, other, alone = Kept(stamp="things"), Kept(stamp="others"), Kept()
    read_other, read_alone = counter(), counter()
    other.get("a", read_other, seconds=HOUR)
    alone.get("a", read_alone, seconds=HOUR)
    here.forget()
    assert other.get("a", read_other, seconds=HOUR) == 1
    assert alone.get("a", read_alone, seconds=HOUR) == 1


def test_without_a_writable_place_for_the_stamp_values_still_expire(
    settings: Any, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    settings.KEPT_DIR = blocked  # a file where the stamps' directory should be
    kept, read = Kept(stamp="things"), counter()
    assert kept.get("a", read, seconds=HOUR) == 1
    kept.forget()  # the stamp cannot be written: no error
    assert kept.get("a", read, seconds=HOUR) == 2
    assert kept.get("b", read, seconds=0) == 3
    assert kept.get("b", read, seconds=0) == 4
