"""A province's dossiers over three years, made with NumPy, and the report counters
``reports.counters`` would book for them: the data the reports benchmark loads."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFSET = 7 * 3600  # Vietnam has no daylight saving: local = UTC + 7 h
START = dt.date(2023, 1, 1)
NOW = dt.datetime(2025, 12, 15, 10, 0, tzinfo=VN)
CENTERS = 100
VERSIONS = 41  # the demo catalog
OFFICERS = 2  # desk officers per center in the officer rows
FAR = 2**62  # "never": a moment later than any other
# Same names as reports.models.MEASURES; the child maps them by name.
MEASURES = (
    "submitted", "refused", "received_online", "received_direct", "received_post",
    "done_early", "done_on_time", "done_late", "withdrawn", "stopped_on_time",
    "stopped_overdue", "returned_direct", "returned_online", "returned_post", "papers",
    "papers_digitised", "papers_reused", "dossiers_digitised", "running", "running_overdue",
    "paused", "paused_overdue",
)  # fmt: skip
CHANNELS = ("online", "direct", "post")


def epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def local_midnight(day: dt.date) -> int:
    return epoch(dt.datetime.combine(day, dt.time(), VN))


DAY0 = (local_midnight(START) + OFFSET) // 86400  # local day number of START


# -- the dossiers -------------------------------------------------------------------------


def generate(n: int, seed: int = 2025) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    now = epoch(NOW)
    span = (NOW.date() - START).days + 1
    weekday = (START.weekday() + np.arange(span)) % 7
    weight = np.array([1.6, 1.15, 1.0, 1.0, 0.9, 0.06, 0.03])[weekday]
    months = np.array([(START + dt.timedelta(days=int(d))).month for d in range(span)])
    weight = weight * np.where(months >= 11, 1.3, 1.0)  # the year-end rush
    day = rng.choice(span, size=n, p=weight / weight.sum())
    minute = np.where(
        rng.random(n) < 0.9, rng.integers(7 * 60, 17 * 60, n), rng.integers(17 * 60, 22 * 60, n)
    )
    recv = local_midnight(START) + day * 86400 + minute * 60 + rng.integers(0, 60, n)
    recv = np.where(recv >= now, now - rng.integers(600, 30000, n), recv)

    unit_weight = np.ones(CENTERS)
    unit_weight[0] = 12.0  # the provincial center
    unit = rng.choice(CENTERS, size=n, p=unit_weight / unit_weight.sum())
    zipf = 1.0 / np.arange(1, VERSIONS + 1) ** 0.9
    version = rng.choice(VERSIONS, size=n, p=zipf / zipf.sum())
    limit = rng.integers(1, 16, VERSIONS)[version]
    due0 = recv + (limit * 1.4 * 86400).astype(np.int64)
    channel = rng.choice(3, size=n, p=[0.4, 0.55, 0.05])

    paused = rng.random(n) < 0.085
    p_start = recv + (rng.uniform(0.05, 1.3, n) * (due0 - recv)).astype(np.int64)
    length = (np.exp(rng.uniform(0, 2.7, n)) * 86400).astype(np.int64)
    p_end = p_start + length
    due1 = due0 + length

    draw = rng.random(n)
    kind = np.ones(n, dtype=np.int8)  # 1 resolve, 2 withdraw, 3 stop, 0 still open
    kind[paused & (draw < 0.12)] = 3
    kind[(kind == 1) & (draw > 0.985)] = 2
    g = rng.lognormal(-0.45, 0.25, n)
    fin = np.where(
        paused,
        p_end + np.maximum(60, (g * (due1 - p_end)).astype(np.int64)),
        recv + (g * (due0 - recv)).astype(np.int64),
    )
    fin = np.where(kind == 3, p_start + length // 2, fin)
    withdrawn_at = recv + (rng.uniform(0, 1.2, n) * (due0 - recv)).astype(np.int64)
    fin = np.where(kind == 2, withdrawn_at, fin)
    fin = np.maximum(fin, recv + 60)
    # A withdrawal before the pause would have begun: there was no pause.
    paused &= ~((kind == 2) & (fin <= p_start))
    # Finished while paused (stops, some withdrawals): the pause never ends.
    in_pause = paused & (fin > p_start) & (fin < p_end)
    p_end = np.where(in_pause, FAR, p_end)
    # Nothing after "now" has happened yet.
    paused &= p_start < now
    p_start = np.where(paused, p_start, FAR)
    p_end = np.where(paused & (p_end < now), p_end, FAR)
    kind = np.where(fin < now, kind, 0).astype(np.int8)
    # A stop or resolution that needed a pause to end first waits for it.
    kind = np.where((kind == 1) & paused & (p_end == FAR), 0, kind).astype(np.int8)
    kind = np.where((kind == 3) & ~paused, 0, kind).astype(np.int8)
    fin = np.where(kind > 0, fin, FAR)

    back = fin + (rng.exponential(1.2, n) * 86400).astype(np.int64)
    returned = (kind == 1) & (back < now) & (rng.random(n) < 0.97)
    ret = np.where(returned, back, FAR)
    pick = rng.random(n)
    ret_channel = np.where((channel == 0) & (pick < 0.7), 0, np.where(pick > 0.95, 2, 1))
    papers = rng.integers(1, 5, n)
    digitised = rng.binomial(papers, 0.3)
    reused = rng.binomial(digitised, 0.5)
    return {
        "unit": unit.astype(np.int32),
        "version": version.astype(np.int32),
        "channel": channel.astype(np.int8),
        "recv": recv.astype(np.int64),
        "due0": due0.astype(np.int64),
        "p_start": p_start.astype(np.int64),
        "p_end": p_end.astype(np.int64),
        "due1": due1.astype(np.int64),
        "kind": kind,
        "fin": fin.astype(np.int64),
        "ret": ret.astype(np.int64),
        "ret_channel": ret_channel.astype(np.int8),
        "papers": papers.astype(np.int16),
        "digitised": digitised.astype(np.int16),
        "reused": reused.astype(np.int16),
        "officer": rng.integers(0, OFFICERS, n).astype(np.int8),
    }


# -- the counters, as reports.counters books them --------------------------------------


def local_day(moment: Any) -> Any:
    return (moment + OFFSET) // 86400 - DAY0


def book(facts: dict[str, Any]) -> dict[str, Any]:
    """Day, month and year rows (and hour and officer rows) with the measures' sums."""
    import numpy as np

    unit, version = facts["unit"].astype(np.int64), facts["version"].astype(np.int64)
    cell = unit * VERSIONS + version
    cells = CENTERS * VERSIONS
    recv, due0, due1 = facts["recv"], facts["due0"], facts["due1"]
    p_start, p_end, fin, ret = facts["p_start"], facts["p_end"], facts["fin"], facts["ret"]
    kind = facts["kind"]
    entries: dict[str, list[tuple[Any, Any, Any]]] = {m: [] for m in MEASURES}

    def add(measure: str, moment_day: Any, where: Any, value: Any = 1) -> None:
        values = value if np.ndim(value) else np.full(len(moment_day), value)
        entries[measure].append((moment_day[where], cell[where], values[where]))

    everyone = np.ones(len(recv), dtype=bool)
    for index, name in enumerate(CHANNELS):
        add(f"received_{name}", local_day(recv), facts["channel"] == index)
    add("papers", local_day(recv), everyone, facts["papers"])
    add("papers_digitised", local_day(recv), everyone, facts["digitised"])
    add("papers_reused", local_day(recv), everyone, facts["reused"])
    add("dossiers_digitised", local_day(recv), facts["digitised"] == facts["papers"])

    paused = p_start != FAR
    resumed = p_end != FAR

    def running(start: Any, stop: Any, due: Any, where: Any) -> None:
        add("running", local_day(start), where)
        add("running_overdue", np.maximum(local_day(start), local_day(due)), where)
        closed = where & (stop != FAR)
        add("running", local_day(stop), closed, -1)
        add("running_overdue", np.maximum(local_day(stop), local_day(due)), closed, -1)

    running(recv, np.where(paused, p_start, fin), due0, everyone)
    running(p_end, fin, due1, resumed)
    overdue_pause = paused & (p_start > due0)
    add("paused", local_day(p_start), paused)
    add("paused_overdue", local_day(p_start), overdue_pause)
    pause_close = np.where(resumed, p_end, fin)
    add("paused", local_day(pause_close), paused & (pause_close != FAR), -1)
    add("paused_overdue", local_day(pause_close), overdue_pause & (pause_close != FAR), -1)

    finished = fin != FAR
    in_pause = paused & ~resumed & finished
    judged = np.where(in_pause, p_start, fin)
    due = np.where(resumed, due1, due0)
    late = judged > due
    early = ~late & (local_day(judged) < local_day(due))
    done = finished & ((kind == 1) | (kind == 2))
    add("done_late", local_day(fin), done & late)
    add("done_early", local_day(fin), done & early)
    add("done_on_time", local_day(fin), done & ~late & ~early)
    add("withdrawn", local_day(fin), kind == 2)
    add("stopped_overdue", local_day(fin), (kind == 3) & late)
    add("stopped_on_time", local_day(fin), (kind == 3) & ~late)
    for index, name in enumerate(CHANNELS):
        add(f"returned_{name}", local_day(ret), (ret != FAR) & (facts["ret_channel"] == index))

    days = int(
        max(int(local_day(np.max(np.where(d == FAR, 0, d)))) for d in (due0, due1, fin, ret))
    )
    days = max(days, int(local_day(np.int64(epoch(NOW))))) + 1
    cube = np.zeros((days, cells, len(MEASURES)), dtype=np.int32)
    for m, measure in enumerate(MEASURES):
        if not entries[measure]:
            continue
        day = np.concatenate([e[0] for e in entries[measure]])
        where = np.concatenate([e[1] for e in entries[measure]])
        value = np.concatenate([e[2] for e in entries[measure]])
        sums = np.bincount(day * cells + where, weights=value, minlength=days * cells)
        cube[:, :, m] = sums.reshape(days, cells).astype(np.int32)
    dates = [START + dt.timedelta(days=d) for d in range(days)]
    month_starts = [i for i, d in enumerate(dates) if d.day == 1 or i == 0]
    year_starts = [i for i, d in enumerate(dates) if (d.month, d.day) == (1, 1) or i == 0]
    grains = {
        "d": (list(range(days)), cube),
        "m": (month_starts, np.add.reduceat(cube, month_starts, axis=0)),
        "y": (year_starts, np.add.reduceat(cube, year_starts, axis=0)),
    }
    out: dict[str, Any] = {}
    for grain, (firsts, sums) in grains.items():
        # The procedures' rows, then each unit's total over its procedures.
        totals = sums.reshape(len(firsts), CENTERS, VERSIONS, len(MEASURES)).sum(axis=2)
        for prefix, table in ((grain, sums), (f"u{grain}", totals)):
            bucket, where = np.nonzero(np.any(table != 0, axis=2))
            out[f"{prefix}_day"] = np.asarray(firsts)[bucket].astype(np.int32)
            out[f"{prefix}_cell"] = where.astype(np.int32)
            out[f"{prefix}_values"] = table[bucket, where]
    del cube

    # Receptions per hour of the day, and per officer (received and returned).
    hour = ((recv + OFFSET) % 86400) // 3600
    tagged = {"h": (local_day(recv), hour, None), "o": (local_day(recv), facts["officer"], ret)}
    for grain, (day, tag, back) in tagged.items():
        tags = 24 if grain == "h" else OFFICERS
        key = (day * CENTERS + unit) * tags + tag
        rows = []
        for index, _name in enumerate(CHANNELS):
            chosen = facts["channel"] == index
            rows.append(np.bincount(key[chosen], minlength=days * CENTERS * tags))
        if back is not None:
            bday = local_day(np.where(back == FAR, 0, back))
            bkey = (bday * CENTERS + unit) * tags + tag
            for index, _name in enumerate(CHANNELS):
                chosen = (back != FAR) & (facts["ret_channel"] == index)
                rows.append(np.bincount(bkey[chosen], minlength=days * CENTERS * tags))
        sums = np.stack(rows, axis=1).astype(np.int32)
        keys = np.nonzero(np.any(sums != 0, axis=1))[0]
        out[f"{grain}_key"] = keys.astype(np.int64)
        out[f"{grain}_values"] = sums[keys]
        out[f"{grain}_tags"] = np.int64(tags)
    out["days"] = np.int64(days)
    return out
