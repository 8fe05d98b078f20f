"""How fast the reports answer over ten million dossiers, beside DuckDB scanning the same rows.

    .venv/bin/python bench/reports.py [--dossiers 10000000] [--markdown docs/benchmarks.md]
                                      [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. Makes ``--dossiers`` dossier lives with NumPy (three years up to 15 December
   2025, 100 centers, the demo catalog's 41 procedures): reception moment and
   channel, due moment, a pause for one in twelve (some begun after the due
   moment, some never resumed), a result early, on time or late, a withdrawal
   or a stop, the return and its channel, the papers handed over.
2. Books them into report counters the way ``reports.counters`` does (day,
   month and year rows; hour and officer rows), with NumPy.
3. For each database (SQLite in a throw-away folder; with ``--postgres`` a
   database ``motcua_bench_reports`` created and dropped through that URL):
   migrates, loads the demo province without history, adds 95 ward centers,
   bulk-inserts the dossiers (secondary indexes dropped during the load and
   rebuilt after it) and the counters (executemany on SQLite, COPY on
   PostgreSQL), then times through Django the yearly province progress report
   and the dashboard queries.
4. Writes the same dossier rows to Parquet and times DuckDB computing the
   same yearly report from them (the export is not timed), and checks that
   both give the same figure in every column for every center.

The event log is not generated: the reports never read it. Tests compare the
counters with the event log on generated data instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench import support  # noqa: E402
from bench.support.province_year import (  # noqa: E402
    CENTERS,
    CHANNELS,
    FAR,
    MEASURES,
    NOW,
    OFFICERS,
    OFFSET,
    START,
    VERSIONS,
    book,
    generate,
    local_midnight,
)

SECTION = "## Reports"
BENCH_DB = "motcua_bench_reports"
RUNS = 5
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
# The report columns compared with DuckDB, as reports.progress.Line names them.
COLUMNS = (
    "carried", "new_online", "new_direct", "new_post", "done_early", "done_on_time",
    "done_late", "withdrawn", "running", "running_overdue", "paused_now", "paused_now_overdue",
    "stopped_on_time", "stopped_overdue", "returned_direct", "returned_online", "returned_post",
)  # fmt: skip

say = support.say


# -- 4. DuckDB over the same rows ------------------------------------------------------------


def duckdb_sql(path: Path, start: dt.date, end: dt.date) -> str:
    s0, e1 = local_midnight(start), local_midnight(end + dt.timedelta(days=1))
    day = f"+ {OFFSET}) // 86400"
    flag = "::INTEGER"
    return f"""
    WITH f AS (
      SELECT *,
        CASE WHEN p_start <> {FAR} AND p_end = {FAR} AND fin <> {FAR} THEN p_start ELSE fin END
          AS judged,
        CASE WHEN p_end <> {FAR} THEN due1 ELSE due0 END AS due_done,
        (p_start < {e1} AND p_end >= {e1}) AS paused_at_end,
        (recv < {e1} AND fin >= {e1}) AS open_at_end,
        (fin >= {s0} AND fin < {e1}) AS fin_in
      FROM read_parquet('{path}')
    )
    SELECT unit,
      SUM((recv < {s0} AND fin >= {s0}){flag}) AS carried,
      SUM((recv >= {s0} AND recv < {e1} AND channel = 0){flag}) AS new_online,
      SUM((recv >= {s0} AND recv < {e1} AND channel = 1){flag}) AS new_direct,
      SUM((recv >= {s0} AND recv < {e1} AND channel = 2){flag}) AS new_post,
      SUM((kind IN (1, 2) AND fin_in AND judged <= due_done
           AND (judged {day} < (due_done {day}){flag}) AS done_early,
      SUM((kind IN (1, 2) AND fin_in AND judged <= due_done
           AND (judged {day} >= (due_done {day}){flag}) AS done_on_time,
      SUM((kind IN (1, 2) AND fin_in AND judged > due_done){flag}) AS done_late,
      SUM((kind = 2 AND fin_in){flag}) AS withdrawn,
      SUM((open_at_end AND NOT paused_at_end){flag}) AS running,
      SUM((open_at_end AND NOT paused_at_end
           AND (CASE WHEN p_end < {e1} THEN due1 ELSE due0 END) < {e1}){flag}) AS running_overdue,
      SUM((open_at_end AND paused_at_end){flag}) AS paused_now,
      SUM((open_at_end AND paused_at_end AND p_start > due0){flag}) AS paused_now_overdue,
      SUM((kind = 3 AND fin_in AND judged <= due_done){flag}) AS stopped_on_time,
      SUM((kind = 3 AND fin_in AND judged > due_done){flag}) AS stopped_overdue,
      SUM((ret >= {s0} AND ret < {e1} AND ret_channel = 1){flag}) AS returned_direct,
      SUM((ret >= {s0} AND ret < {e1} AND ret_channel = 0){flag}) AS returned_online,
      SUM((ret >= {s0} AND ret < {e1} AND ret_channel = 2){flag}) AS returned_post
    FROM f GROUP BY unit ORDER BY unit
    """


def duckdb_report(facts: dict[str, Any], folder: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    path = folder / "dossiers.parquet"
    dossiers = facts  # a dict of NumPy arrays is a table to DuckDB
    con.execute(f"COPY (SELECT * FROM dossiers) TO '{path}' (FORMAT parquet)")
    sql = duckdb_sql(path, *YEAR)
    timings = []
    rows: list[Any] = []
    for _run in range(RUNS):
        began = time.perf_counter()
        rows = con.execute(sql).fetchall()
        timings.append(time.perf_counter() - began)
    del dossiers
    return {
        "version": duckdb.__version__,
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],  # type: ignore[index]
        "timings": timings,
        "rows": {int(r[0]): dict(zip(COLUMNS, (int(x) for x in r[1:]), strict=True)) for r in rows},
        "size_mb": path.stat().st_size / 1e6,
    }


# -- 3. a database: load and time (in a child process with Django set up) ------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()


def setup_province() -> dict[str, Any]:
    """Centers, users and applicants for the bulk rows to point at; their ids by index."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from catalog.models import Procedure
    from dossiers.models import Applicant
    from units.models import Level, Unit, UnitKind

    province = Unit.objects.get(kind=UnitKind.PROVINCE)
    centers = list(Unit.objects.filter(kind=UnitKind.CENTER).order_by("level", "code"))
    new: list[Unit] = []
    for number in range(len(centers), CENTERS):
        committee = Unit(
            code=f"000.{number + 30:02d}.00.{province.code[-3:]}",
            name_vi=f"UBND xã Thử {number}",
            kind=UnitKind.WARD_COMMITTEE,
            level=Level.WARD,
            parent=province,
            province=province,
        )
        center = Unit(
            code=f"000.{number + 30:02d}.01.{province.code[-3:]}",
            name_vi=f"Trung tâm Phục vụ hành chính công xã Thử {number}",
            kind=UnitKind.CENTER,
            level=Level.WARD,
            parent=committee,
            province=province,
        )
        new += [committee, center]
    Unit.objects.bulk_create(new)
    centers = list(Unit.objects.filter(kind=UnitKind.CENTER).order_by("level", "code"))
    assert len(centers) == CENTERS, len(centers)
    procedures = list(Procedure.objects.published().order_by("code")[:VERSIONS])
    assert len(procedures) == VERSIONS, len(procedures)
    versions = [p.current_version for p in procedures]
    cases = [v.cases.order_by("position").first() for v in versions]  # type: ignore[union-attr]
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"bench.{c}.{o}", full_name=f"Cán bộ {c}.{o}", password=password)
            for c in range(CENTERS)
            for o in range(OFFICERS)
        ]
    )
    applicant = Applicant.objects.create(full_name="Người nộp thử", id_number="066190009999")
    return {
        "centers": [c.pk for c in centers],
        "versions": [v.pk for v in versions],  # type: ignore[union-attr]
        "cases": [c.pk for c in cases],  # type: ignore[union-attr]
        "users": [u.pk for u in users],
        "applicant": applicant.pk,
    }


STATUS = {0: "processing", 1: "resolved", 2: "withdrawn", 3: "stopped"}


def _times(values: Any) -> Any:
    """Epoch seconds as the database's text for aware datetimes (UTC); "" for never."""
    import numpy as np

    text = np.datetime_as_string(np.where(values == FAR, 0, values).astype("datetime64[s]"))
    text = np.char.replace(text, "T", " ")
    return np.where(values == FAR, "", text)


def dossier_rows(facts: dict[str, Any], ids: dict[str, Any], postgres: bool) -> Any:
    """The dossiers table's rows, in chunks, for executemany or COPY."""
    import numpy as np

    from dossiers.models import Dossier

    n = len(facts["recv"])
    columns = [f.column for f in Dossier._meta.concrete_fields]
    defaults: dict[str, Any] = {}
    for f in Dossier._meta.concrete_fields:
        default = f.get_default()
        defaults[f.column] = None if default is None and f.null else default
    chunk = 500_000
    uuid_of = (lambda u: str(u)) if postgres else (lambda u: u.hex)
    centers = [uuid_of(u) for u in ids["centers"]]
    versions = [uuid_of(u) for u in ids["versions"]]
    cases = [uuid_of(u) for u in ids["cases"]]
    applicant = uuid_of(ids["applicant"])
    suffix = "+00" if postgres else ""
    for first in range(0, n, chunk):
        part = slice(first, min(n, first + chunk))
        unit = facts["unit"][part]
        version = facts["version"][part]
        kind = facts["kind"][part]
        ret = facts["ret"][part]
        paused_open = (facts["p_start"][part] != FAR) & (facts["p_end"][part] == FAR) & (kind == 0)
        status = np.where(kind == 0, np.where(paused_open, "supplement_requested", "processing"),
                          np.where((kind == 1) & (ret != FAR), "returned",
                                   np.array(list(STATUS.values()))[kind]))  # fmt: skip
        due = np.where(facts["p_end"][part] != FAR, facts["due1"][part], facts["due0"][part])
        received = _times(facts["recv"][part])
        values: dict[str, Any] = {
            "code": [f"BENCH-{i:09d}" for i in range(part.start, part.stop)],
            "receiving_unit_id": [centers[u] for u in unit.tolist()],
            "competent_unit_id": [centers[u] for u in unit.tolist()],
            "procedure_version_id": [versions[v] for v in version.tolist()],
            "case_id": [cases[v] for v in version.tolist()],
            "channel": np.array(CHANNELS)[facts["channel"][part]].tolist(),
            "status": status.tolist(),
            "received_at": received.tolist(),
            "created_at": received.tolist(),
            "due_at": _times(due).tolist(),
            "paused_at": _times(np.where(paused_open, facts["p_start"][part], FAR)).tolist(),
            "finished_at": _times(facts["fin"][part]).tolist(),
            "returned_at": _times(ret).tolist(),
            "return_channel": np.where(
                ret != FAR, np.array(CHANNELS)[facts["ret_channel"][part]], ""
            ).tolist(),
        }
        count = part.stop - part.start
        base = 0x01900000000070008000000000000000  # uuid7-shaped, in order
        ids_hex = [f"{base + i:032x}" for i in range(part.start, part.stop)]
        if postgres:
            ids_hex = [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in ids_hex]
        row_columns: list[list[Any]] = []
        for column in columns:
            if column == "id":
                row_columns.append(ids_hex)
            elif column in values:
                cells = values[column]
                if column.endswith("_at"):
                    cells = [c + suffix if c else None for c in cells]
                row_columns.append(cells)
            elif column == "applicant_id":
                row_columns.append([applicant] * count)
            elif column == "owner_node":
                row_columns.append(["bench"] * count)
            else:
                row_columns.append([defaults[column]] * count)
        yield columns, zip(*row_columns, strict=True)


def tally_rows(counters: dict[str, Any], ids: dict[str, Any], postgres: bool) -> Any:
    import uuid

    uuid_of = (lambda u: str(u)) if postgres else (lambda u: u.hex)
    nil = uuid_of(uuid.UUID(int=0))
    centers = [uuid_of(u) for u in ids["centers"]]
    versions = [uuid_of(u) for u in ids["versions"]]
    users = [u.hex for u in ids["users"]]
    days = [(START + dt.timedelta(days=d)).isoformat() for d in range(int(counters["days"]))]
    for grain in "dmy":
        for day, cell, values in zip(
            counters[f"{grain}_day"].tolist(),
            counters[f"{grain}_cell"].tolist(),
            counters[f"{grain}_values"].tolist(),
            strict=True,
        ):
            unit, version = divmod(cell, VERSIONS)
            yield (grain, days[day], centers[unit], versions[version], "", *values)
        for day, unit, values in zip(
            counters[f"u{grain}_day"].tolist(),
            counters[f"u{grain}_cell"].tolist(),
            counters[f"u{grain}_values"].tolist(),
            strict=True,
        ):
            yield (grain, days[day], centers[unit], nil, "", *values)
    zeros = [0] * len(MEASURES)
    positions = {m: i for i, m in enumerate(MEASURES)}
    for grain in "ho":
        tags = int(counters[f"{grain}_tags"])
        for key, values in zip(
            counters[f"{grain}_key"].tolist(), counters[f"{grain}_values"].tolist(), strict=True
        ):
            rest, tag = divmod(key, tags)
            day, unit = divmod(rest, CENTERS)
            row = list(zeros)
            for index, name in enumerate(CHANNELS):
                row[positions[f"received_{name}"]] = values[index]
                if len(values) > 3:
                    row[positions[f"returned_{name}"]] = values[3 + index]
            label = f"{tag:02d}" if grain == "h" else users[unit * OFFICERS + tag]
            yield (grain, days[day], centers[unit], nil, label, *row)


def _secondary_indexes(cursor: Any, table: str, postgres: bool) -> list[tuple[str, str]]:
    if postgres:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE %s",
            [table, "%_pkey"],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
    return list(cursor.fetchall())


def _constraints_as_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """PostgreSQL unique constraints (they own their index): drop and add them back."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    return list(cursor.fetchall())


def load(facts_path: str, counters_path: str) -> dict[str, Any]:
    import numpy as np
    from django.db import connection, transaction

    facts = dict(np.load(facts_path))
    counters = dict(np.load(counters_path))
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        ids = setup_province()
    timings: dict[str, float] = {}
    table = "dossiers_dossier"
    with connection.cursor() as cursor:
        raw = connection.connection
        if postgres:
            # The rows point at units, versions and cases made above: skip the
            # per-row foreign key triggers while loading (superuser only).
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
            if raw.in_transaction:
                raw.commit()
            raw.execute("BEGIN")
        began = time.perf_counter()
        uniques = _constraints_as_indexes(cursor, table) if postgres else []
        for name, _definition in uniques:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        indexes = _secondary_indexes(cursor, table, postgres)
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for columns, rows in dossier_rows(facts, ids, postgres):
            if postgres:
                with (
                    raw.cursor() as pg,
                    pg.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                raw.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                )
        timings["insert dossiers"] = time.perf_counter() - began
        began = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in uniques:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        timings["rebuild dossier indexes"] = time.perf_counter() - began
        began = time.perf_counter()
        from reports.models import MEASURES as MODEL_MEASURES

        assert tuple(MODEL_MEASURES) == MEASURES, "the bench's measures follow the model's"
        columns = ["grain", "day", "unit_id", "version_id", "tag", *MEASURES]
        if postgres:
            with (
                raw.cursor() as pg,
                pg.copy(f"COPY reports_tally ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in tally_rows(counters, ids, postgres):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            raw.executemany(
                f"INSERT INTO reports_tally ({', '.join(columns)}) VALUES ({marks})",
                tally_rows(counters, ids, postgres),
            )
        cursor.execute("SELECT COUNT(*) FROM reports_tally")
        tally_count = cursor.fetchone()[0]
        if postgres:
            cursor.execute("SET session_replication_role = origin")
        else:
            raw.commit()
            cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("ANALYZE")
        timings["insert counters"] = time.perf_counter() - began
    return {"ids": ids, "load": timings, "tallies": tally_count, "dossiers": len(facts["recv"])}


def measure(ids: dict[str, Any]) -> dict[str, Any]:
    """Time the yearly province report and the dashboards through the app's own code."""
    from reports.dashboards import center_board
    from reports.progress import progress, year_earlier

    centers = ids["centers"]

    def timed(call: Any) -> tuple[list[float], Any]:
        timings, result = [], None
        for _run in range(RUNS + 1):  # the first run warms the caches and is not kept
            began = time.perf_counter()
            result = call()
            timings.append(time.perf_counter() - began)
        return timings[1:], result

    year, report = timed(lambda: progress(unit_ids=centers, start=YEAR[0], end=YEAR[1]))
    by_procedure, _ = timed(
        lambda: progress(unit_ids=centers, start=YEAR[0], end=YEAR[1], by="procedure")
    )
    month = NOW.date().replace(day=1)

    def province_board() -> Any:
        current = progress(unit_ids=centers, start=month, end=NOW.date())
        return current, year_earlier(current, centers)

    province, _ = timed(province_board)
    center, board = timed(lambda: center_board([centers[0]], NOW))
    ward, _ = timed(lambda: center_board([centers[1]], NOW))
    index = {str(u): i for i, u in enumerate(centers)}
    rows = {index[line.key]: {c: getattr(line, c) for c in COLUMNS} for line in report.lines}
    return {
        "timings": {
            "year": year,
            "year by procedure": by_procedure,
            "province dashboard (month and a year earlier)": province,
            "center dashboard, provincial center": center,
            "center dashboard, a ward center": ward,
        },
        "rows": rows,
        "overdue shown": len(board.overdue),
    }


def child_main(facts_path: str, counters_path: str) -> None:
    _django()
    loaded = load(facts_path, counters_path)
    result = {**loaded, **measure(loaded["ids"])}
    result.pop("ids")
    print(json.dumps(result, default=str))


# -- orchestration ---------------------------------------------------------------------------


def run_backend(label: str, admin_url: str | None, files: tuple[Path, Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-reports-") as var_dir:
        url = support.database_url(admin_url, BENCH_DB) if admin_url else None
        if admin_url:
            support.recreate_database(admin_url, BENCH_DB)
        env = support.node_env(var_dir, url)
        try:
            say(label, "migrating and loading the demo province (no history)")
            support.child(env, "manage.py", "migrate", "--no-input", "-v", "0")
            support.child(env, "manage.py", "demo", "--no-history")
            say(label, "bulk-loading dossiers and counters, then timing the reports")
            began = time.perf_counter()
            out = support.child(env, __file__, "--child", str(files[0]), str(files[1]))
            result = json.loads(out.strip().splitlines()[-1])
            result["wall"] = time.perf_counter() - began
        finally:
            if admin_url:
                support.recreate_database(admin_url, BENCH_DB, drop_only=True)
    result["label"] = label
    result["version"] = (
        support.postgres_version(admin_url) if admin_url else f"SQLite {support.sqlite_version()}"
    )
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(args: argparse.Namespace, made: dict[str, Any], duck: dict[str, Any],
           results: list[dict[str, Any]]) -> str:  # fmt: skip
    duck_median = median(duck["timings"])
    lines = [
        SECTION,
        "",
        f"Measured by `bench/reports.py` on {dt.date.today().isoformat()}.",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {support.machine()}; load average before the run {made['load']} |",
        f"| Python | {support.python()} |",
        f"| Data | {made['dossiers']:,} dossiers received 1 January 2023 to 15 December 2025 at "
        f"{CENTERS} centers, {VERSIONS} procedures; {made['paused']:,} paused once, "
        f"{made['open']:,} still open; made with NumPy in {made['seconds']:.0f} s, booked "
        f"into counters in {made['book']:.0f} s |",
        f"| Report | the province's progress report for 2025 by center: every column of "
        f"`reports.progress` ({len(COLUMNS)} counts per center, 100 centers), through the app's "
        f"own code and Django ORM; median of {RUNS} runs after one warm-up |",
        f"| DuckDB | {duck['version']}, {duck['threads']} threads, the same dossier rows as a "
        f"{duck['size_mb']:,.0f} MB Parquet file, the same columns in one SQL query; median of "
        f"{RUNS} runs (writing the file is not timed) |",
        "| Targets | ours not slower than DuckDB's scan, and under one second |",
        "",
        "| | " + " | ".join(r["version"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(name: str, cell: Any) -> None:
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")

    row("Counter rows", lambda r: f"{r['tallies']:,}")
    for step in ("insert dossiers", "rebuild dossier indexes", "insert counters"):
        row(f"Load: {step}", lambda r, step=step: ms(r["load"][step]))
    for name in results[0]["timings"] if results else []:
        row(f"**{name}**", lambda r, name=name: f"**{ms(median(r['timings'][name]))}**")
    row("DuckDB: the same yearly report over the Parquet rows", lambda r: ms(duck_median))

    def ratio(r: dict[str, Any]) -> str:
        ours = median(r["timings"]["year"])
        verdict = "met" if ours <= duck_median and ours < 1 else "not met"
        return f"{duck_median / ours:,.1f}: {verdict}"

    row("Yearly report: DuckDB time / ours (target ≥ 1, ours < 1 s)", ratio)
    row("Same figures as DuckDB in every column of every center", lambda r: r["same"])
    row("Whole run for this database", lambda r: ms(r["wall"]))
    lines += [
        "",
        "The counters answer a year with a few thousand year rows per column instead of a "
        "scan of every dossier; DuckDB's time grows with the rows, ours with the units and "
        "procedures reported on.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="write or replace the section in this file")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (admin URL)")
    parser.add_argument("--dossiers", type=int, default=10_000_000)
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(*args.child)
        return 0

    import numpy as np

    load_before = support.load_average()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-data-") as folder:
        say("data", f"making {args.dossiers:,} dossiers")
        began = time.perf_counter()
        facts = generate(args.dossiers)
        made = {
            "dossiers": args.dossiers,
            "seconds": time.perf_counter() - began,
            "paused": int(np.sum(facts["p_start"] != FAR)),
            "open": int(np.sum(facts["kind"] == 0)),
            "load": load_before,
        }
        began = time.perf_counter()
        counters = book(facts)
        made["book"] = time.perf_counter() - began
        files = (Path(folder) / "facts.npz", Path(folder) / "counters.npz")
        np.savez(files[0], **facts)
        np.savez(files[1], **counters)
        del counters
        say("duckdb", "writing Parquet and timing the yearly report")
        duck = duckdb_report(facts, Path(folder))
        del facts
        say("duckdb", f"median {ms(median(duck['timings']))}")
        results = []
        backends = [("SQLite", None)] if args.sqlite else []
        if args.postgres:
            backends.append(("PostgreSQL", args.postgres))
        for label, url in backends:
            result = run_backend(label, url, files)
            ours = {int(k): v for k, v in result["rows"].items()}
            differ = [u for u in duck["rows"] if duck["rows"][u] != ours.get(u)]
            result["same"] = (
                "yes"
                if not differ and len(ours) == len(duck["rows"])
                else (f"**no**: {len(differ)} centers differ")
            )
            say(label, f"yearly report median {ms(median(result['timings']['year']))}; "
                f"same as DuckDB: {result['same']}")  # fmt: skip
            results.append(result)
    support.write_section(args.markdown, report(args, made, duck, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
