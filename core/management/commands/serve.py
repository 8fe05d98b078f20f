"""``manage.py serve``: run this node as a center runs it, not for development.

Collects the static files (with DEBUG off nothing else serves them), starts
the background worker beside the server unless told not to, and serves with
uvicorn worker processes (core.serving) until stopped; the worker stops with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
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
            manage = str(settings.BASE_DIR / "manage.py")
            worker = subprocess.Popen([sys.executable, manage, "worker"])
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
                worker.terminate()
                worker.wait(timeout=30)
