"""The ASGI entry point: sync middleware and views in one thread hop, streams still async."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import iscoroutinefunction
from django.core.handlers.asgi import ASGIHandler
from django.urls import reverse

from core.asgi import OneHopASGIHandler
from queueing.board import hub
from units.models import Unit

Message = dict[str, Any]


def _scope(path: str, query: str = "", language: str = "en") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"accept-language", language.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _get(
    app: Callable[..., Awaitable[None]],
    path: str,
    *,
    until: Callable[[list[Message]], bool],
    language: str = "en",
) -> list[Message]:
    """Send a GET to ``app`` and collect what it sends until ``until`` holds, then hang up."""
    sent: list[Message] = []
    enough = asyncio.Event()
    asked = False

    async def receive() -> Message:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await enough.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if until(sent):
            enough.set()

    await asyncio.wait_for(app(_scope(path, language=language), receive, send), timeout=10)
    return sent


def _run(coroutine: Awaitable[list[Message]]) -> list[Message]:
    # A browser test earlier in this worker may leave an event loop running
    # in this thread: run the request's loop on a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()  # type: ignore[arg-type]


def _finished(sent: list[Message]) -> bool:
    return bool(sent) and sent[-1]["type"] == "http.response.body" and not sent[-1].get("more_body")


def test_the_middleware_chain_is_plain_sync_code_unlike_djangos_own() -> None:
    # Django's handler runs each middleware in async mode, hopping to a
    # thread and back for each; this one calls the chain once, in one thread.
    assert not iscoroutinefunction(OneHopASGIHandler()._middleware_chain)
    assert iscoroutinefunction(ASGIHandler()._middleware_chain)


@pytest.mark.django_db(transaction=True)
def test_a_page_is_served_with_its_middleware_in_the_views_thread() -> None:
    threads: set[int] = set()
    from django.template import context_processors

    original = context_processors.request

    def spy(request: Any) -> dict[str, Any]:
        threads.add(threading.get_ident())
        return original(request)

    handler = OneHopASGIHandler()
    chain = handler._middleware_chain

    def chain_spy(request: Any) -> Any:
        threads.add(threading.get_ident())
        return chain(request)

    handler._middleware_chain = chain_spy
    context_processors.request = spy  # type: ignore[assignment]
    try:
        sent = _run(_get(handler, reverse("portal:lookup"), until=_finished))
    finally:
        context_processors.request = original  # type: ignore[assignment]
    assert sent[0]["status"] == 200
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"Track a dossier" in body  # Accept-Language: en, through LocaleMiddleware
    assert len(threads) == 1  # the chain and the view's template, one thread


@pytest.mark.django_db(transaction=True)
def test_a_board_stream_is_still_sent_by_the_event_loop(ward_center: Unit) -> None:
    handler = OneHopASGIHandler()
    path = reverse("queueing:board_events", args=[ward_center.code])

    def first_chunk(sent: list[Message]) -> bool:
        return any(m["type"] == "http.response.body" and m.get("body") for m in sent)

    try:
        sent = _run(_get(handler, path, until=first_chunk))
    finally:
        hub.stop()  # the stream started the process's watcher; no thread outlives the test
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"Content-Type"] == b"text/event-stream"
    assert sent[1]["body"].startswith(b"retry:")


@pytest.mark.django_db(transaction=True)
def test_no_more_requests_run_at_once_than_the_process_has_threads_for(settings: Any) -> None:
    settings.REQUEST_THREADS = 2
    handler = OneHopASGIHandler()
    chain = handler._middleware_chain
    running = 0
    most = 0
    lock = threading.Lock()

    def slow_chain(request: Any) -> Any:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.05)
            return chain(request)
        finally:
            with lock:
                running -= 1

    handler._middleware_chain = slow_chain

    async def six_at_once() -> list[list[Message]]:
        path = "/api/ping"
        return list(await asyncio.gather(*(_get(handler, path, until=_finished) for _ in range(6))))

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        answers = pool.submit(asyncio.run, six_at_once()).result()
    assert [sent[0]["status"] for sent in answers] == [200] * 6
    assert most == 2


@pytest.mark.django_db(transaction=True)
def test_requests_one_after_another_reuse_the_processs_thread() -> None:
    handler = OneHopASGIHandler()
    chain = handler._middleware_chain
    threads: list[int] = []

    def chain_spy(request: Any) -> Any:
        threads.append(threading.get_ident())
        return chain(request)

    handler._middleware_chain = chain_spy

    async def three_in_turn() -> list[int]:
        statuses = []
        for _ in range(3):
            sent = await _get(handler, "/api/ping", until=_finished)
            statuses.append(sent[0]["status"])
        return statuses

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, three_in_turn()).result() == [200] * 3
    assert len(threads) == 3 and len(set(threads)) == 1
    assert len(handler.idle_threads) == 1


@pytest.mark.django_db(transaction=True)
def test_a_kept_thread_carries_no_language_from_one_request_to_the_next() -> None:
    handler = OneHopASGIHandler()
    path = reverse("portal:lookup")

    async def in_turn() -> list[bytes]:
        bodies = []
        for language in ("vi", "en", "vi"):
            sent = await _get(handler, path, until=_finished, language=language)
            bodies.append(b"".join(m.get("body", b"") for m in sent if "body" in m))
        return bodies

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        vi, en, vi_again = pool.submit(asyncio.run, in_turn()).result()
    assert "Tra cứu hồ sơ".encode() in vi and b"Track a dossier" not in vi
    assert b"Track a dossier" in en
    assert "Tra cứu hồ sơ".encode() in vi_again
    assert len(handler.idle_threads) == 1  # all three in the one kept thread
