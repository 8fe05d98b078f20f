"""The SQLite backend: writers queued on a file lock beside the database, connections kept."""

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
    return backend.DatabaseWrapper(settings_dict, alias=f"lock-test-{path}")


def _raw(wrapper) -> object:  # type: ignore[no-untyped-def]
    """The SQLite connection under ``wrapper``, opening one if needed."""
    wrapper.ensure_connection()
    return wrapper.connection


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


def _with_table(path: Path):  # type: ignore[no-untyped-def]
    wrapper = _wrapper(path)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n INTEGER)")
    wrapper.close()
    return wrapper


def test_a_closed_connection_is_kept_and_opened_again_by_the_next_request(
    tmp_path: Path,
) -> None:
    wrapper = _with_table(tmp_path / "kept.sqlite3")
    first = _raw(wrapper)
    wrapper.close()
    assert wrapper.connection is None
    other = _wrapper(tmp_path / "kept.sqlite3")  # another thread's wrapper, same database
    assert _raw(other) is first
    with other.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    other.close()


def test_a_connection_kept_with_foreign_keys_off_comes_back_with_them_on(
    tmp_path: Path,
) -> None:
    wrapper = _with_table(tmp_path / "fk.sqlite3")
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")  # as loading fixtures does
    wrapper.close()
    other = _wrapper(tmp_path / "fk.sqlite3")
    with other.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    other.close()


def test_a_connection_closed_inside_a_transaction_is_rolled_back_and_frees_the_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tx.sqlite3"
    wrapper = _with_table(path)
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (7)")
    raw = wrapper.connection
    wrapper.close()  # as a request that failed half-way would be closed
    assert not raw.in_transaction

    other = _wrapper(path)
    other.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with other.cursor() as cursor:  # would wait forever on the file lock if it were kept
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 0
    other.commit()
    other.set_autocommit(True)
    other.close()


def test_a_database_file_made_again_is_not_read_through_a_kept_connection(
    tmp_path: Path,
) -> None:
    path = tmp_path / "again.sqlite3"
    wrapper = _with_table(path)
    old = _raw(wrapper)
    wrapper.close()
    for leftover in tmp_path.glob("again.sqlite3*"):
        leftover.unlink()
    fresh = _wrapper(path)
    assert _raw(fresh) is not old
    with fresh.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'")
        assert cursor.fetchone()[0] == 0
    fresh.close()


def test_a_kept_connection_outlives_a_checkpoint_and_a_file_moved_away_is_seen(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wal.sqlite3"
    wrapper = _with_table(path)
    kept = _raw(wrapper)
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("INSERT INTO t VALUES (1)")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # writes the file itself
    wrapper.close()
    again = _wrapper(path)
    assert _raw(again) is kept
    again.close()

    # A copy put in its place (another inode, the old one still held open).
    copy_path = tmp_path / "copy.sqlite3"
    copy_path.write_bytes(path.read_bytes())
    copy_path.replace(path)
    replaced = _wrapper(path)
    assert _raw(replaced) is not kept
    replaced.close()


def test_no_more_than_a_few_idle_connections_are_kept(tmp_path: Path) -> None:
    from core.db.sqlite3.base import IDLE_KEPT

    path = tmp_path / "many.sqlite3"
    _with_table(path)
    wrappers = [_wrapper(path) for _ in range(IDLE_KEPT + 3)]
    opened = [_raw(w) for w in wrappers]
    for w in wrappers:
        w.close()
    again = [_wrapper(path) for _ in range(IDLE_KEPT + 3)]
    reopened = [_raw(w) for w in again]
    assert len({id(c) for c in reopened} & {id(c) for c in opened}) == IDLE_KEPT
    for w in again:
        w.close()
