"""How fast the queue turns, and how soon the display boards show a call.

    .venv/bin/python bench/queue.py [--markdown docs/benchmarks.md]
                                    [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database (a throw-away SQLite file always; with ``--postgres`` a
fresh database ``motcua_bench_queue`` created through that URL and dropped at
the end) it migrates, sets up one center with 4 service areas and 20 counters
(each with its officer signed in), starts a real server (uvicorn, 2 worker
processes, ASGI, DEBUG off) and then, for a bounded time:

- 50 display boards hold the server-sent event stream open
  (``GET /queue/board/<center>/events/``), spread over both processes;
- 20 counter threads each loop: a kiosk ticket (``POST …/kiosk/<center>/issue/``),
  call next (``POST /queue/counter/call/``), start, finish.

It reports issue+call round trips per second and the delay from sending the
call to each board receiving it (p50 / p95 / p99 over every call seen by every
board), with the target p99 under 500 ms. Only loopback addresses are used.

The counters loop under two loads:

- flat out: each counter sends its next request as soon as the last is
  answered. The server is then saturated: a call waits behind the other
  counters' requests, about 20 requests / throughput, and its delay is that
  wait. The row gives the throughput (round trips per second), and the delay
  from the call's answer to the boards, which is what the feed itself adds.
- a call every ~5 s per counter (a pause of 2.5 to 7.5 s before each loop):
  20 counters then call 3 to 4 times a second, some two hundred times as often
  as the desks of a center that serves 500 people a day. The target is read
  on this row.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench import support  # noqa: E402

SECTION = "## Queue"
BENCH_DB = "motcua_bench_queue"
COUNTERS = 20
BOARDS = 50
WORKERS = 2
CSRF = "queuebenchqueuebenchqueuebench12"  # 32 letters: a valid CSRF secret
TARGET_P99 = 0.5
NUMBER_RE = re.compile(r'data-ticket-number="(\d+)"')
TICKET_RE = re.compile(r'name="ticket" value="([0-9a-f-]{36})"')


# -- inside a child process with Django set up -------------------------------------------------


def prepare() -> dict[str, Any]:
    """One center, 4 areas, 20 open counters, their officers' sessions."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Assignment, Role, User
    from queueing.models import Counter, ServiceArea
    from queueing.services import counter_open
    from units.models import Level, Unit, UnitKind

    province = Unit.objects.create(
        code="000.00.00.B01", name_vi="Tỉnh", kind=UnitKind.PROVINCE, level=Level.PROVINCE
    )
    center = Unit.objects.create(
        code="000.00.01.B01",
        name_vi="Trung tâm",
        kind=UnitKind.CENTER,
        level=Level.PROVINCE,
        parent=province,
        province=province,
    )
    areas = [
        ServiceArea.objects.create(center=center, name_vi=f"Lĩnh vực {n}", number_base=n * 1000)
        for n in range(1, 5)
    ]
    sessions = []
    for number in range(1, COUNTERS + 1):
        officer = User.objects.create(username=f"desk{number}", full_name=f"Cán bộ {number}")
        Assignment.objects.create(user=officer, unit=center, role=Role.DESK_OFFICER)
        counter = Counter.objects.create(center=center, number=number)
        counter.areas.set(areas)
        counter_open(counter=counter, actor=officer)
        session = SessionStore()
        session[SESSION_KEY] = str(officer.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return {"center": center.code, "areas": [str(a.pk) for a in areas], "sessions": sessions}


# -- load ----------------------------------------------------------------------------------------


@dataclass
class Board:
    received: list[tuple[float, int, int]] = field(default_factory=list)  # when, counter, number
    error: str = ""


def board_client(
    port: int, path: str, board: Board, stop: threading.Event, ready: threading.Barrier
) -> None:
    connection = http.client.HTTPConnection(support.HOST, port, timeout=5)
    try:
        connection.request("GET", path, headers={"Accept": "text/event-stream"})
        response = connection.getresponse()
        ready.wait()
        while not stop.is_set():
            try:
                line = response.readline()
            except TimeoutError:
                continue
            if not line:
                board.error = "stream closed"
                return
            if line.startswith(b"data: "):
                event = json.loads(line[6:])
                if event["kind"] == "call":
                    board.received.append((time.perf_counter(), event["counter"], event["number"]))
    except Exception as exc:  # reported in the table
        board.error = f"{type(exc).__name__}: {exc}"
        if not ready.broken:
            ready.abort()
    finally:
        connection.close()


@dataclass
class Desk:
    cycles: int = 0
    idle: int = 0
    sent: dict[tuple[int, int], float] = field(default_factory=dict)  # (counter, number) -> when
    answered: dict[tuple[int, int], float] = field(default_factory=dict)  # the call's answer came
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # issue + call, one cycle


def counter_client(
    port: int,
    number: int,
    session: str,
    fixture: dict[str, Any],
    desk: Desk,
    deadline: list[float],
    start: threading.Barrier,
    pace: float,
) -> None:
    rng = random.Random(number)
    connection = http.client.HTTPConnection(support.HOST, port, timeout=30)
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://{support.HOST}:{port}/",
    }

    def post(path: str, body: str = "", htmx: bool = False) -> tuple[int, str]:
        sent = dict(headers)
        if htmx:
            sent["HX-Request"] = "true"
        connection.request("POST", path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")

    issue = f"/queue/kiosk/{fixture['center']}/issue/"
    start.wait()
    while time.perf_counter() < deadline[0]:
        if pace:
            time.sleep(rng.uniform(0.5, 1.5) * pace)
            # The server drops keep-alive connections idle for 5 s: start each cycle afresh.
            connection.close()
            connection = http.client.HTTPConnection(support.HOST, port, timeout=30)
        begin = time.perf_counter()
        try:
            status, text = post(issue, f"area={rng.choice(fixture['areas'])}")
            if status != 302:
                desk.errors.append(f"issue {status}: {text[:200]}")
                continue
            called_at = time.perf_counter()
            status, text = post("/queue/counter/call/", htmx=True)
            if status != 200:
                desk.errors.append(f"call {status}: {text[:200]}")
                continue
            desk.latencies.append(time.perf_counter() - begin)
            desk.cycles += 1
            found, ticket = NUMBER_RE.search(text), TICKET_RE.search(text)
            if not found or not ticket:
                desk.idle += 1
                continue
            desk.sent[(number, int(found.group(1)))] = called_at
            desk.answered[(number, int(found.group(1)))] = time.perf_counter()
            post("/queue/counter/start/", f"ticket={ticket.group(1)}", htmx=True)
            post("/queue/counter/finish/", f"ticket={ticket.group(1)}", htmx=True)
        except (OSError, http.client.HTTPException) as exc:
            desk.errors.append(f"{type(exc).__name__}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection(support.HOST, port, timeout=30)
    connection.close()


@dataclass
class Phase:
    seconds: float
    cycles: int
    idle: int
    boards_ok: int
    delays: list[float]  # from sending the call
    after_answer: list[float]  # from the call's answer (committed)
    missing: int
    cycle_latencies: list[float]
    errors: list[str]


def measure(
    port: int, fixture: dict[str, Any], seconds: float, pace: float
) -> tuple[list[Board], list[Desk], float]:
    stop = threading.Event()
    ready = threading.Barrier(BOARDS + 1)
    path = f"/queue/board/{fixture['center']}/events/"
    boards = [Board() for _ in range(BOARDS)]
    watchers = [
        threading.Thread(target=board_client, args=(port, path, b, stop, ready), daemon=True)
        for b in boards
    ]
    for watcher in watchers:
        watcher.start()
    ready.wait(30)
    time.sleep(0.5)  # every stream has subscribed
    desks = [Desk() for _ in range(COUNTERS)]
    start = threading.Barrier(COUNTERS + 1)
    deadline = [0.0]
    workers = [
        threading.Thread(
            target=counter_client,
            args=(port, i + 1, fixture["sessions"][i], fixture, desks[i], deadline, start, pace),
            daemon=True,
        )
        for i in range(COUNTERS)
    ]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for worker in workers:
        worker.join(seconds + 60)
    elapsed = time.perf_counter() - began
    time.sleep(2.0)  # the last calls reach the boards
    stop.set()
    for watcher in watchers:
        watcher.join(10)
    return boards, desks, elapsed


def phase(port: int, fixture: dict[str, Any], seconds: float, pace: float) -> Phase:
    boards, desks, elapsed = measure(port, fixture, seconds, pace)
    delays: list[float] = []
    after_answer: list[float] = []
    missing = 0
    for board in boards:
        seen = {(c, n): when for when, c, n in board.received}
        for desk in desks:
            for key, at in desk.sent.items():
                if key in seen:
                    delays.append(seen[key] - at)
                    after_answer.append(max(seen[key] - desk.answered[key], 0.0))
                else:
                    missing += 1
    return Phase(
        seconds=elapsed,
        cycles=sum(d.cycles for d in desks),
        idle=sum(d.idle for d in desks),
        boards_ok=sum(1 for b in boards if not b.error),
        delays=delays,
        after_answer=after_answer,
        missing=missing,
        cycle_latencies=[x for d in desks for x in d.latencies],
        errors=[e for d in desks for e in d.errors] + [b.error for b in boards if b.error],
    )


@dataclass
class Result:
    label: str
    version: str
    flat_out: Phase
    paced: Phase
    problems: list[str]


def run_backend(label: str, admin_url: str | None, args: argparse.Namespace, tools: str) -> Result:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-queue-") as var_dir:
        url = None
        if admin_url:
            support.recreate_database(admin_url, BENCH_DB)
            url = support.database_url(admin_url, BENCH_DB)
        try:
            env = support.node_env(var_dir, url)
            support.say(label, "migrating, one center with 20 counters")
            support.child(env, "manage.py", "migrate", "--no-input", "-v", "0")
            fixture = json.loads(support.child(env, __file__, "--prepare").strip().splitlines()[-1])
            if tools:
                env["PYTHONPATH"] = tools
            port = support.free_port()
            log = Path(var_dir) / "server.log"
            with support.server(
                env, port, log, interface="asgi", workers=args.workers, ready_path="/healthz"
            ):
                support.say(
                    label, f"{BOARDS} boards, {COUNTERS} counters flat out, {args.seconds:g} s"
                )
                flat_out = phase(port, fixture, args.seconds, pace=0.0)
                support.say(
                    label, f"{BOARDS} boards, {COUNTERS} counters calling every ~{args.pace:g} s"
                )
                paced = phase(port, fixture, args.seconds, pace=args.pace)
            problems = support.exceptions_in(log)
        finally:
            if admin_url:
                support.recreate_database(admin_url, BENCH_DB, drop_only=True)
    version = (
        support.postgres_version(admin_url) if admin_url else f"SQLite {support.sqlite_version()}"
    )
    return Result(label=label, version=version, flat_out=flat_out, paced=paced, problems=problems)


def report(results: list[Result], args: argparse.Namespace, server_note: str) -> str:
    ms = support.ms
    lines = [
        SECTION,
        "",
        f"Measured by `bench/queue.py` on {date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {support.machine()} |",
        f"| Python | {support.python()} |",
        f"| Server | {server_note}; {args.workers} worker processes on {support.HOST}, "
        "ASGI, DEBUG off |",
        f"| Load | {BOARDS} display boards on the server-sent event stream; {COUNTERS} counter "
        f"threads, each looping kiosk ticket → call next → start → finish for {args.seconds:g} s "
        f"(plain HTTP with session cookies, htmx answers); load average before the run "
        f"{support.load_average()} |",
        "| Delay | from sending `POST /queue/counter/call/` to a board reading the call on its "
        "stream, over every call and every board |",
        f"| Target | delay p99 under {TARGET_P99 * 1000:.0f} ms |",
        "",
        "| | " + " | ".join(r.version for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    def delay(values: list[float]) -> str:
        return (
            f"p50 {ms(support.percentile(values, 50))} / "
            f"p95 {ms(support.percentile(values, 95))} / "
            f"**p99 {ms(support.percentile(values, 99))} ms**"
        )

    for title, pick, saturated in (
        ("counters flat out", lambda r: r.flat_out, True),
        (f"each counter calling every ~{args.pace:g} s", lambda r: r.paced, False),
    ):
        phases = [pick(r) for r in results]
        lines.append(f"| *{title}* |" + " |" * len(results))
        row(
            "Issue + call round trips",
            [
                f"**{p.cycles / p.seconds:,.1f}/s** ({p.cycles} in {p.seconds:.1f} s)"
                for p in phases
            ],
        )
        row(
            "Issue + call, one round trip",
            [
                f"p50 {ms(support.percentile(p.cycle_latencies, 50))} / "
                f"p99 {ms(support.percentile(p.cycle_latencies, 99))} ms"
                for p in phases
            ],
        )
        row(
            "Call sent → on the board",
            [f"{delay(p.delays)} over {len(p.delays):,} deliveries" for p in phases],
        )
        row("Call answered → on the board", [delay(p.after_answer) for p in phases])
        verdicts = [
            "met" if p.delays and support.percentile(p.delays, 99) < TARGET_P99 else "not met"
            for p in phases
        ]
        if saturated:
            verdicts = [f"(saturated: {verdict})" for verdict in verdicts]
        row(f"Delay p99 under {TARGET_P99 * 1000:.0f} ms", verdicts)
        row("Boards connected throughout", [f"{p.boards_ok} / {BOARDS}" for p in phases])
        row("Calls a board never received", [str(p.missing) for p in phases])
        row(
            "Errors",
            [(f"{len(p.errors)}: {p.errors[0][:120]}" if p.errors else "none") for p in phases],
        )
    problems = [f"{r.label}: `{p}`" for r in results for p in r.problems]
    if problems:
        lines += ["", "Server errors during the run:", ""] + [f"- {p}" for p in problems]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="write or replace the section in this file")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (admin URL)")
    parser.add_argument("--seconds", type=float, default=15.0, help="per database")
    parser.add_argument(
        "--pace", type=float, default=5.0, help="seconds between a counter's calls, second phase"
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="server processes")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare()))
        return 0
    tools, server_note = support.uvicorn_path()
    results = [run_backend("SQLite", None, args, tools)] if args.sqlite else []
    if args.postgres:
        results.append(run_backend("PostgreSQL", args.postgres, args, tools))
    support.write_section(args.markdown, report(results, args, server_note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
