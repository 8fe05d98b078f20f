"""How fast a node receives dossiers: through the services, and through the JSON API.

    .venv/bin/python bench/intake.py [--markdown docs/benchmarks.md]
                                     [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database (a throwaway SQLite file in a temporary MOTCUA_VAR_DIR
always; with ``--postgres``, a fresh database ``motcua_bench`` created
through that URL and dropped at the end) it migrates, loads the demo
province without its simulated history, then measures:

1. dossiers received per second by ``dossier_intake`` in one process;
2. a real server on 127.0.0.1 (uvicorn, 2 worker processes, DEBUG off),
   first through Django's ASGI handler, then through its WSGI one, each
   driven by 32 client threads with keep-alive connections for a bounded
   time: POST /api/dossiers (bearer token), and GET /api/ping as the baseline.

uvicorn is not a project requirement: when the virtualenv lacks it, the
benchmark installs it with ``pip --target var/bench-tools`` and says so.
Only loopback addresses are used. Both databases take under two minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOLS = ROOT / "var" / "bench-tools"
SECTION = "## Dossier intake"
BENCH_DB = "motcua_bench"
PROCEDURE = "1.004873"  # marital status certificate: ward level, 3 working days
DESK_USER = "desk"  # a desk officer of the demo province (core.demo)
HOST = "127.0.0.1"
WORKERS = 2
MAX_REQUESTS = 200_000  # per endpoint, a bound on top of the time limit
PIP_INSTALL = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
STARTED = time.monotonic()
LOAD_BEFORE = " / ".join(f"{x:.1f}" for x in os.getloadavg())


def say(label: str, text: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.1f} s] [{label}] {text}", flush=True)


# -- inside a child process with Django set up -------------------------------------------------


def _django() -> None:
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()


def prepare(seconds: float) -> dict[str, Any]:
    """Time ``dossier_intake`` in this process, then hand the API run what it needs."""
    _django()
    from accounts.api_auth import api_token_issue
    from accounts.models import User
    from catalog.models import Procedure
    from dossiers.services import ApplicantIn, PaperIn, dossier_intake

    desk = User.objects.prefetch_related("assignments").get(username=DESK_USER)
    unit = desk.assignments.get().unit
    version = Procedure.objects.get(code=PROCEDURE).current_version
    assert version is not None
    case = version.cases.order_by("position").first()
    assert case is not None
    mandatory = [c for c in case.components.all() if c.mandatory]
    papers = [PaperIn(component_id=c.pk, originals=max(c.originals, 1)) for c in mandatory]

    def one(number: int) -> None:
        applicant = ApplicantIn(full_name=f"Người Thử {number}", id_number=f"{number:012d}")
        dossier_intake(actor=desk, unit=unit, case=case, applicant=applicant, papers=papers)

    for number in range(20):  # warm caches and the connection
        one(900_000_000_000 + number)
    timings: list[float] = []
    started = time.perf_counter()
    number = 0
    while time.perf_counter() - started < seconds and number < MAX_REQUESTS:
        begin = time.perf_counter()
        one(800_000_000_000 + number)
        timings.append(time.perf_counter() - begin)
        number += 1
    elapsed = time.perf_counter() - started

    _token, key = api_token_issue(user=desk, name="benchmark")
    return {
        "service": {"count": number, "seconds": elapsed, "p50": statistics.median(timings)},
        "token": key,
        "case_id": str(case.pk),
        "papers": [
            {"component_id": str(c.pk), "originals": max(c.originals, 1)} for c in mandatory
        ],
    }


# -- load generator ------------------------------------------------------------------------------


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
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


Request = Callable[[int, int], tuple[str, str, bytes | None]]


def drive(
    port: int,
    request: Request,
    *,
    clients: int,
    seconds: float,
    expect: int,
    headers: dict[str, str] | None = None,
) -> Run:
    """``clients`` threads, each on one keep-alive connection, until time or count runs out."""
    start = threading.Barrier(clients + 1)
    deadline = [0.0]
    per_client = MAX_REQUESTS // clients
    results: list[tuple[int, list[float]]] = []
    errors: Counter[str] = Counter()
    samples: dict[str, str] = {}
    lock = threading.Lock()

    def failed(kind: str, text: str) -> None:
        with lock:
            errors[kind] += 1
            samples.setdefault(kind, text[:500])

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        ok = 0
        latencies: list[float] = []
        start.wait()
        number = 0
        while number < per_client and time.perf_counter() < deadline[0]:
            method, path, body = request(index, number)
            number += 1
            sent = dict(headers or {})
            if body is not None:
                sent["Content-Type"] = "application/json"
            begin = time.perf_counter()
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


# -- orchestration -----------------------------------------------------------------------------


def uvicorn_path() -> tuple[str, str]:
    """A PYTHONPATH entry that makes uvicorn importable, and a note on where it came from."""
    probe = [sys.executable, "-c", "import uvicorn; print(uvicorn.__version__)"]
    found = subprocess.run(probe, capture_output=True, text=True)
    if found.returncode == 0:
        return "", f"uvicorn {found.stdout.strip()} (from the virtualenv)"
    env = {**os.environ, "PYTHONPATH": str(TOOLS)}
    found = subprocess.run(probe, capture_output=True, text=True, env=env)
    if found.returncode != 0:
        print(f"uvicorn is missing: installing it into {TOOLS} (not a project requirement)")
        subprocess.run(
            [*PIP_INSTALL, "--target", str(TOOLS), "uvicorn"],
            check=True,
        )
        found = subprocess.run(probe, capture_output=True, text=True, env=env, check=True)
    version = found.stdout.strip()
    return str(TOOLS), f"uvicorn {version} (not a requirement: pip-installed into var/bench-tools)"


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


INTERFACES = {"asgi": "motcua.asgi:application", "wsgi": "motcua.wsgi:application"}


def serve(port: int, interface: str, workers: int) -> None:
    """uvicorn with worker processes, as ``uvicorn --workers`` runs it, but on a TCP socket.

    uvicorn binds its shared socket without naming the protocol, so asyncio
    does not switch Nagle's algorithm off on the connections it accepts: every
    answer sent in two writes then waits ~40 ms for a delayed ACK. Binding the
    socket here with IPPROTO_TCP avoids measuring that artefact.
    """
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        INTERFACES[interface],
        interface="wsgi" if interface == "wsgi" else "auto",
        host=HOST,
        port=port,
        workers=workers,
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


def demo_options(env: dict[str, str]) -> list[str]:
    """Units, logins and catalog only: simulated history would only slow the setup down."""
    usage = subprocess.run(
        [sys.executable, "manage.py", "demo", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return ["--no-history"] if "--no-history" in usage else []


@contextlib.contextmanager
def server(
    env: dict[str, str], port: int, interface: str, workers: int, log: Path
) -> Iterator[None]:
    command = [sys.executable, __file__, "--serve", str(port), interface, str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                probe = http.client.HTTPConnection(HOST, port, timeout=2)
                probe.request("GET", "/api/ping")
                if probe.getresponse().status == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not answer within 20 seconds")
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this benchmark started
            process.wait()


EXCEPTION_LINE = re.compile(r"^[\w.]+(?:Error|Exception): .+$", re.M)


def exceptions_in(log: Path) -> list[str]:
    """The distinct exceptions a server logged, one line each."""
    found = EXCEPTION_LINE.findall(log.read_text(errors="replace"))
    return list(dict.fromkeys(line[:200] for line in found))


def database_url(admin_url: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(admin_url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        name = sql.Identifier(BENCH_DB)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def postgres_version(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0]}" if row else "PostgreSQL"


def run_backend(
    label: str, admin_url: str | None, args: argparse.Namespace, tools: str
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as var_dir:
        env = {
            **os.environ,
            "MOTCUA_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-" + os.urandom(8).hex(),
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "ERROR",
            "NODE_ID": "bench",
        }
        env.pop("DATABASE_URL", None)
        if admin_url:
            recreate_database(admin_url)
            env["DATABASE_URL"] = database_url(admin_url)
        try:
            say(label, "migrating and loading the demo province")
            child(env, "manage.py", "migrate", "--no-input", "-v", "0")
            child(env, "manage.py", "demo", *demo_options(env))
            say(label, f"service layer, one process, {args.seconds:g} s")
            prepared = child(env, __file__, "--prepare", str(args.seconds))
            fixture = json.loads(prepared.strip().splitlines()[-1])
            headers = {"Authorization": f"Bearer {fixture['token']}"}

            def ping(_client: int, _number: int) -> tuple[str, str, bytes | None]:
                return "GET", "/api/ping", None

            def intake(client: int, number: int) -> tuple[str, str, bytes | None]:
                body = {
                    "case_id": fixture["case_id"],
                    "applicant": {
                        "full_name": f"Người Thử {client}-{number}",
                        "id_number": f"{client + 1:03d}{number:09d}",
                    },
                    "papers": fixture["papers"],
                    "channel": "direct",
                }
                return "POST", "/api/dossiers", json.dumps(body).encode()

            server_env = dict(env)
            if tools:
                server_env["PYTHONPATH"] = tools
            api: dict[str, tuple[Run, Run]] = {}
            problems: list[str] = []
            for interface in INTERFACES:
                port = free_port()
                log = Path(var_dir) / f"server-{interface}.log"
                with server(server_env, port, interface, args.workers, log):
                    say(label, f"API over {interface.upper()}, {args.clients} clients")
                    drive(port, ping, clients=args.clients, seconds=1, expect=200)  # warm up
                    ping_run = drive(
                        port, ping, clients=args.clients, seconds=args.seconds, expect=200
                    )
                    intake_run = drive(
                        port,
                        intake,
                        clients=args.clients,
                        seconds=args.seconds,
                        expect=201,
                        headers=headers,
                    )
                api[interface] = (ping_run, intake_run)
                for kind, text in {**ping_run.samples, **intake_run.samples}.items():
                    say(label, f"an answer counted as error ({kind}): {text}")
                if any(kind.startswith("5") for kind in {**ping_run.errors, **intake_run.errors}):
                    say(label, "the server's log ends with:\n" + log.read_text()[-3000:])
                for line in exceptions_in(log):
                    problems.append(f"{label}, {interface.upper()}: `{line}`")
                say(label, f"{interface.upper()} server stopped")
        finally:
            if admin_url:
                recreate_database(admin_url, drop_only=True)
    version = postgres_version(admin_url) if admin_url else f"SQLite {sqlite_version()}"
    return {
        "label": label,
        "version": version,
        "service": fixture["service"],
        "api": api,
        "problems": problems,
    }


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


# -- report ------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(results: list[dict[str, Any]], args: argparse.Namespace, server_note: str) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        SECTION,
        "",
        f"Measured by `bench/intake.py` on {date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {platform.platform()}, {cpu}, {os.cpu_count()} CPUs |",
        f"| Python | {platform.python_implementation()} {platform.python_version()} |",
        f"| Server | {server_note}; {args.workers} worker processes on {HOST}, DEBUG off; "
        "Django's ASGI handler (`motcua.asgi`), then its WSGI one (`motcua.wsgi`) |",
        f"| Load | {args.clients} client threads on the same CPUs, one keep-alive "
        f"connection each, {args.seconds:g} s per endpoint; load average before the run "
        f"{LOAD_BEFORE} (other work on the machine) |",
        "| Intake | a new applicant, 2 papers, a ward procedure, bearer token: create and "
        "receive in one transaction, answer with the full dossier |",
        "| Targets | API intake at least half the requests/s of ping; "
        f"intake p99 under 100 ms at {args.clients} clients |",
        "",
    ]
    lines += [
        "| | " + " | ".join(r["version"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(name: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")

    def service(r: dict[str, Any]) -> str:
        s = r["service"]
        return f"**{s['count'] / s['seconds']:,.0f}/s** (p50 {ms(s['p50'])} ms)"

    def measured(interface: str, index: int) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            run: Run = r["api"][interface][index]
            return (
                f"**{run.rate:,.0f} req/s**; p50 {ms(run.percentile(50))} / "
                f"p95 {ms(run.percentile(95))} / p99 {ms(run.percentile(99))} ms; "
                f"{run.error_text()}"
            )

        return cell

    def ratio(interface: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            ping, intake = r["api"][interface]
            value = intake.rate / ping.rate if ping.rate else 0.0
            return f"{value:.2f}: {'met' if value >= 0.5 else 'not met'}"

        return cell

    def p99(interface: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            value = r["api"][interface][1].percentile(99)
            return f"{ms(value)} ms: {'met' if value < 0.1 else 'not met'}"

        return cell

    row("Service layer (`dossier_intake`), one process", service)
    for interface in INTERFACES:
        name = interface.upper()
        row(f"{name}: POST /api/dossiers", measured(interface, 1))
        row(f"{name}: GET /api/ping", measured(interface, 0))
        row(f"{name}: intake / ping (target ≥ 0.5)", ratio(interface))
        row(f"{name}: intake p99 (target < 100 ms)", p99(interface))
    lines += [
        "",
        f"Each client sends its next request as soon as the last one is answered, so the "
        f"mean latency is about {args.clients} / throughput (Little's law): a p99 under "
        f"100 ms needs well over {args.clients * 10} intakes per second.",
    ]
    problems = [p for r in results for p in r["problems"]]
    if problems:
        lines += ["", "Server errors during the run:", ""]
        lines += [f"- {problem}" for problem in problems]
    lines.append("")
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """``text`` with this benchmark's section replaced (or appended), others untouched."""
    pattern = re.compile(rf"^{re.escape(SECTION)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
    block = section.rstrip("\n") + "\n"
    if pattern.search(text):
        return pattern.sub(lambda _match: block + "\n", text, count=1).rstrip("\n") + "\n"
    if not text.strip():
        return "# Benchmarks\n\n" + block
    return text.rstrip("\n") + "\n\n" + block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="write or replace the section in this file")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (admin URL)")
    parser.add_argument("--seconds", type=float, default=6.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite"
    )
    parser.add_argument("--prepare", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=WORKERS, help="server processes")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve is not None:
        serve(int(args.serve[0]), args.serve[1], int(args.serve[2]))
        return 0
    if args.prepare is not None:
        print(json.dumps(prepare(args.prepare)))
        return 0

    tools, server_note = uvicorn_path()
    results = [run_backend("SQLite", None, args, tools)] if args.sqlite else []
    if args.postgres:
        results.append(run_backend("PostgreSQL", args.postgres, args, tools))
    section = report(results, args, server_note)
    print(section)
    if args.markdown:
        path: Path = args.markdown
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(replace_section(existing, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
