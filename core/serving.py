"""The server a node runs: uvicorn worker processes sharing one listening socket.

Kept free of Django at import time: the benchmark scripts start it without
setting Django up.
"""

from __future__ import annotations

import socket

APPLICATIONS = {"asgi": "motcua.asgi:application", "wsgi": "motcua.wsgi:application"}


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the workers share, bound with the TCP protocol named.

    uvicorn binds its own without naming it, and asyncio then leaves Nagle's
    algorithm on for the connections it accepts: an answer written in two
    pieces waits about 40 ms for the client's delayed acknowledgement.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(
    host: str,
    port: int,
    *,
    workers: int,
    interface: str = "asgi",
    access_log: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
    application: str | None = None,
) -> None:
    """Serve until stopped. ``interface`` "asgi" is the project's own handler (the display
    boards' streams need it); "wsgi" is Django's WSGI one. A reverse proxy at one of
    ``forwarded_allow_ips`` may say the visitor came over HTTPS (X-Forwarded-Proto).
    ``application`` ("module:name") serves another application of that interface, such
    as one a benchmark wraps around the project's."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        application or APPLICATIONS[interface],
        interface="wsgi" if interface == "wsgi" else "auto",
        host=host,
        port=port,
        workers=workers,
        lifespan="off",
        access_log=access_log,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    Multiprocess(config, sockets=[listening_socket(host, port)]).run()
