"""``manage.py serve``: run this node as a center runs it, not for development.

Collects the static files (with DEBUG off nothing else serves them), starts
the background worker beside the server unless told not to, and serves with
uvicorn worker processes (core.serving) until stopped; the worker stops with it.
A worker that exits by itself is started again: it sends the messages and
keeps the node synchronised, and nobody may notice it stopped.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core.serving import serve


class Command(BaseCommand):
    help = "Serve this node with uvicorn worker processes and its background worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=2, help="server processes (one per CPU core)"
        )
        parser.add_argument(
            "--forwarded-allow-ips",
            default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            help="reverse proxies trusted to say the visitor came over HTTPS",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="the background worker runs elsewhere"
        )

    def handle(self, **options: Any) -> None:
        if settings.DEBUG:
            self.stderr.write(
                "DEBUG is on: a center's server runs with DEBUG=false, SECRET_KEY and "
                "ALLOWED_HOSTS set (see the README)."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = Supervised([sys.executable, str(settings.BASE_DIR / "manage.py"), "worker"])
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']}/ with "
            f"{options['workers']} processes; stop with Ctrl+C."
        )
        try:
            serve(
                options["host"],
                options["port"],
                workers=options["workers"],
                forwarded_allow_ips=options["forwarded_allow_ips"],
            )
        finally:
            if worker is not None:
                worker.stop()


log = logging.getLogger(__name__)

RESTART_AFTER = (1, 5, 30, 60)  # seconds; the last one repeats
HEALTHY_AFTER = 300  # seconds: a worker that ran this long starts again at once


class Supervised:
    """A child process, started again whenever it exits, until :meth:`stop`."""

    def __init__(self, command: Sequence[str]) -> None:
        self.command = list(command)
        self.stopping = threading.Event()
        self.process = subprocess.Popen(self.command)
        self.restarts = 0
        self.watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self.watcher.start()

    def _watch(self) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            code = self.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - started > HEALTHY_AFTER:
                failures = 0
            delay = RESTART_AFTER[min(failures, len(RESTART_AFTER) - 1)]
            log.error("the worker exited with %s; starting it again in %s s", code, delay)
            if self.stopping.wait(delay):
                return
            failures += 1
            self.restarts += 1
            self.process = subprocess.Popen(self.command)

    def stop(self) -> None:
        self.stopping.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.watcher.join(timeout=5)
