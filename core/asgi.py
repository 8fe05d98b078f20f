"""Django's ASGI handler with each request's middleware and view run in one thread.

MotCua's middleware and views are synchronous; the ASGI server is there for
the display boards' long streams. Django's own handler, when served over
ASGI, runs every middleware in async mode, and each middleware then hops to a
worker thread and back for its request and again for its response: about
thirty hops a request, which cost more than rendering the search page.

Here the middleware chain is loaded in sync mode and the whole of
``get_response`` runs in one hop. An async view still works (Django calls it
through ``async_to_sync`` on the server's event loop) and a streaming
response with an async iterator, a board's stream, is still sent by the
event loop without holding a thread.

Two more limits. Django gives every request a thread of its own, started for
it and joined after it; here a request borrows a thread the process keeps
(its context's executor, which asgiref lets the caller own) and gives it back.
And at most ``REQUEST_THREADS`` requests run their view at once in a
process. Without that bound a burst of intakes ran sixteen views at once in
each process, and the one holding the database's write lock lost the
interpreter to the others between two statements while every other writer
waited for it. The requests beyond the bound wait in the event loop, where
waiting costs nothing; a stream, once its response has started, is not
counted.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.running = asyncio.Semaphore(settings.REQUEST_THREADS)
        self.idle_threads: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # refuses it
            return
        thread = (
            self.idle_threads.pop()
            if self.idle_threads
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        )
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            if len(self.idle_threads) < IDLE_THREADS_KEPT:
                self.idle_threads.append(thread)
            else:
                thread.shutdown(wait=False)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        async with self.running:
            return await sync_to_async(self.get_response, thread_sensitive=True)(request)


# Threads a process keeps for the next requests; a burst beyond them starts more.
IDLE_THREADS_KEPT = 32


def get_asgi_application() -> OneHopASGIHandler:
    """What ``django.core.asgi.get_asgi_application`` does, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
