"""Serve the project with uvicorn worker processes: ``serve.py PORT wsgi|asgi WORKERS [APP]``.

The same server a node runs (``manage.py serve``, see core.serving), on
127.0.0.1, without the static files' collection and the background worker.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from core.serving import serve  # noqa: E402

if __name__ == "__main__":
    port, interface, workers, *application = sys.argv[1:]
    serve(
        "127.0.0.1",
        int(port),
        workers=int(workers),
        interface=interface,
        application=application[0] if application else None,
    )
