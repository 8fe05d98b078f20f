"""Django's SQLite backend, with writers queued on a file lock instead of polling.

Every transaction here begins IMMEDIATE, taking SQLite's write lock at once.
A second writer that finds it taken is put to sleep by SQLite's busy handler
in steps of up to 100 ms, whether the lock is freed a millisecond later or
not: under a burst of intakes some requests waited seconds. An exclusive
``flock`` on a file beside the database, taken before BEGIN and dropped at
COMMIT or ROLLBACK, makes the kernel wake the next writer the moment the
lock is free, across threads and processes alike. Readers outside a
transaction are not affected (WAL lets them read while a writer works).
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base

# django-stubs leave out the private hooks overridden here.
# mypy: disable-error-code="misc,attr-defined"


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writer_locked = False

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

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
