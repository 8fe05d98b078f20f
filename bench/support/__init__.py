"""What the benchmark scripts share: a real server, a load driver, throw-away
databases and the section of docs/benchmarks.md each script owns.

A script in bench/ starts with::

    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    from bench import support

so that its own folder does not hide the project's packages.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
STARTED = time.monotonic()


def say(label: str, text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] [{label}] {text}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# -- the machine --------------------------------------------------------------------------------


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop, best of three: how fast the CPU is right now.

    The machines these benchmarks run on share their CPUs with others; the
    same code measured a third as fast from one hour to the next. The loop,
    read at the start and at the end of a run, tells which kind of hour it was.
    """
    best = float("inf")
    for _ in range(3):
        begin = time.perf_counter()
        total = 0
        for number in range(3_000_000):
            total += number
        best = min(best, time.perf_counter() - begin)
    return best


SPEED_BEFORE = reference_loop()


def machine() -> str:
    return (
        f"{platform.platform()}, {cpu_name()}, {os.cpu_count()} CPUs; a reference Python loop "
        f"took {SPEED_BEFORE:.2f} s before the run and {reference_loop():.2f} s after "
        "(lower is faster; compare it between sections)"
    )


def python() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


# -- docs/benchmarks.md ---------------------------------------------------------------------------


def replace_section(text: str, section: str) -> str:
    """``text`` with the section that starts with the same ``## `` title replaced, or appended."""
    title = section.splitlines()[0].rstrip()
    pattern = re.compile(rf"^{re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
    block = section.rstrip("\n") + "\n"
    if pattern.search(text):
        return pattern.sub(lambda _match: block + "\n", text, count=1).rstrip("\n") + "\n"
    if not text.strip():
        return "# Benchmarks\n\n" + block
    return text.rstrip("\n") + "\n\n" + block


def write_section(path: Path | None, section: str) -> None:
    print(section)
    if path is None:
        return
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(existing, section), encoding="utf-8")


# -- load driver -----------------------------------------------------------------------------------


@dataclass
class Run:
    ok: int
    errors: Counter[str]  # by HTTP status or exception, with one answer kept per kind
    samples: dict[str, str]
    seconds: float
    latencies: list[float]

    def error_text(self) -> str:
        if not self.errors:
            return "no errors"
        kinds = self.errors.most_common()
        return "errors: " + ", ".join(
            f"{n} HTTP {kind}" if kind.isdigit() else f"{n} {kind}" for kind, n in kinds
        )

    @property
    def answered(self) -> int:
        return self.ok + sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        return percentile(self.latencies, p)


# (client number, request number) -> (method, path, JSON body or None)
Request = Callable[[int, int], tuple[str, str, bytes | None]]


def drive(
    port: int,
    request: Request,
    *,
    clients: int,
    seconds: float,
    expect: int,
    headers: dict[str, str] | None = None,
    max_requests: int = 200_000,
    requests_per_connection: int = 0,
    rate: float = 0.0,
) -> Run:
    """``clients`` threads, each on one keep-alive connection, until time or count runs out.

    Without ``rate`` each client sends its next request as soon as the last
    is answered (the server's most, and a queue in front of it). With
    ``rate`` requests arrive at random (Poisson) at that many a second,
    whoever answers, and each latency counts from when its request was due:
    a request that waited for a free client thread waited for the server.

    With ``requests_per_connection`` a client hangs up after that many
    requests and connects again, as a new visitor would: the server's worker
    processes then share the clients as they would share many people, instead
    of keeping whatever split the first few connections happened to get.
    """
    start = threading.Barrier(clients + 1)
    deadline = [0.0]
    per_client = max_requests // clients
    results: list[tuple[int, list[float]]] = []
    errors: Counter[str] = Counter()
    samples: dict[str, str] = {}
    lock = threading.Lock()

    def failed(kind: str, text: str) -> None:
        with lock:
            errors[kind] += 1
            samples.setdefault(kind, text[:500])

    arrivals = random.Random(1)
    due = [0.0]

    def next_due() -> float:
        with lock:
            due[0] = max(due[0], deadline[0] - seconds) + arrivals.expovariate(rate)
            return due[0]

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        ok = 0
        latencies: list[float] = []
        start.wait()
        number = 0
        while number < per_client and time.perf_counter() < deadline[0]:
            when = next_due() if rate else 0.0
            if when >= deadline[0]:
                break
            time.sleep(max(0.0, when - time.perf_counter()))
            method, path, body = request(index, number)
            if requests_per_connection and number and number % requests_per_connection == 0:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
            number += 1
            sent = dict(headers or {})
            if body is not None:
                sent["Content-Type"] = "application/json"
            begin = when or time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                failed(type(exc).__name__, str(exc))
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            latencies.append(time.perf_counter() - begin)
            if response.status == expect:
                ok += 1
            else:
                failed(str(response.status), answer.decode(errors="replace"))
        connection.close()
        with lock:
            results.append((ok, latencies))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - began
    return Run(
        ok=sum(r[0] for r in results),
        errors=errors,
        samples=samples,
        seconds=elapsed,
        latencies=[x for r in results for x in r[1]],
    )


# -- a real server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def child(env: dict[str, str], *args: str) -> str:
    """Run a Python child in the project folder; its output, or its errors if it fails."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def uvicorn_path() -> tuple[str, str]:
    """A PYTHONPATH entry the server needs (none: uvicorn is a requirement), and a note
    naming the server's parts and versions for the report."""
    probe = [
        sys.executable,
        "-c",
        "import httptools, uvicorn, uvloop; "
        "print(uvicorn.__version__, httptools.__version__, uvloop.__version__)",
    ]
    found = subprocess.run(probe, capture_output=True, text=True, check=True)
    uvicorn, httptools, uvloop = found.stdout.split()
    return "", f"uvicorn {uvicorn} with httptools {httptools} and uvloop {uvloop}"


@contextlib.contextmanager
def server(
    env: dict[str, str],
    port: int,
    log: Path,
    *,
    interface: str = "wsgi",
    workers: int = 2,
    ready_path: str = "/api/ping",
    application: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """The project served by uvicorn worker processes on 127.0.0.1:``port`` until the block ends.

    ``interface`` is "wsgi" (Django's WSGI handler) or "asgi"; ``application``
    ("module:name") replaces the project's application of that interface. Put
    uvicorn on the path with :func:`uvicorn_path` first (``env["PYTHONPATH"]``).
    """
    command = [
        sys.executable,
        str(Path(__file__).with_name("serve.py")),
        str(port),
        interface,
        str(workers),
        *([application] if application else []),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                probe = http.client.HTTPConnection(HOST, port, timeout=2)
                probe.request("GET", ready_path)
                if probe.getresponse().status < 500:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not answer within 30 seconds")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this benchmark started
            process.wait()


def group_cpu_seconds(group: int) -> float:
    """CPU time (user and system) used so far by the live processes of a process group,
    such as a server started by :func:`server`; 0.0 where /proc is missing."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:  # pgrp
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


EXCEPTION_LINE = re.compile(r"^[\w.]+(?:Error|Exception): .+$", re.M)


def exceptions_in(log: Path) -> list[str]:
    """The distinct exceptions a server logged, one line each."""
    found = EXCEPTION_LINE.findall(log.read_text(errors="replace"))
    return list(dict.fromkeys(line[:200] for line in found))


def node_env(var_dir: str, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a production-like node with its files in ``var_dir``."""
    env = {
        **os.environ,
        "MOTCUA_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + os.urandom(8).hex(),
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "ERROR",
        "NODE_ID": "bench",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# -- databases ------------------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        ident = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(ident))


@contextlib.contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """A fresh database for the block, dropped after it; yields its URL."""
    recreate_database(admin_url, name)
    try:
        yield database_url(admin_url, name)
    finally:
        recreate_database(admin_url, name, drop_only=True)


def postgres_version(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0]}" if row else "PostgreSQL"


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version
