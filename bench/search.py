"""How fast the public procedure search answers on a catalog of 2,000 procedures.

    .venv/bin/python bench/search.py [--markdown docs/benchmarks.md]
                                     [--postgres postgres://postgres@127.0.0.1:5432/postgres]

For each database (a throwaway SQLite file in a temporary MOTCUA_VAR_DIR
always; with ``--postgres``, a fresh database ``motcua_bench_search`` created
through that URL and dropped at the end) it migrates, loads the demo
province without its simulated history, and imports a generated catalog file
(``manage.py catalog_import``) that brings the published procedures to 2,000
with varied Vietnamese names. A real server on 127.0.0.1 (uvicorn, the
project's ASGI handler, 2 worker processes, DEBUG off) is then asked
GET /procedures/?q=... , as a full page and as the htmx partial
(``HX-Request: true``), over a mix of one- to three-word queries with and
without tone marks, under two kinds of load:

- searches arriving at random (Poisson) at 10, 30 and 50 a second, each
  latency counted from when the search was due. The busiest province we
  plan for receives 125,000 dossiers a year; at twenty searches a dossier
  that is 2.5 million searches a year, a few a second in its busiest
  minutes, so 50 a second is well past what a province sends.
- flat out: 4 client threads on keep-alive connections, each sending its
  next search as soon as the last is answered. The server is then saturated
  and a latency is mostly the wait behind the other clients' searches (about
  4 / throughput, by Little's law); the row gives the throughput.

Target: p95 under 50 ms at the arrival rates.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.support import (  # noqa: E402
    Run,
    child,
    drive,
    exceptions_in,
    free_port,
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

SECTION = "## Procedure search"
BENCH_DB = "motcua_bench_search"
CATALOG_SIZE = 2_000
WORKERS = 2
TARGET_P95 = 0.050
LOAD_BEFORE = load_average()
QUERIES = (
    "cap lai can cuoc",
    "khai sinh",
    "đăng ký kết hôn",
    "giay phep lai xe",
    "hộ tịch",
    "chung thuc",
    "thuế",
    "cấp giấy phép xây dựng",
    "dang ky kinh doanh",
    "bao hiem xa hoi",
    "đất đai",
    "xac nhan cu tru",
)
MODES = {"page": {}, "partial": {"HX-Request": "true"}}
RATES = (10.0, 30.0, 50.0)  # searches a second, arriving at random
FLAT_OUT = 0.0
RATE_CLIENTS = 8  # enough threads that a due search never waits for one

# Pieces of the generated procedure names: an action and an object, per field.
ACTIONS = (
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Đăng ký",
    "Đăng ký lại",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Xác nhận",
    "Thay đổi thông tin",
    "Chấm dứt",
    "Công nhận",
)
OBJECTS = {
    "HO_TICH": ("khai sinh", "kết hôn", "khai tử", "giám hộ", "nhận cha, mẹ, con", "hộ tịch"),
    "CAN_CUOC": ("thẻ căn cước", "căn cước điện tử", "giấy chứng nhận căn cước"),
    "CU_TRU": ("thường trú", "tạm trú", "lưu trú", "thông tin cư trú"),
    "GPLX": ("giấy phép lái xe", "chứng chỉ hành nghề lái xe", "đăng ký xe máy"),
    "DKKD": ("hộ kinh doanh", "doanh nghiệp tư nhân", "hợp tác xã", "địa điểm kinh doanh"),
    "THUE": ("mã số thuế", "hóa đơn điện tử", "thuế thu nhập cá nhân", "miễn giảm thuế"),
    "BHXH": ("sổ bảo hiểm xã hội", "thẻ bảo hiểm y tế", "trợ cấp thai sản", "lương hưu"),
    "DAT_DAI": ("quyền sử dụng đất", "giấy chứng nhận quyền sử dụng đất", "chuyển mục đích"),
    "XAY_DUNG": ("giấy phép xây dựng", "giấy phép sửa chữa nhà ở", "chứng chỉ hành nghề"),
    "LDXH": ("trợ cấp xã hội", "giấy phép lao động", "hỗ trợ người khuyết tật"),
    "ATTP": ("an toàn thực phẩm", "cơ sở sản xuất thực phẩm", "giấy xác nhận kiến thức"),
    "CHUNG_THUC": ("bản sao từ bản chính", "chữ ký", "hợp đồng, giao dịch"),
    "LLTP": ("phiếu lý lịch tư pháp", "lý lịch tư pháp số 2"),
}
SUBJECTS = (
    "",
    " cho công dân",
    " cho người nước ngoài",
    " cho doanh nghiệp",
    " tại cấp xã",
    " tại cấp tỉnh",
    " trực tuyến",
    " cho trẻ em dưới 14 tuổi",
    " có yếu tố nước ngoài",
    " cho hộ gia đình",
)


def catalog_file(count: int) -> dict[str, Any]:
    """A catalog of ``count`` procedures in the ``motcua.catalog`` format, national codes 9.*."""
    names = [
        (f"{action} {thing}{subject}", field)
        for subject in SUBJECTS
        for field, things in OBJECTS.items()
        for thing in things
        for action in ACTIONS
    ]
    procedures = []
    for number in range(count):
        name, field = names[number % len(names)]
        procedures.append(
            {
                "code": f"9.{number:06d}",
                "field": field,
                "name_vi": name,
                "name_en": f"Generated procedure {number}",
                "level": "ward" if number % 2 else "province",
                "agency": "ward_committee" if number % 2 else "justice",
                "agency_name_vi": "Ủy ban nhân dân cấp xã" if number % 2 else "Sở Tư pháp",
                "agency_name_en": "Ward People's Committee" if number % 2 else "Justice",
                "online_level": ("full", "partial", "none")[number % 3],
                "targets": ["citizen"],
                "legal_basis": "Nghị định 118/2025/NĐ-CP",
                "result_vi": f"Kết quả: {name.lower()}",
                "result_en": "",
                "keywords": [name.split(" ", 1)[1].lower()],
                "cases": [
                    {
                        "code": "1",
                        "name_vi": name,
                        "name_en": "",
                        "time": {"value": 1 + number % 15, "unit": "working_days"},
                        "fees": [{"name_vi": "Lệ phí", "name_en": "Fee", "amount": 0}],
                        "components": [
                            {
                                "name_vi": f"Tờ khai {name.lower()}",
                                "name_en": "Form",
                                "originals": 1,
                                "copies": 0,
                                "mandatory": True,
                                "reusable": False,
                            }
                        ],
                    }
                ],
            }
        )
    return {"format": "motcua.catalog", "format_version": 1, "procedures": procedures}


# -- inside a child process with Django set up -------------------------------------------------


def published() -> int:
    """The published procedures, once the database's statistics are fresh.

    PostgreSQL's autovacuum would otherwise analyse the freshly imported
    tables in the middle of the measurement, as a live hub's would have done
    long before.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.db import connection

    from catalog.models import Procedure

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Procedure.objects.published().count()


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
        demo = int(child(env, __file__, "--count").strip().splitlines()[-1])
        extra = Path(var_dir) / "bench-catalog.json"
        extra.write_text(
            json.dumps(catalog_file(CATALOG_SIZE - demo), ensure_ascii=False), encoding="utf-8"
        )
        say(label, f"importing {CATALOG_SIZE - demo} generated procedures")
        child(env, "manage.py", "catalog_import", str(extra))
        size = int(child(env, __file__, "--count").strip().splitlines()[-1])

        def search(client: int, number: int) -> tuple[str, str, bytes | None]:
            query = QUERIES[(client * 7 + number) % len(QUERIES)]
            return "GET", f"/procedures/?q={quote(query)}", None

        server_env = {**env, "DB_CONN_MAX_AGE": "0"}
        if tools:
            server_env["PYTHONPATH"] = tools
        runs: dict[tuple[str, float], Run] = {}
        problems: list[str] = []
        port = free_port()
        log = Path(var_dir) / "server.log"
        with server(
            server_env, port, log, interface="asgi", workers=args.workers, ready_path="/procedures/"
        ):
            drive(port, search, clients=args.clients, seconds=1, expect=200)  # warm up
            for mode, headers in MODES.items():
                for rate in (*RATES, FLAT_OUT):
                    load = f"{rate:g}/s" if rate else f"{args.clients} clients flat out"
                    say(label, f"GET /procedures/?q= ({mode}), {load}")
                    run = drive(
                        port,
                        search,
                        clients=RATE_CLIENTS if rate else args.clients,
                        seconds=args.seconds,
                        expect=200,
                        headers=headers,
                        rate=rate,
                    )
                    runs[(mode, rate)] = run
                    for kind, text in run.samples.items():
                        say(label, f"an answer counted as error ({kind}): {text}")
        for line in exceptions_in(log):
            problems.append(f"{label}: `{line}`")
    version = postgres_version(admin_url) if admin_url else f"SQLite {sqlite_version()}"
    return {"label": label, "version": version, "size": size, "runs": runs, "problems": problems}


# -- report ------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]], args: argparse.Namespace, server_note: str) -> str:
    queries = ", ".join(f"“{q}”" for q in QUERIES)
    lines = [
        SECTION,
        "",
        f"Measured by `bench/search.py` on {date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {machine()} |",
        f"| Python | {python()} |",
        f"| Load average (1, 5, 15 min) | {LOAD_BEFORE} before, {load_average()} after |",
        f"| Server | {server_note}, ASGI, {args.workers} worker processes, DEBUG off |",
        f"| Load | searches arriving at random at {', '.join(f'{r:g}' for r in RATES)} a second "
        f"({RATE_CLIENTS} client threads, latency from when each was due); then flat out: "
        f"{args.clients} client threads, each sending as soon as it is answered; "
        f"keep-alive, {args.seconds:g} s per row |",
        f"| Queries (in turn) | {queries} |",
        f"| Target | p95 under {TARGET_P95 * 1000:.0f} ms at the arrival rates; flat out, "
        "the server is saturated and the row gives its throughput |",
        "",
        "| Database | Published procedures | Request | Load | Answers | p50 / p95 / p99 (ms) "
        "| p95 < 50 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for (mode, rate), run in r["runs"].items():
            request = "GET /procedures/?q=" + (" (htmx partial)" if mode == "partial" else "")
            load = f"{rate:g}/s at random" if rate else f"{args.clients} clients flat out"
            p95 = run.percentile(95)
            met = "met" if p95 < TARGET_P95 and not run.errors else "not met"
            lines.append(
                f"| {r['version']} | {r['size']:,} | {request} | {load} | "
                f"{run.ok:,} ({run.rate:,.0f}/s; {run.error_text()}) | "
                f"{ms(run.percentile(50))} / {ms(p95)} / {ms(run.percentile(99))} | "
                f"{met if rate else f'(saturated: {met})'} |"
            )
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
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=WORKERS, help="server processes")
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.count:
        print(published())
        return 0

    tools, server_note = uvicorn_path()
    results = [run_backend("SQLite", None, args, tools)]
    if args.postgres:
        results.append(run_backend("PostgreSQL", args.postgres, args, tools))
    write_section(args.markdown, report(results, args, server_note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
