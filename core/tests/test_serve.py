"""``manage.py serve`` answers as a center's server would: DEBUG off, static files served."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _production(var_dir: Path, **extra: str) -> dict[str, str]:
    """A node's environment with DEBUG off, on its own SQLite file in ``var_dir``."""
    env = {
        **os.environ,
        "MOTCUA_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "DEBUG": "false",
        "SECRET_KEY": "serve-test-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        **extra,
    }
    env.pop("DATABASE_URL", None)
    return env


def test_the_production_server_serves_the_api_and_static_files_with_debug_off(
    tmp_path: Path,
) -> None:
    env = _production(tmp_path)
    port = _free_port()
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "1", "--no-worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            try:
                status, _body = _get(port, "/api/ping")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer within 30 seconds")
        assert status == 200

        status, css = _get(port, "/static/css/motcua.css")
        assert status == 200 and b".site-header" in css
        status, script = _get(port, "/static/vendor/htmx/htmx.min.js")
        assert status == 200 and len(script) > 10_000
        assert (tmp_path / "static" / "css" / "motcua.css").exists()  # collected at start
        # The API's documentation page and the files it loads, from the library's own folder.
        status, page = _get(port, "/api/docs")
        assert status == 200 and b"/static/ninja/swagger-ui-bundle.js" in page
        status, _bundle = _get(port, "/static/ninja/swagger-ui-bundle.js")
        assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_https_only_makes_the_cookies_secure_and_the_deploy_check_agrees(tmp_path: Path) -> None:
    env = _production(tmp_path, ALLOWED_HOSTS="motcua.example.gov.vn")
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "check", "--deploy"]

    def warnings(**extra: str) -> str:
        done = subprocess.run(
            command, cwd=settings.BASE_DIR, env={**env, **extra}, capture_output=True, text=True
        )
        return done.stdout + done.stderr

    plain = warnings()
    assert "security.W012" in plain and "security.W016" in plain and "security.W008" in plain
    secure = warnings(HTTPS_ONLY="true")
    assert "security.W012" not in secure and "security.W016" not in secure
    assert "security.W008" not in secure


def test_a_worker_that_exits_is_started_again_until_the_server_stops(monkeypatch) -> None:
    from core.management.commands import serve

    monkeypatch.setattr(serve, "RESTART_AFTER", (0.05,))
    # A "worker" that exits at once, every time.
    child = serve.Supervised([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 20
    while child.restarts < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.restarts >= 3
    child.stop()
    after = child.restarts
    time.sleep(0.3)
    assert child.restarts == after and not child.watcher.is_alive()
