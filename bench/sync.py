"""How fast a ward node's log reaches the provincial hub, and what it costs on the wire.

    .venv/bin/python bench/sync.py [--markdown docs/benchmarks.md]
                                   [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database of the hub (a throw-away SQLite file always; with
``--postgres`` a fresh database ``motcua_bench_sync`` created through that URL
and dropped at the end) it sets up a province: the hub migrates, loads the
demo province without history, registers two ward nodes (``sync_node_add``)
and serves under uvicorn (WSGI, DEBUG off) on 127.0.0.1; each ward is an empty
SQLite node that migrates and joins (``sync_join``). Every
ward talks to the hub through the harness's TCP proxy (sync.tests.e2e.FaultProxy,
no faults), which counts the bytes each way. Then:

1. throughput: ward A receives ``--dossiers`` dossiers without scans through
   ``dossier_intake`` in its own process (two events and an applicant change
   each), then one sync round is timed inside the ward's process: log
   entries and dossier events applied at the hub per second;
2. catch-up after a three-day outage of a busy ward: ward B receives
   ``--outage`` dossiers with two scanned PDFs each (100-300 KB, incompressible
   like real scans), then the round that sends it all is timed;
3. bytes per dossier on the wire for both, requests and answers together.

Times are of ``sync_round`` in a process already started; ``sync --once``
adds Django's start-up (measured once, given beside).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.support import (  # noqa: E402
    HOST,
    child,
    exceptions_in,
    load_average,
    machine,
    postgres_database,
    postgres_version,
    python,
    say,
    server,
    sqlite_version,
    uvicorn_path,
    write_section,
)
from sync.tests.e2e import (  # noqa: E402
    DESKS,
    HUB_SETUP,
    PASSWORD,
    WARDS,
    FaultProxy,
    Node,
    hub_environment,
    register,
    ward_environment,
)

SECTION = "## Synchronisation"
BENCH_DB = "motcua_bench_sync"
TARGET_EVENTS = 5_000  # per second
SCANS = 2
SCAN_BYTES = "100000-300000"
LOAD_BEFORE = load_average()


# -- inside the ward's process -----------------------------------------------------------------


def round_in_node() -> dict[str, Any]:
    """One sync round of this node, timed without Django's start-up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.conf import settings

    from sync import node

    pushing = [0.0]
    push = node.push

    def timed_push(*args: Any, **kwargs: Any) -> int:
        began = time.perf_counter()
        try:
            return push(*args, **kwargs)
        finally:
            pushing[0] += time.perf_counter() - began

    node.push = timed_push  # type: ignore[assignment]
    started = time.perf_counter()
    done = node.sync_round()
    return {
        "seconds": time.perf_counter() - started,
        "push_seconds": pushing[0],
        "batch": settings.SYNC_BATCH,
        "pushed": done.pushed,
        "pulled": done.pulled,
        "waiting": done.waiting,
    }


# -- orchestration -----------------------------------------------------------------------------


def production(env: dict[str, str]) -> dict[str, str]:
    """A node's environment as deployed: DEBUG off, warnings only."""
    return {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + os.urandom(8).hex(),
        "ALLOWED_HOSTS": f"{HOST},localhost",
    }


@dataclass
class Measured:
    dossiers: int
    scans: int
    scan_bytes: int  # on the ward's disk
    entries: int  # log entries pushed (events and changes)
    events: int  # dossier events among them
    seconds: float  # the round, in process
    push_seconds: float  # its push: the log's batches until all are acknowledged
    batch: int  # SYNC_BATCH, log entries a batch
    sent: int  # bytes ward -> hub, HTTP headers included
    received: int  # bytes hub -> ward
    connections: int
    intake_seconds: float
    matched: bool  # sync_log_digest equal on both sides

    @property
    def per_dossier(self) -> float:
        return (self.sent + self.received) / self.dossiers if self.dossiers else 0.0


@contextlib.contextmanager
def province(
    label: str, root: Path, database_url: str | None, tools: str
) -> Iterator[tuple[Node, dict[str, Node], dict[str, FaultProxy]]]:
    """A hub serving under uvicorn and the wards of ``WARDS`` joined to it through proxies."""
    hub_dir = root / "hub"
    hub_env = production(hub_environment(hub_dir))
    if database_url:
        hub_env["DATABASE_URL"] = database_url
    hub = Node("hub", hub_dir, hub_env)
    say(label, "hub: migrating and loading the demo province")
    hub.manage("migrate", "--no-input", "-v", "0", timeout=600)
    hub.manage("demo", "--no-history", timeout=900)
    desks = {username: code for code, username in DESKS.items() if username != "desk"}
    hub.manage("shell", "-c", HUB_SETUP.format(desks=desks, password=PASSWORD))
    secrets = {node_id: register(hub, node_id, unit) for node_id, unit in WARDS.items()}
    serve_env = {**hub_env, "DB_CONN_MAX_AGE": "60"}
    if tools:
        serve_env["PYTHONPATH"] = tools
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            server(serve_env, hub.port, hub.log, interface="wsgi", workers=2, ready_path="/healthz")
        )
        wards: dict[str, Node] = {}
        proxies: dict[str, FaultProxy] = {}
        for node_id, unit in WARDS.items():
            proxy = stack.enter_context(FaultProxy(hub.port))
            var_dir = root / node_id
            env = production(
                ward_environment(
                    var_dir,
                    node_id=node_id,
                    unit=unit,
                    hub_url=proxy.url,
                    secret=secrets[node_id],
                )
            )
            ward = Node(node_id, var_dir, env)
            say(label, f"{node_id}: migrating and joining")
            ward.manage("migrate", "--no-input", "-v", "0", timeout=600)
            ward.manage("sync_join", timeout=600)
            wards[node_id] = ward
            proxies[node_id] = proxy
        yield hub, wards, proxies


def measure(
    label: str,
    hub: Node,
    ward: Node,
    proxy: FaultProxy,
    *,
    dossiers: int,
    scans: int,
) -> Measured:
    unit = WARDS[ward.name]
    say(label, f"{ward.name}: {dossiers:,} dossiers with {scans} scans each, offline")
    began = time.perf_counter()
    made = ward.task("intake", unit, str(dossiers), str(scans), SCAN_BYTES, "9", timeout=3600)
    intake_seconds = time.perf_counter() - began
    assert len(made["codes"]) == dossiers
    before = ward.task("facts", unit, ward.name, timeout=600)
    entries = before["events"] + len(before["change_seqs"])
    scan_bytes = sum(f[3] for f in before["files"])
    proxy.reset_counts()
    say(label, f"{ward.name}: one round for {entries:,} log entries")
    answer = json.loads(child(ward.env, __file__, "--round").strip().splitlines()[-1])
    assert answer["waiting"] == 0 and answer["pushed"] == entries, answer
    hub_digest = hub.digest(ward.name)
    matched = hub_digest == before["digest"]
    if not matched:
        say(label, f"sync_log_digest differs: ward {before['digest']}, hub {hub_digest}")
    return Measured(
        dossiers=dossiers,
        scans=dossiers * scans,
        scan_bytes=scan_bytes,
        entries=entries,
        events=before["events"],
        seconds=answer["seconds"],
        push_seconds=answer["push_seconds"],
        batch=answer["batch"],
        sent=proxy.sent,
        received=proxy.received,
        connections=proxy.connections,
        intake_seconds=intake_seconds,
        matched=matched,
    )


def startup_seconds(ward: Node) -> float:
    """``sync --once`` with nothing to send: mostly Django's start-up."""
    began = time.perf_counter()
    done = ward.run("manage.py", "sync", "--once")  # with the system checks, as run by hand
    if done.returncode != 0:
        raise RuntimeError(f"sync --once failed: {done.stderr[-2000:]}")
    return time.perf_counter() - began


def run_backend(
    label: str, admin_url: str | None, args: argparse.Namespace, tools: str
) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="motcua-bench-sync-")))
        url = stack.enter_context(postgres_database(admin_url, BENCH_DB)) if admin_url else None
        hub, wards, proxies = stack.enter_context(province(label, root, url, tools))
        a, b = wards["ward-a"], wards["ward-b"]
        throughput = measure(label, hub, a, proxies["ward-a"], dossiers=args.dossiers, scans=0)
        say(label, f"throughput: {throughput.events / throughput.seconds:,.0f} events/s")
        outage = measure(label, hub, b, proxies["ward-b"], dossiers=args.outage, scans=SCANS)
        say(label, f"catch-up: {outage.seconds:.1f} s")
        idle = startup_seconds(a)
        problems = [f"{label}: `{line}`" for line in exceptions_in(hub.log)]
    version = postgres_version(admin_url) if admin_url else f"SQLite {sqlite_version()}"
    return {
        "label": label,
        "version": version,
        "throughput": throughput,
        "outage": outage,
        "idle": idle,
        "problems": problems,
    }


# -- report ------------------------------------------------------------------------------------


def kb(value: float) -> str:
    return f"{value / 1024:,.1f} KB"


def mb(value: float) -> str:
    return f"{value / 1024 / 1024:,.0f} MB"


def report(results: list[dict[str, Any]], args: argparse.Namespace, server_note: str) -> str:
    lines = [
        SECTION,
        "",
        f"Measured by `bench/sync.py` on {date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {machine()} |",
        f"| Python | {python()} |",
        f"| Hub | {server_note}; 2 worker processes on {HOST}, DEBUG off, WSGI |",
        "| Wards | SQLite nodes, each through a counting TCP proxy on loopback (no faults); "
        f"`SYNC_BATCH` {results[0]['throughput'].batch:,}, gzip bodies, one connection per "
        "request |",
        f"| Load | load average before the run {LOAD_BEFORE} (other work on the machine) |",
        f"| Backlog | ward A: {args.dossiers:,} dossiers without scans; ward B (a busy ward "
        f"after a three-day outage): {args.outage:,} dossiers with {SCANS} scanned PDFs each "
        "(100-300 KB, incompressible) |",
        "| Timing | one `sync_round` (push, reference check, pull) in the ward's process; "
        "throughput is of its push (every batch sent and acknowledged); "
        "`sync --once` adds the start-up in the last row |",
        f"| Target | at least {TARGET_EVENTS:,} events per second on loopback: entries of the "
        "node's event log, each applied once by node and number (a dossier's events and "
        "the changes of applicants, tickets and ratings) |",
        "",
        "| | " + " | ".join(f"hub on {r['version']}" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(name: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")

    def rate(r: dict[str, Any]) -> str:
        m: Measured = r["throughput"]
        entries = m.entries / m.push_seconds
        met = "met" if entries >= TARGET_EVENTS else "not met"
        return (
            f"**{entries:,.0f} log events/s** ({m.entries:,} in {m.push_seconds:.2f} s; "
            f"of them {m.events:,} dossier events: {m.events / m.push_seconds:,.0f}/s); "
            f"target: {met}. Whole round {m.seconds:.2f} s"
        )

    def wire(key: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            m: Measured = r[key]
            up = mb(m.sent) if m.sent > 2**24 else kb(m.sent)
            return (
                f"**{kb(m.per_dossier)}** a dossier (up {up}, down {kb(m.received)}, "
                f"{m.connections:,} connections)"
            )

        return cell

    def catch_up(r: dict[str, Any]) -> str:
        m: Measured = r["outage"]
        return (
            f"**{m.seconds:.1f} s** for {m.dossiers:,} dossiers, {m.entries:,} log entries, "
            f"{m.scans:,} scans ({mb(m.scan_bytes)}): {m.scan_bytes / m.seconds / 2**20:,.0f} MB/s"
        )

    def overhead(r: dict[str, Any]) -> str:
        m: Measured = r["outage"]
        extra = m.sent + m.received - m.scan_bytes
        return f"{kb(extra / m.dossiers)} a dossier besides the scans ({extra / m.scan_bytes:.1%})"

    def same(r: dict[str, Any]) -> str:
        ok = r["throughput"].matched and r["outage"].matched
        return "yes" if ok else "**no**: the hub's log of a node differs from the node's"

    row("Push throughput (ward A)", rate)
    row("On the wire, dossiers without scans", wire("throughput"))
    row("Catch-up after a three-day outage (ward B)", catch_up)
    row("On the wire, dossiers with two scans", wire("outage"))
    row("Wire overhead over the scans' bytes", overhead)
    row("`sync_log_digest` equal on ward and hub afterwards", same)
    row("`sync --once` with nothing to send (start-up)", lambda r: f"{r['idle']:.1f} s")
    row(
        "Intake to build the backlogs (`dossier_intake`, not timed in the round)",
        lambda r: f"{r['throughput'].intake_seconds:.0f} s / {r['outage'].intake_seconds:.0f} s",
    )
    lines += [
        "",
        "Each ward migrates its own database, then joins (`sync_join`). A scan "
        "travels once, in its own request (`PUT /sync/blobs/<sha256>`), before the batch "
        "that names it; batches are gzip-compressed JSON.",
        "",
        "The target counts every entry of the node's log, since the hub applies each one "
        "once by node and number: each of ward A's dossiers brings two dossier events "
        "(created, received) and one change (its new applicant). The dossier events alone "
        "are given beside. The figures follow the machine's speed: compare the reference "
        "loop's time with that of an earlier run before comparing the figures.",
    ]
    problems = [p for r in results for p in r["problems"]]
    if problems:
        lines += ["", "Hub errors during the run:", ""]
        lines += [f"- {problem}" for problem in problems]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="write or replace the section in this file")
    parser.add_argument("--postgres", metavar="URL", help="also run the hub on PostgreSQL")
    parser.add_argument("--dossiers", type=int, default=3000, help="ward A's backlog")
    parser.add_argument("--outage", type=int, default=1500, help="ward B's backlog (with scans)")
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite"
    )
    parser.add_argument("--round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.round:
        print(json.dumps(round_in_node()))
        return 0

    tools, server_note = uvicorn_path()
    results = [run_backend("SQLite", None, args, tools)] if args.sqlite else []
    if args.postgres:
        results.append(run_backend("PostgreSQL", args.postgres, args, tools))
    write_section(args.markdown, report(results, args, server_note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
