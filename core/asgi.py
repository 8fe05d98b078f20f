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

The hop goes to a pool of ``REQUEST_THREADS`` threads kept by the process.
Django's handler starts a thread for every request instead, so a burst of
requests ran in as many threads at once: each request paid for a thread and,
on SQLite, a connection of its own, and a request holding the database's
write lock lost the interpreter to the others between two statements while
every other writer waited for it. A few threads keep the process busy while
one waits on the database; the requests beyond them wait their turn in the
event loop, where waiting costs nothing.
"""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class OneHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.running = asyncio.Semaphore(settings.REQUEST_THREADS)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        async with self.running:
            return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> OneHopASGIHandler:
    """What ``django.core.asgi.get_asgi_application`` does, with the handler above."""
    import django

    django.setup(set_prefix=False)
    return OneHopASGIHandler()
