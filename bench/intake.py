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

The server is the one a center runs (core.serving, without the worker).
Only loopback addresses are used. Both databases take under two minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.support import (  # noqa: E402
    HOST,
    Run,
    child,
    drive,
    exceptions_in,
    free_port,
    group_cpu_seconds,
    load_average,
    machine,
    ms,
    node_env,
    postgres_database,
    postgres_version,
    python,
    say,
    server,
    sqlite_version,
    uvicorn_path,
    write_section,
)
from bench.support.unwritten import write_skipped  # noqa: E402

SECTION = "## Dossier intake"
BENCH_DB = "motcua_bench"
PROCEDURE = "1.004873"  # marital status certificate: ward level, 3 working days
DESK_USER = "desk"  # a desk officer of the demo province (core.demo)
WORKERS = 2
MAX_REQUESTS = 200_000  # per endpoint, a bound on top of the time limit
INTERFACES = ("asgi", "wsgi")
# The ASGI application with intake's write skipped: how far a faster write could go.
UNWRITTEN_APPLICATION = "bench.support.unwritten_asgi:application"
# Persistent connections, as a WSGI deployment runs (uvicorn's WSGI thread
# pool reuses its threads); under ASGI each request thread would keep one.
CONN_MAX_AGE = {"asgi": "0", "wsgi": "60"}
LOAD_BEFORE = load_average()


# -- inside a child process with Django set up -------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()


def prepare(seconds: float) -> dict[str, Any]:
    """Time ``dossier_intake`` in this process, then hand the API run what it needs."""
    _django()
    from django.conf import settings

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
        "in_process": in_process(key, case, mandatory),
        "request_threads": settings.REQUEST_THREADS,
        "token": key,
        "case_id": str(case.pk),
        "papers": [
            {"component_id": str(c.pk), "originals": max(c.originals, 1)} for c in mandatory
        ],
    }


def in_process(key: str, case: Any, mandatory: list[Any]) -> dict[str, float]:
    """CPU milliseconds a request takes in this process, through Django's test client
    (no server): an API intake, the same request with the dossier's write left out
    (authentication, reading and checking the body, the answer), and ping."""
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    papers = [{"component_id": str(c.pk), "originals": max(c.originals, 1)} for c in mandatory]
    numbers = iter(range(700_000_000_000, 800_000_000_000))

    def intake() -> None:
        number = next(numbers)
        body = {
            "case_id": str(case.pk),
            "applicant": {"full_name": f"Người Thử {number}", "id_number": f"{number:012d}"},
            "papers": papers,
            "channel": "direct",
        }
        answer = client.post("/api/dossiers", json.dumps(body), content_type="application/json")
        assert answer.status_code == 201, answer.content

    def ping() -> None:
        assert client.get("/api/ping").status_code == 200

    def cpu_ms(request: Callable[[], None], count: int = 300) -> float:
        for _ in range(20):
            request()
        began = time.thread_time()
        for _ in range(count):
            request()
        return (time.thread_time() - began) / count * 1000

    timed = {"intake": cpu_ms(intake)}
    undo = write_skipped()
    try:
        timed["unwritten"] = cpu_ms(intake)
    finally:
        undo()
    timed["ping"] = cpu_ms(ping)
    return timed


# -- orchestration -----------------------------------------------------------------------------


def run_backend(
    label: str, admin_url: str | None, args: argparse.Namespace, tools: str
) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="motcua-bench-"))
        url = stack.enter_context(postgres_database(admin_url, BENCH_DB)) if admin_url else None
        env = node_env(var_dir, url)
        say(label, "migrating and loading the demo province")
        child(env, "manage.py", "migrate", "--no-input", "-v", "0")
        child(env, "manage.py", "demo", "--no-history")
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

        def timed(
            process: Any, port: int, request: Any, expect: int, **extra: Any
        ) -> tuple[Run, float]:
            """One run against a server, and the server's CPU ms a request answered."""
            used = group_cpu_seconds(process.pid)
            run = drive(
                port, request, clients=args.clients, seconds=args.seconds, expect=expect, **extra
            )
            return run, (group_cpu_seconds(process.pid) - used) / max(1, run.answered) * 1000

        server_env = dict(env)
        if tools:
            server_env["PYTHONPATH"] = tools
        api: dict[str, tuple[Run, Run]] = {}
        server_cpu: dict[str, tuple[float, float]] = {}  # ms a request: ping, intake
        problems: list[str] = []
        for interface in INTERFACES:
            port = free_port()
            log = Path(var_dir) / f"server-{interface}.log"
            run_env = {**server_env, "DB_CONN_MAX_AGE": CONN_MAX_AGE[interface]}
            with server(run_env, port, log, interface=interface, workers=args.workers) as process:
                say(label, f"API over {interface.upper()}, {args.clients} clients")
                drive(port, ping, clients=args.clients, seconds=1, expect=200)  # warm up
                ping_run, ping_ms = timed(process, port, ping, 200)
                intake_run, intake_ms = timed(process, port, intake, 201, headers=headers)
            api[interface] = (ping_run, intake_run)
            server_cpu[interface] = (ping_ms, intake_ms)
            for kind, text in {**ping_run.samples, **intake_run.samples}.items():
                say(label, f"an answer counted as error ({kind}): {text}")
            if any(kind.startswith("5") for kind in {**ping_run.errors, **intake_run.errors}):
                say(label, "the server's log ends with:\n" + log.read_text()[-3000:])
            for line in exceptions_in(log):
                problems.append(f"{label}, {interface.upper()}: `{line}`")
            say(label, f"{interface.upper()} server stopped")
        # The same ASGI server with intake's write skipped: what a faster write could reach.
        port = free_port()
        log = Path(var_dir) / "server-unwritten.log"
        run_env = {**server_env, "DB_CONN_MAX_AGE": CONN_MAX_AGE["asgi"]}
        with server(
            run_env,
            port,
            log,
            interface="asgi",
            workers=args.workers,
            application=UNWRITTEN_APPLICATION,
        ) as process:
            say(label, f"API over ASGI, intake's write skipped, {args.clients} clients")
            drive(port, ping, clients=args.clients, seconds=1, expect=200)  # warm up
            unwritten = timed(process, port, intake, 201, headers=headers)
        for line in exceptions_in(log):
            problems.append(f"{label}, ASGI with the write skipped: `{line}`")
    version = postgres_version(admin_url) if admin_url else f"SQLite {sqlite_version()}"
    return {
        "label": label,
        "version": version,
        "service": fixture["service"],
        "in_process": fixture["in_process"],
        "request_threads": fixture["request_threads"],
        "api": api,
        "server_cpu": server_cpu,
        "unwritten": unwritten,
        "problems": problems,
    }


# -- report ------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]], args: argparse.Namespace, server_note: str) -> str:
    lines = [
        SECTION,
        "",
        f"Measured by `bench/intake.py` on {date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {machine()} |",
        f"| Python | {python()} |",
        f"| Server | {server_note}; {args.workers} worker processes on {HOST}, DEBUG off; "
        "the project's ASGI handler (`motcua.asgi`: one hop a request to a kept thread, "
        "connections kept by the SQLite backend or PostgreSQL's pool), then Django's WSGI one "
        "(`motcua.wsgi`, persistent connections: DB_CONN_MAX_AGE=60) |",
        f"| Load | {args.clients} client threads on the same CPUs, one keep-alive "
        f"connection each, {args.seconds:g} s per endpoint; load average before the run "
        f"{LOAD_BEFORE} (other work on the machine) |",
        "| Intake | a new applicant, 2 papers, a ward procedure, bearer token: create and "
        "receive in one transaction, answer with the full dossier |",
        f"| Request threads | {results[0]['request_threads'] if results else '?'} views at "
        "once in a server process (`REQUEST_THREADS`) |",
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

    def in_process(r: dict[str, Any]) -> str:
        t = r["in_process"]
        return (
            f"intake {t['intake']:.2f}; the same without the write {t['unwritten']:.2f}; "
            f"ping {t['ping']:.2f}"
        )

    def server_cpu(interface: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            ping_ms, intake_ms = r["server_cpu"][interface]
            return f"intake {intake_ms:.2f}; ping {ping_ms:.2f}"

        return cell

    row("Service layer (`dossier_intake`), one process", service)
    row("API in one process, no server: CPU ms a request", in_process)
    for interface in INTERFACES:
        name = interface.upper()
        row(f"{name}: POST /api/dossiers", measured(interface, 1))
        row(f"{name}: GET /api/ping", measured(interface, 0))
        row(f"{name}: server CPU ms a request (all its processes)", server_cpu(interface))
        row(f"{name}: intake / ping (target ≥ 0.5)", ratio(interface))
        row(f"{name}: intake p99 (target < 100 ms)", p99(interface))

    def unwritten(r: dict[str, Any]) -> str:
        run, cpu = r["unwritten"]
        ping = r["api"]["asgi"][0]
        return (
            f"**{run.rate:,.0f} req/s**, {run.rate / ping.rate if ping.rate else 0.0:.2f} of "
            f"ping; p99 {ms(run.percentile(99))} ms; server CPU {cpu:.2f} ms a request; "
            f"{run.error_text()}"
        )

    row("ASGI: POST /api/dossiers with the write skipped (the ceiling)", unwritten)
    lines += [
        "",
        f"Each client sends its next request as soon as the last one is answered, so the "
        f"mean latency is about {args.clients} / throughput (Little's law): a p99 under "
        f"100 ms needs well over {args.clients * 10} intakes per second.",
        "",
        "Server CPU is what the server's processes used during each run, divided by the "
        "requests answered (the database server's own processes are not in it). The "
        "in-process row shows what bounds the ratio: the request without its write "
        "(the bearer token and roles read, the body read and checked, the dossier "
        "answered) already costs several pings, before the transaction that writes the "
        "dossier, its papers, its two events and the counters. The last row measures the "
        "same through the server: a server whose intake writes the first dossier and then "
        "answers it again for every request, reading and checking each request as usual. "
        "It is the most a faster write could give.",
    ]
    problems = [p for r in results for p in r["problems"]]
    if problems:
        lines += ["", "Server errors during the run:", ""]
        lines += [f"- {problem}" for problem in problems]
    lines.append("")
    return "\n".join(lines)


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
    args = parser.parse_args(argv)

    if args.prepare is not None:
        print(json.dumps(prepare(args.prepare)))
        return 0

    tools, server_note = uvicorn_path()
    results = [run_backend("SQLite", None, args, tools)] if args.sqlite else []
    if args.postgres:
        results.append(run_backend("PostgreSQL", args.postgres, args, tools))
    write_section(args.markdown, report(results, args, server_note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
