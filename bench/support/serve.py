"""Serve the project with uvicorn worker processes: ``serve.py PORT wsgi|asgi WORKERS``.

uvicorn binds its shared socket without naming the protocol, so asyncio does
not switch Nagle's algorithm off on the connections it accepts: every answer
sent in two writes then waits ~40 ms for a delayed ACK. Binding the socket
here with IPPROTO_TCP avoids measuring that artefact.
"""

import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

INTERFACES = {"asgi": "motcua.asgi:application", "wsgi": "motcua.wsgi:application"}


def main(port: int, interface: str, workers: int) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        INTERFACES[interface],
        interface="wsgi" if interface == "wsgi" else "auto",
        host="127.0.0.1",
        port=port,
        workers=workers,
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
