"""Django's SQLite backend: writers queued on a file lock, connections kept for reuse.

Every transaction here begins IMMEDIATE, taking SQLite's write lock at once.
A second writer that finds it taken is put to sleep by SQLite's busy handler
in steps of up to 100 ms, whether the lock is freed a millisecond later or
not: under a burst of intakes some requests waited seconds. An exclusive
``flock`` on a file beside the database, taken before BEGIN and dropped at
COMMIT or ROLLBACK, makes the kernel wake the next writer the moment the
lock is free, across threads and processes alike. Readers outside a
transaction are not affected (WAL lets them read while a writer works).

Under the ASGI server each request runs in a thread of its own, so Django's
persistent connections cannot be used there: every request opened the file,
read the schema and warmed an empty page cache, which cost more than the
search it then ran. A closed connection is kept instead, per process and per
database file, and the next request that opens one takes it back. It goes
back only when it is out of any transaction. A kept connection is used again
only while the database's path still names the file it was opened on: each
connection holds a descriptor of that file, so a file deleted and made again
(a test database, a restored copy) can never come back under the same inode
number while an old connection still waits to be used, and the comparison is
exact. Writing the WAL back into the file changes nothing of that, so kept
connections survive checkpoints with their page caches warm.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

# django-stubs leave out the private hooks overridden here.
# mypy: disable-error-code="misc,attr-defined"


# Idle connections kept by one process: enough for the requests a worker
# serves at once; more than that are closed.
IDLE_KEPT = 8

FileStamp = tuple[int, int]  # device, inode


class Pinned:
    """The file a connection was opened on, held open by a descriptor of its own."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        found = os.fstat(self.fd)
        self.stamp: FileStamp = (found.st_dev, found.st_ino)

    def still_at(self, path: str) -> bool:
        try:
            found = Path(path).stat()
        except OSError:
            return False
        return (found.st_dev, found.st_ino) == self.stamp and os.fstat(self.fd).st_nlink > 0

    def release(self) -> None:
        os.close(self.fd)


def _foreign_keys_on(conn: sqlite3.Connection) -> None:
    """Turn foreign key checks back on if whoever used ``conn`` last turned them off.

    Only when needed: setting the pragma, even to the value it has, throws
    away every statement the connection has prepared, and the next request
    would parse and plan each of its statements again.
    """
    if conn.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
        conn.execute("PRAGMA foreign_keys = ON")


# (process, alias, file) -> idle connections, each with the file it was opened on.
_idle: dict[tuple[int, str, str], list[tuple[sqlite3.Connection, Pinned]]] = {}
_idle_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False
    # The file the open connection was first opened on.
    _opened_on: Pinned | None = None

    def _writer_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writer-lock"

    def _take_writer_lock(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_locked:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writer_locked = True

    def _release_writer_lock(self) -> None:
        if self._writer_locked and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
        self._writer_locked = False

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode == "IMMEDIATE":
            self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _idle_key(self) -> tuple[int, str, str]:
        return os.getpid(), self.alias, str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        if self.is_in_memory_db():
            return super().get_new_connection(conn_params)
        path = str(self.settings_dict["NAME"])
        with _idle_lock:
            idle = _idle.get(self._idle_key(), [])
            while idle:
                conn, opened_on = idle.pop()
                if opened_on.still_at(path):
                    _foreign_keys_on(conn)
                    self._opened_on = opened_on
                    return conn
                conn.close()
                opened_on.release()
        conn = super().get_new_connection(conn_params)
        try:
            self._opened_on = Pinned(path)
        except OSError:  # not on disk yet: this connection is not kept
            self._opened_on = None
        return conn

    def _keep_idle(self) -> bool:
        """Keep the open connection for the next one opened here; False if it must close."""
        conn, opened_on = self.connection, self._opened_on
        if conn is None or opened_on is None or self.is_in_memory_db():
            return False
        if conn.in_transaction:
            conn.rollback()
        with _idle_lock:
            idle = _idle.setdefault(self._idle_key(), [])
            if len(idle) >= IDLE_KEPT:
                return False
            idle.append((conn, opened_on))
        self._opened_on = None
        return True

    def _close(self) -> Any:
        try:
            if not self._keep_idle():
                return super()._close()
        finally:
            if self._opened_on is not None:  # closed, not kept
                self._opened_on.release()
                self._opened_on = None
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
