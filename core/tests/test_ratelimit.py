"""The rate limits' counters: shared by every process, atomic, forgotten when the window ends."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core.cache import cache
from django.db import connections

from core.models import AttemptCount
from core.ratelimit import rate_counts_sweep, rate_limit_hit

NINE = dt.datetime(2026, 3, 2, 2, 0, 10, tzinfo=dt.UTC)  # 10 s into a minute


@pytest.mark.django_db
def test_a_limit_holds_whichever_process_counts_and_ends_with_its_window() -> None:
    with time_machine.travel(NINE, tick=False):
        assert [rate_limit_hit("lookup:10.0.0.1", limit=3, window=60) for _ in range(3)] == [
            None
        ] * 3
        # Another process has its own memory: the count is not kept there.
        cache.clear()
        assert rate_limit_hit("lookup:10.0.0.1", limit=3, window=60) == 50
        assert rate_limit_hit("lookup:10.0.0.2", limit=3, window=60) is None
    with time_machine.travel(NINE + dt.timedelta(seconds=50), tick=False):
        assert rate_limit_hit("lookup:10.0.0.1", limit=3, window=60) is None
    assert rate_counts_sweep(now=NINE + dt.timedelta(seconds=51)) == 2
    assert list(AttemptCount.objects.values_list("key", "count")) == [("lookup:10.0.0.1", 1)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_attempts_counted_at_the_same_moment_are_all_counted() -> None:
    threads, each, limit = 8, 10, 30
    start = threading.Barrier(threads)

    def attempts(_index: int) -> int:
        try:
            start.wait()
            return sum(
                rate_limit_hit("otp-check:10.0.0.9", limit=limit, window=3600) is None
                for _ in range(each)
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        allowed = sum(pool.map(attempts, range(threads)))
    assert allowed == limit
    assert AttemptCount.objects.get().count == threads * each
