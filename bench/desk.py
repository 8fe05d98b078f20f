"""How fast the front-desk pages answer a signed-in desk officer, with a year of dossiers loaded.

    .venv/bin/python bench/desk.py [--markdown docs/benchmarks.md]
                                   [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                                   [--history-days 365] [--clients 4] [--seconds 5]

For each database (a throwaway SQLite file in a temporary MOTCUA_VAR_DIR
always; with ``--postgres``, a fresh database ``motcua_bench_desk`` created
through that URL and dropped at the end) it migrates, loads the demo province
with ``--history-days`` of simulated dossiers (``manage.py demo``), signs the
demo desk officer in, and serves the project with uvicorn (2 worker
processes, Django's ASGI handler, DEBUG off: uvicorn's WSGI adapter refuses
the Set-Cookie header Django's WSGI handler writes with a leading space, and
every HTML page sets the CSRF cookie). Then each page is requested by
``--clients`` threads on keep-alive connections for ``--seconds``:

- the workspace (``/desk/``), with the three lists of the day;
- the live search (``/desk/search/?q=...`` as htmx asks for it), names
  without accents, ID numbers and code fragments in turn;
- the receive form (``/desk/receive/``);
- the check page of an online filing (``/desk/dossiers/<code>/check/``);
- the return page with a resolved dossier found (``/desk/return/?q=<code>``).

Target: p95 under 150 ms for every page. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench import support  # noqa: E402

SECTION = "## Desk pages"
BENCH_DB = "motcua_bench_desk"
DESK_USER = "desk"  # the demo desk officer of the Tuy Hoa ward center (core.demo)
TARGET_P95 = 0.150
SEARCHES = ["nguyen", "tran thi", "le van", "0790", "-0001", "hoang"]


# -- inside a child process with Django set up ---------------------------------------------------


def prepare() -> dict[str, Any]:
    """A signed-in session for the desk officer, and a dossier for each page that needs one."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.test import Client
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from desk.access import desk_unit_ids
    from dossiers.models import Dossier, Status

    desk = User.objects.prefetch_related("assignments").get(username=DESK_USER)
    units = desk_unit_ids(desk)
    mine = Dossier.objects.filter(receiving_unit_id__in=units)
    submitted = mine.filter(status=Status.SUBMITTED).first() or _submitted(desk)
    resolved = mine.filter(status=Status.RESOLVED).first() or _resolved(desk)
    client = Client()
    client.force_login(desk)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # A browser sends its CSRF cookie back on every request, so pages that
    # print a form do not set a new one.
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; "
    cookie += f"{settings.CSRF_COOKIE_NAME}={get_random_string(32, CSRF_ALLOWED_CHARS)}"
    return {
        "cookie": cookie,
        "submitted": submitted.code,
        "resolved": resolved.code,
        "dossiers": Dossier.objects.count(),
        "at_desk": mine.count(),
    }


def _case_and_papers(unit: Any) -> tuple[Any, list[Any]]:
    from catalog.models import Procedure
    from dossiers.services import PaperIn

    version = Procedure.objects.get(code="1.004873").current_version
    case = version.cases.order_by("position").first()
    papers = [PaperIn(component_id=c.pk, originals=1) for c in case.components.all() if c.mandatory]
    return case, papers


def _submitted(desk: Any) -> Any:
    """An online filing at the officer's center, when the simulated history left none open."""
    from accounts.models import User
    from dossiers import services
    from dossiers.models import Channel

    unit = desk.assignments.get().unit
    case, papers = _case_and_papers(unit)
    citizen, _created = User.objects.get_or_create(username="bench.citizen")
    applicant = services.applicant_find_or_create(
        data=services.ApplicantIn(full_name="Người Thử Trực Tuyến", id_number="054190000777")
    )
    draft = services.dossier_create(
        actor=citizen, case=case, applicant=applicant, unit=unit, channel=Channel.ONLINE
    )
    return services.dossier_submit(actor=citizen, dossier=draft, papers=papers)


def _resolved(desk: Any) -> Any:
    """A result ready at the officer's center, driven through the services."""
    from accounts.models import Role
    from dossiers import services

    unit = desk.assignments.get().unit
    case, papers = _case_and_papers(unit)
    dossier = services.dossier_intake(
        actor=desk,
        unit=unit,
        case=case,
        applicant=services.ApplicantIn(full_name="Người Thử Trả", id_number="054090000888"),
        papers=papers,
    )
    dossier = services.dossier_route(actor=desk, dossier=dossier)
    approver = dossier.competent_unit.assignments.filter(role=Role.APPROVER).first().user
    return services.dossier_resolve(actor=approver, dossier=dossier, number="1/BENCH")


# -- orchestration -------------------------------------------------------------------------------


def pages(fixture: dict[str, Any]) -> dict[str, tuple[support.Request, dict[str, str]]]:
    def get(path: str) -> support.Request:
        return lambda _client, _number: ("GET", path, None)

    def search(client: int, number: int) -> tuple[str, str, bytes | None]:
        query = SEARCHES[(client + number) % len(SEARCHES)].replace(" ", "+")
        return "GET", f"/desk/search/?q={query}", None

    htmx = {"HX-Request": "true", "HX-Target": "search-results"}
    return {
        "Workspace `/desk/`": (get("/desk/"), {}),
        "Live search `/desk/search/?q=…` (htmx)": (search, htmx),
        "Receive form `/desk/receive/`": (get("/desk/receive/"), {}),
        "Check an online filing `/desk/dossiers/<code>/check/`": (
            get(f"/desk/dossiers/{fixture['submitted']}/check/"),
            {},
        ),
        "Return page `/desk/return/?q=<code>`": (get(f"/desk/return/?q={fixture['resolved']}"), {}),
    }


def run_backend(label: str, admin_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    tools, _note = support.uvicorn_path()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-desk-") as var_dir:
        url = support.database_url(admin_url, BENCH_DB) if admin_url else None
        if admin_url:
            support.recreate_database(admin_url, BENCH_DB)
        env = support.node_env(var_dir, url)
        try:
            support.say(label, f"migrating, loading the demo with {args.history_days} days")
            support.child(env, "manage.py", "migrate", "--no-input", "-v", "0")
            support.child(env, "manage.py", "demo", "--history-days", str(args.history_days))
            fixture = json.loads(support.child(env, __file__, "--prepare").strip().splitlines()[-1])
            support.say(label, f"{fixture['dossiers']} dossiers, {fixture['at_desk']} at the desk")
            server_env = {**env, "PYTHONPATH": tools} if tools else env
            port = support.free_port()
            log = Path(var_dir) / "server.log"
            cookie = {"Cookie": fixture["cookie"], "Accept-Language": "vi"}
            runs: dict[str, support.Run] = {}
            with support.server(
                server_env,
                port,
                log,
                interface="asgi",
                workers=args.workers,
                ready_path="/healthz",
            ):
                for name, (request, extra) in pages(fixture).items():
                    headers = {**cookie, **extra}
                    support.drive(
                        port, request, clients=args.clients, seconds=1, expect=200, headers=headers
                    )  # warm up
                    runs[name] = support.drive(
                        port,
                        request,
                        clients=args.clients,
                        seconds=args.seconds,
                        expect=200,
                        headers=headers,
                    )
                    support.say(label, f"{name}: p95 {support.ms(runs[name].percentile(95))} ms")
                    for kind, text in runs[name].samples.items():
                        support.say(label, f"an answer counted as error ({kind}): {text}")
            problems = [f"{label}: `{line}`" for line in support.exceptions_in(log)]
        finally:
            if admin_url:
                support.recreate_database(admin_url, BENCH_DB, drop_only=True)
    version = (
        support.postgres_version(admin_url) if admin_url else f"SQLite {support.sqlite_version()}"
    )
    return {
        "label": label,
        "version": version,
        "fixture": fixture,
        "runs": runs,
        "problems": problems,
    }


# -- report --------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    loaded = "; ".join(
        f"{r['version']}: {r['fixture']['dossiers']:,} dossiers, {r['fixture']['at_desk']:,} "
        "received at the officer's center"
        for r in results
    )
    lines = [
        SECTION,
        "",
        f"Measured by `bench/desk.py` on {date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {support.machine()} |",
        f"| Python | {support.python()} |",
        f"| Server | uvicorn, {args.workers} worker processes on {support.HOST}, Django's ASGI "
        "handler, DEBUG off |",
        f"| Data | the demo province with {args.history_days} days of simulated dossiers "
        f"(`manage.py demo --history-days {args.history_days}`); {loaded} |",
        f"| Load | {args.clients} client threads (the desks of one center) signed in as the demo "
        f"desk officer, one keep-alive connection each, {args.seconds:g} s per page after 1 s of "
        f"warm-up; load average before the run {support.load_average()} |",
        "| Target | p95 under 150 ms for every page |",
        "",
        "| Page | " + " | ".join(r["version"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for name in results[0]["runs"]:
        cells = []
        for r in results:
            run: support.Run = r["runs"][name]
            p95 = run.percentile(95)
            verdict = "met" if p95 < TARGET_P95 else "not met"
            cells.append(
                f"p50 {support.ms(run.percentile(50))} / **p95 {support.ms(p95)}** / "
                f"p99 {support.ms(run.percentile(99))} ms ({verdict}); {run.rate:,.0f} req/s; "
                f"{run.error_text()}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    problems = [p for r in results for p in r["problems"]]
    if problems:
        lines += ["", "Server errors during the run:", ""] + [f"- {p}" for p in problems]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="write or replace the section in this file")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (admin URL)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per page")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--history-days", type=int, default=365, help="days of demo dossiers")
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite"
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare()))
        return 0
    results = [run_backend("SQLite", None, args)] if args.sqlite else []
    if args.postgres:
        results.append(run_backend("PostgreSQL", args.postgres, args))
    if results:
        support.write_section(args.markdown, report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
