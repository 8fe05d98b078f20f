"""The feed of the display boards: publishing calls and streaming them as server-sent events.

A call is a ``BoardEvent`` row written in the transaction of the call. How a
board learns of it, within a second and whichever server process it is
connected to:

- PostgreSQL: the same transaction sends ``pg_notify('motcua_queue', …)``;
  each server process keeps one listening connection (a thread, started with
  the first board and ended when the last one leaves) and hands every
  notification to the boards connected to that process.
- SQLite: that thread polls ``id > last seen`` every 100 ms, one small
  indexed query per process whatever the number of boards. SQLite commits
  one writer at a time, so ids become visible in order.

Under ASGI (uvicorn) a board is an async generator fed by that thread. Under
a threaded WSGI server (runserver, the test server) each board's thread polls
the table itself, five times a second, and the stream ends after a few
minutes so the browser reconnects (with Last-Event-ID: nothing is lost).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone

from queueing.models import BoardEvent

log = logging.getLogger(__name__)

CHANNEL = "motcua_queue"
POLL_SECONDS = 0.1  # the process-wide poller on SQLite
THREAD_POLL_SECONDS = 0.2  # one board's own poller under WSGI
KEEPALIVE_SECONDS = 10.0
WSGI_STREAM_SECONDS = 300.0
# PostgreSQL hands out ids before commit, so a later id may commit first:
# pollers look this far back and skip what they already sent.
LOOKBACK = 200
FIELDS = ("id", "center_id", "kind", "counter_number", "ticket_number", "at")


def event_dict(row: dict[str, Any]) -> dict[str, Any]:
    at = row["at"]
    return {
        "id": row["id"],
        "center": str(row["center_id"]),
        "kind": row["kind"],
        "counter": row["counter_number"],
        "number": row["ticket_number"],
        "at": timezone.localtime(at).strftime("%H:%M:%S") if at else "",
    }


def board_publish(
    *, center_id: Any, kind: str, counter_number: int, ticket_number: int | None, at: Any
) -> BoardEvent:
    """Record a board event; call inside the transaction of the change it announces."""
    event = BoardEvent.objects.create(
        center_id=center_id,
        kind=kind,
        counter_number=counter_number,
        ticket_number=ticket_number,
        at=at,
    )
    if connection.vendor == "postgresql":
        payload = {f: getattr(event, f) for f in FIELDS}
        with connection.cursor() as cursor:
            # Delivered at commit, never for a rolled-back call.
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, json.dumps(event_dict(payload))])
    return event


def events_after(center_id: Any, after: int, *, lookback: int = 0) -> list[dict[str, Any]]:
    rows = (
        BoardEvent.objects.filter(center_id=center_id, id__gt=max(after - lookback, 0))
        .order_by("id")
        .values(*FIELDS)[:500]
    )
    return [event_dict(row) for row in rows]


def _replay(center_id: Any, after: int) -> list[dict[str, Any]]:
    """Events a board missed; the connection is closed after, so a stream holds none."""
    try:
        return events_after(center_id, after)
    finally:
        connection.close()


def last_event_id(center_id: Any) -> int:
    last = BoardEvent.objects.filter(center_id=center_id).order_by("-id").values("id").first()
    return int(last["id"]) if last else 0


def sse(event: dict[str, Any]) -> str:
    return f"id: {event['id']}\nevent: board\ndata: {json.dumps(event)}\n\n"


class _Seen:
    """Ids already sent on one stream, bounded."""

    def __init__(self) -> None:
        self.order: deque[int] = deque(maxlen=4 * LOOKBACK)
        self.ids: set[int] = set()
        self.high = 0

    def add(self, event_id: int) -> bool:
        if event_id in self.ids or (event_id <= self.high - 4 * LOOKBACK):
            return False
        if len(self.order) == self.order.maxlen:
            self.ids.discard(self.order[0])
        self.order.append(event_id)
        self.ids.add(event_id)
        self.high = max(self.high, event_id)
        return True


# -- one process, many boards: the hub ---------------------------------------------------------


Deliver = Callable[[dict[str, Any]], None]


class Hub:
    """Watches for board events in one thread and hands them to this process's boards."""

    IDLE_SECONDS = 30.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, tuple[str, Deliver]] = {}
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        # Set once the watcher has fixed its starting point (read the last id,
        # or LISTEN is in place): whatever commits after that reaches the boards,
        # so a stream replays the table only once the watcher is ready.
        self._ready = threading.Event()

    def subscribe(self, center_id: object, deliver: Deliver) -> int:
        with self._lock:
            token = next(self._ids)
            self._subscribers[token] = (str(center_id), deliver)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._ready.clear()
                self._thread = threading.Thread(
                    target=self._run, name="queue-board-hub", daemon=True
                )
                self._thread.start()
        return token

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the watcher follows new events, so a replay done after leaves no gap."""
        return self._ready.wait(timeout)

    def unsubscribe(self, token: int) -> None:
        with self._lock:
            self._subscribers.pop(token, None)

    def stop(self) -> None:
        """End the watching thread now (tests, shutdown)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(5)

    def _dispatch(self, event: dict[str, Any]) -> None:
        with self._lock:
            targets = [d for c, d in self._subscribers.values() if c == event["center"]]
        for deliver in targets:
            try:
                deliver(event)
            except Exception:  # a closed loop: that board is gone
                log.debug("board subscriber failed", exc_info=True)

    def _idle_for(self, since: list[float]) -> float:
        with self._lock:
            if self._subscribers:
                since[0] = time.monotonic()
                return 0.0
        return time.monotonic() - since[0]

    def _run(self) -> None:
        try:
            if connection.vendor == "postgresql":
                self._listen()
            else:
                self._poll()
        except Exception:
            log.exception("the board hub stopped")
        finally:
            connection.close()
            with self._lock:
                self._thread = None
                self._ready.clear()

    def _poll(self) -> None:
        last = BoardEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self._ready.set()
        since = [time.monotonic()]
        while not self._stop.is_set() and self._idle_for(since) < self.IDLE_SECONDS:
            try:
                rows = list(
                    BoardEvent.objects.filter(id__gt=last).order_by("id").values(*FIELDS)[:500]
                )
            except Exception:
                log.warning("board poll failed; retrying", exc_info=True)
                connection.close()
                self._stop.wait(1.0)
                continue
            for row in rows:
                last = row["id"]
                self._dispatch(event_dict(row))
            self._stop.wait(POLL_SECONDS)

    def _listen(self) -> None:
        import psycopg

        params = connection.settings_dict
        conninfo = psycopg.conninfo.make_conninfo(
            dbname=params["NAME"] or "",
            user=params["USER"] or "",
            password=params["PASSWORD"] or "",
            host=params["HOST"] or "",
            port=str(params["PORT"] or ""),
        )
        since = [time.monotonic()]
        while not self._stop.is_set() and self._idle_for(since) < self.IDLE_SECONDS:
            try:
                with psycopg.connect(conninfo, autocommit=True) as listener:
                    listener.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    while not self._stop.is_set() and self._idle_for(since) < self.IDLE_SECONDS:
                        for note in listener.notifies(timeout=1.0):
                            self._dispatch(json.loads(note.payload))
            except psycopg.OperationalError:
                log.warning("board listener lost its connection; reconnecting", exc_info=True)
                self._stop.wait(1.0)


hub = Hub()


# -- streams -----------------------------------------------------------------------------------


async def stream_async(center_id: object, after: int) -> AsyncIterator[str]:
    """A board's stream under ASGI: events since ``after``, then what the hub hands over."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def deliver(event: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)

    token = hub.subscribe(center_id, deliver)
    seen = _Seen()
    try:
        yield "retry: 2000\n\n"
        await asyncio.to_thread(hub.wait_ready)
        for event in await sync_to_async(_replay)(center_id, after):
            if seen.add(event["id"]):
                yield sse(event)
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event["id"] > after and seen.add(event["id"]):
                yield sse(event)
    finally:
        hub.unsubscribe(token)


class _WsgiStreams:
    """The polling streams of this process, so they can be ended together (tests, shutdown)."""

    def __init__(self) -> None:
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.count = 0

    def close_all(self, timeout: float = 5.0) -> None:
        self.closing.set()
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # let each server thread finish its response
        self.closing.clear()


wsgi_streams = _WsgiStreams()


def stream_sync(center_id: object, after: int) -> Iterator[str]:
    """A board's stream under WSGI: this thread polls the table itself."""
    lookback = LOOKBACK if connection.vendor == "postgresql" else 0
    seen = _Seen()
    low = after
    with wsgi_streams.lock:
        wsgi_streams.count += 1
    try:
        yield "retry: 2000\n\n"
        started = last_sent = time.monotonic()
        while time.monotonic() - started < WSGI_STREAM_SECONDS:
            for event in events_after(center_id, low, lookback=lookback):
                if event["id"] > after and seen.add(event["id"]):
                    low = max(low, event["id"])
                    last_sent = time.monotonic()
                    yield sse(event)
            if time.monotonic() - last_sent > KEEPALIVE_SECONDS:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
            if wsgi_streams.closing.wait(THREAD_POLL_SECONDS):
                return
    finally:
        with wsgi_streams.lock:
            wsgi_streams.count -= 1
