"""The SQLite backend queues writers on a file lock beside the database."""

import copy
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import load_backend

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):  # type: ignore[no-untyped-def]
    # These tests open their own database files, outside the test database.
    with django_db_blocker.unblock():
        yield


def _wrapper(path: Path):  # type: ignore[no-untyped-def]
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["NAME"] = str(path)
    # No busy wait of SQLite's own: without the file lock, a second writer
    # would fail at once with "database is locked".
    settings_dict["OPTIONS"]["timeout"] = 0
    backend = load_backend("core.db.sqlite3")
    return backend.DatabaseWrapper(settings_dict, alias=f"lock-test-{id(path)}")


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    first = _wrapper(tmp_path / "node.sqlite3")
    first.set_autocommit(True)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    order: list[str] = []

    def write_second() -> None:
        second = _wrapper(tmp_path / "node.sqlite3")
        second.set_autocommit(
            False, force_begin_transaction_with_broken_autocommit=True
        )  # BEGIN IMMEDIATE: waits on the file lock
        with second.cursor() as cursor:
            cursor.execute("UPDATE counter SET n = n + 1")
        order.append("second wrote")
        second.commit()
        second.set_autocommit(True)
        second.close()

    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with first.cursor() as cursor:
        cursor.execute("UPDATE counter SET n = n + 10")
    thread = threading.Thread(target=write_second)
    thread.start()
    thread.join(0.3)
    assert thread.is_alive(), "the second writer did not wait"
    order.append("first commits")
    first.commit()
    first.set_autocommit(True)
    thread.join(10)
    assert not thread.is_alive()
    assert order == ["first commits", "second wrote"]
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone()[0] == 11
    first.close()
    assert (tmp_path / "node.sqlite3.writer-lock").exists()


def test_a_rolled_back_writer_frees_the_lock(tmp_path: Path) -> None:
    first = _wrapper(tmp_path / "n.sqlite3")
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    first.rollback()
    first.set_autocommit(True)
    done = threading.Event()

    def write_second() -> None:
        second = _wrapper(tmp_path / "n.sqlite3")
        second.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        second.commit()
        second.set_autocommit(True)
        second.close()
        done.set()

    thread = threading.Thread(target=write_second)
    thread.start()
    assert done.wait(5), "the lock stayed taken after a rollback"
    first.close()
