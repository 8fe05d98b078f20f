"""How many due moments the deadline engine computes per second on one core.

    .venv/bin/python bench/deadlines.py [--markdown docs/benchmarks.md]

Standalone: no database, no Django settings. The calendar comes straight from
the holidays library, so the figure measures the engine alone. The workload
mimics a province's dossiers: acceptance moments spread over 2024-2027
(mostly in office hours, some evenings and weekends from online filing),
mostly working-day procedures of 1 to 30 days, some same-day and
calendar-day ones, and a share paused for a supplement or fees.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name
# would hide the ``deadlines`` package: drop that folder, add the project root.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import holidays  # noqa: E402

from deadlines.engine import (  # noqa: E402
    VN_TZ,
    Interval,
    TimeUnit,
    WorkCalendar,
    due_at,
    due_with_pauses,
)

TARGET = 50_000
SECTION = "## Deadline engine"
YEARS = range(2024, 2028)
WORKING_DAY_VALUES = [1, 3, 5, 7, 10, 15, 30]
CALENDAR_DAY_VALUES = [5, 10, 15, 30]

Case = tuple[datetime, float, TimeUnit, list[Interval], datetime | None]


def vn_calendar() -> WorkCalendar:
    """Weekday holidays and make-up weekend days for 2024-2028 from holidays.VN."""
    vn = holidays.country_holidays("VN", years=range(YEARS.start, YEARS.stop + 1))
    return WorkCalendar(
        days_off=frozenset(d for d in vn if d.weekday() < 5),
        working_days=frozenset(d for d in vn.weekend_workdays if d.year >= YEARS.start),
    )


def make_cases(count: int, seed: int = 2026) -> list[Case]:
    rng = random.Random(seed)
    first = date(YEARS.start, 1, 1).toordinal()
    last = date(YEARS.stop - 1, 12, 31).toordinal()
    cases: list[Case] = []
    for _ in range(count):
        day = date.fromordinal(rng.randint(first, last))
        if rng.random() < 0.85:
            minute = rng.randint(7 * 60, 17 * 60 - 1)  # office hours, lunch included
        else:
            minute = rng.randint(0, 24 * 60 - 1)  # online filing accepted at odd hours
        accepted = datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + timedelta(minutes=minute)
        roll = rng.random()
        if roll < 0.85:
            unit, value = TimeUnit.WORKING_DAYS, float(rng.choice(WORKING_DAY_VALUES))
        elif roll < 0.95:
            unit, value = TimeUnit.SAME_DAY, 0.0
        else:
            unit, value = TimeUnit.CALENDAR_DAYS, float(rng.choice(CALENDAR_DAY_VALUES))
        pauses: list[Interval] = []
        now: datetime | None = None
        roll = rng.random()
        if roll < 0.25:
            begin = accepted + timedelta(hours=rng.randint(1, 120))
            if roll < 0.05:
                now = begin + timedelta(hours=rng.randint(1, 200))
                pauses.append((begin, None))
            else:
                pauses.append((begin, begin + timedelta(hours=rng.randint(1, 360))))
        cases.append((accepted, value, unit, pauses, now))
    return cases


def run(cases: list[Case], calendar: WorkCalendar) -> float:
    started = time.perf_counter()
    for accepted, value, unit, pauses, now in cases:
        if pauses:
            due_with_pauses(accepted, value, unit, calendar, pauses, now)
        else:
            due_at(accepted, value, unit, calendar)
    return time.perf_counter() - started


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def report(rate: float, count: int, rounds: int) -> str:
    share = "85% working days (1-30), 10% same-day, 5% calendar days; 25% paused"
    verdict = "met" if rate >= TARGET else "NOT met"
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured by `bench/deadlines.py` on {date.today():%Y-%m-%d}.",
            "",
            "| | |",
            "|---|---|",
            f"| Machine | {platform.platform()}, {cpu_name()}, {os.cpu_count()} CPUs |",
            f"| Python | {platform.python_implementation()} {platform.python_version()} |",
            f"| Workload | {count:,} due moments, accepted 2024-2027; {share} |",
            # CPython runs this loop on one core; best of several rounds
            # filters out other processes sharing the machine.
            f"| Result | **{rate:,.0f} due moments per second** on one core, "
            f"best of {rounds} rounds |",
            f"| Target | at least {TARGET:,} per second: {verdict} |",
            "",
        ]
    )


def replace_section(text: str, section: str) -> str:
    """``text`` with its deadline-engine section replaced (or appended)."""
    pattern = re.compile(rf"^{re.escape(SECTION)}[ \t]*\n.*?(?=^## |\Z)", re.M | re.S)
    block = section.rstrip("\n") + "\n"
    if pattern.search(text):
        return pattern.sub(lambda _match: block + "\n", text, count=1).rstrip("\n") + "\n"
    if not text.strip():
        return "# Benchmarks\n\n" + block
    return text.rstrip("\n") + "\n\n" + block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--markdown", type=Path, help="write or replace the section in this file")
    parser.add_argument("--postgres", help="not used: the engine touches no database")
    args = parser.parse_args(argv)

    calendar = vn_calendar()
    cases = make_cases(args.cases)
    run(cases[:1000], calendar)  # build the working-day table outside the timing
    best = min(run(cases, calendar) for _ in range(args.rounds))
    rate = args.cases / best
    section = report(rate, args.cases, args.rounds)
    print(section)
    if args.markdown:
        path: Path = args.markdown
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(replace_section(existing, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
