"""A hub and ward nodes as real server processes on loopback, synchronising for real.

Each test copies its nodes from templates built once per run
(sync.tests.e2e.templates): a hub with the demo province (no history) and the
wards ``ward-a`` (Tuy Hòa) and ``ward-b`` (Buôn Ma Thuột) registered, those
wards joined, and an empty node that ran its own migrate; a node then costs a
file copy instead of a migrate and a demo load. Test 1 registers and joins its
wards itself. Nothing here touches the test database: every node is its own
process with its own SQLite file, and the hub is served by ``runserver``.

The four scenarios: wards working while the hub is down, then catching up;
a line that drops and cuts 10 % of the connections; the hub killed (SIGKILL)
in the middle of a push; the log carried on a USB stick. After each, the
ward and the hub must agree on everything the ward wrote.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from sync.tests.e2e import (
    CENTERS,
    CUT_REQUEST,
    CUT_RESPONSE,
    DESKS,
    DROP,
    ROOT,
    Client,
    FaultProxy,
    Node,
    Templates,
    join_ward,
    new_hub,
    new_ward,
    parallel,
    serving,
    sync_until_done,
    templates,
)

# Every node runs on its own SQLite file whatever the suite's database is, so
# the PostgreSQL pass would run the same processes again.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="nodes run on SQLite; run in the SQLite pass"
)

TUY_HOA, BMT = CENTERS["tuy-hoa"], CENTERS["bmt"]
ROUND_LINE = re.compile(r"pushed (\d+) events, pulled (\d+), waiting (\d+)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    base = tmp_path_factory.getbasetemp()
    # Under xdist every worker has its own basetemp; their parent is this run's.
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "sync-e2e"
    return templates(root)


@pytest.fixture
def nodes() -> Iterator[list[Node]]:
    """Every node a test makes is put here, so that its servers stop whatever happens."""
    made: list[Node] = []
    yield made
    for node in made:
        node.stop()


def round_line(output: str) -> tuple[int, int, int]:
    match = ROUND_LINE.search(output)
    assert match, f"no 'pushed N events, pulled N, waiting N' line in: {output!r}"
    pushed, pulled, waiting = (int(x) for x in match.groups())
    return pushed, pulled, waiting


def facts(node: Node, unit: str, node_id: str) -> dict[str, Any]:
    found: dict[str, Any] = node.task("facts", unit, node_id)
    return found


def assert_same_on_hub(hub: Node, ward: Node, unit: str, *, dossiers: int) -> dict[str, Any]:
    """Dossiers, codes, events, files and report counters of ``ward`` equal the hub's.

    Every difference is listed before the test fails, to tell one bug from several.
    """
    node_id = ward.name
    mine, theirs = parallel(partial(facts, ward, unit, node_id), partial(facts, hub, unit, node_id))
    log = sorted(mine["seqs"] + mine["change_seqs"])
    checks = {
        f"the ward has {dossiers} dossiers": mine["dossiers"] == dossiers,
        "every dossier has its own code": len(set(mine["codes"])) == dossiers
        and all(mine["codes"]),
        "the hub has the ward's dossier codes": theirs["codes"] == mine["codes"],
        "no (node, seq) twice on either side": mine["doubled_seqs"] == theirs["doubled_seqs"] == [],
        "the hub has the node's events, seq for seq": theirs["seqs"] == mine["seqs"],
        "two events a dossier at least": mine["events"] >= 2 * dossiers,
        # Events and changes of other records share one gap-free log on the ward.
        "the ward's log is 1..N": log == list(range(1, len(log) + 1)),
        "the ward knows the hub has all of it": mine["acked"] == len(log),
        "the hub applied all of it": theirs["acked"] == len(log),
        # sync_log_digest: "<node> <count> <sha256>" of (seq, dossier, action, moment).
        "sync_log_digest counts the ward's events": mine["digest"].split()[:2]
        == [node_id, str(mine["events"])],
        "sync_log_digest is the same on both": theirs["digest"] == mine["digest"],
        "the ward counted its dossiers": bool(mine["tallies"]),
        "the hub's counters equal the ward's": theirs["tallies"] == mine["tallies"],
        "the hub has the ward's scans": theirs["files"] == mine["files"],
        "the hub's scans match their digests": all(f[1] == f[2] for f in theirs["files"]),
    }
    failed = [name for name, ok in checks.items() if not ok]
    details = {
        k: (mine[k], theirs[k])
        for k in ("dossiers", "events", "acked", "digest")
        if mine[k] != theirs[k] or k == "digest"
    }
    assert not failed, f"{node_id}: not true: {failed}; ward vs hub: {details}"
    return mine


def api_intake(ward: Node, fixture: dict[str, Any], count: int, first: int) -> list[str]:
    client = Client(ward.url, token=fixture["token"])
    codes = []
    for number in range(first, first + count):
        status, body = client.post_json(
            "/api/dossiers",
            {
                "case_id": fixture["case_id"],
                "applicant": {
                    "full_name": f"Người Mất Mạng {number}",
                    "id_number": f"0791{number:08d}",
                },
                "papers": fixture["papers"],
                "channel": "direct",
            },
        )
        assert status == 201, f"intake on {ward.name} answered {status}: {body}"
        codes.append(body["code"])
    return codes


def receipt(ward: Node, username: str, code: str) -> bytes:
    client = Client(ward.url)
    client.login(username)
    status, headers, body = client.request("GET", f"/dossiers/{code}/forms/01.pdf")
    assert status == 200, f"receipt of {code} on {ward.name}: {status}"
    assert headers.get("Content-Type", "").startswith("application/pdf")
    return body


# -- 1. offline wards, then the hub comes back ----------------------------------------------------


def test_wards_work_offline_then_match_the_hub(
    tmp_path: Path, built: Templates, nodes: list[Node]
) -> None:
    hub = new_hub(built, tmp_path / "hub")
    nodes.append(hub)
    with serving(hub):
        a, b = parallel(
            partial(join_ward, built, tmp_path / "a", hub, "ward-a", unit=TUY_HOA),
            partial(join_ward, built, tmp_path / "b", hub, "ward-b", unit=BMT),
        )
    nodes += [a, b]
    assert hub.process is None

    wards = {a: TUY_HOA, b: BMT}

    def offline_day(ward: Node, unit: str, number: int) -> list[str]:
        fixture = ward.task("api_fixture", unit)
        codes = api_intake(ward, fixture, 20, first=number * 1000)
        pdf = receipt(ward, DESKS[unit], codes[0])
        assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
        return codes

    with serving(a, b):
        offline_codes = parallel(
            *(partial(offline_day, w, u, n) for n, (w, u) in enumerate(wards.items()))
        )
        # Scans at the desk: three dossiers with two scanned PDFs each, through the services.
        scanned = a.task("intake", TUY_HOA, "3", "2", "120000", "81")
    assert len(scanned["codes"]) == 3

    for done in parallel(a.sync_once, b.sync_once):
        assert done.returncode == 1, f"sync with the hub down exited {done.returncode}"
        assert "sync failed" in done.stderr

    with serving(hub):
        # Both wards come back at once.
        for rounds, output in parallel(*(partial(sync_until_done, w, attempts=1) for w in wards)):
            pushed, _pulled, waiting = round_line(output)
            assert (rounds, waiting) == (1, 0)
            assert pushed >= 60  # 20 dossiers: two events and an applicant each, at least
        # A second round has nothing left to send.
        for _rounds, output in parallel(*(partial(sync_until_done, w, attempts=1) for w in wards)):
            assert round_line(output)[0] == 0

    found = parallel(
        partial(assert_same_on_hub, hub, a, TUY_HOA, dossiers=23),
        partial(assert_same_on_hub, hub, b, BMT, dossiers=20),
    )
    for mine, codes in zip(found, offline_codes, strict=True):
        assert set(codes) <= set(mine["codes"])
    # The hub has the six scans, whole (assert_same_on_hub compared them with the ward's).
    assert len(found[0]["files"]) == 6 and all(f[3] > 100_000 for f in found[0]["files"])


# -- 2. a line that drops and cuts connections --------------------------------------------------


def test_exactly_once_through_a_faulty_line(
    tmp_path: Path, built: Templates, nodes: list[Node]
) -> None:
    hub = new_hub(built, tmp_path / "hub")
    nodes.append(hub)
    hub.start()
    with contextlib.ExitStack() as stack:
        wards: dict[Node, tuple[str, FaultProxy]] = {}
        for number, (node_id, unit) in enumerate((("ward-a", TUY_HOA), ("ward-b", BMT))):
            proxy = stack.enter_context(FaultProxy(hub.port, faults=0.10, seed=number + 7))
            ward = new_ward(
                built,
                tmp_path / node_id,
                node_id,
                hub_url=proxy.url,
                SYNC_BATCH="7",
                SYNC_TIMEOUT="10",
            )
            nodes.append(ward)
            wards[ward] = (unit, proxy)

        def backlog(ward: Node, unit: str, number: int) -> None:
            ward.task("intake", unit, "30", "0", "0", f"{number}1")
            ward.task("intake", unit, "4", "1", "40000", f"{number}2")

        parallel(*(partial(backlog, w, u, n) for n, (w, (u, _p)) in enumerate(wards.items())))
        failed_rounds: list[str] = []
        results = parallel(
            *(partial(sync_until_done, w, attempts=60, failures=failed_rounds) for w in wards)
        )

        spoiled: Counter[str] = Counter()
        for (ward, (_unit, proxy)), (rounds, output) in zip(wards.items(), results, strict=True):
            assert round_line(output)[2] == 0, "the last round left entries waiting"
            print(f"{ward.name}: {rounds} rounds, {proxy.connections} connections,", proxy.outcomes)
            spoiled.update(proxy.outcomes)
        # The line did spoil connections: refused, and cut in the middle of requests and answers.
        assert spoiled[DROP] and spoiled[CUT_REQUEST] and spoiled[CUT_RESPONSE], spoiled
        # A spoiled round fails cleanly: exit 1 and a one-line reason, not a crash.
        crashed = [out for out in failed_rounds if "Traceback" in out or "exit 1:" not in out]
        assert not crashed, f"{len(crashed)} rounds crashed; the first:\n{crashed[0][-3000:]}"
        assert all("sync failed: " in out for out in failed_rounds)

        for ward, (unit, _proxy) in wards.items():
            assert_same_on_hub(hub, ward, unit, dossiers=34)


# -- 3. the hub killed while a ward pushes --------------------------------------------------------


def hub_mark(hub: Node, node_id: str) -> int:
    with contextlib.closing(sqlite3.connect(hub.database, timeout=5)) as connection:
        row = connection.execute(
            "SELECT acked_seq FROM sync_node WHERE node_id = ?", (node_id,)
        ).fetchone()
    return int(row[0]) if row else 0


def node_mark(ward: Node) -> int:
    with contextlib.closing(sqlite3.connect(ward.database, timeout=5)) as connection:
        row = connection.execute("SELECT acked_seq FROM sync_nodestate").fetchone()
    return int(row[0]) if row else 0


def test_hub_killed_during_a_push(tmp_path: Path, built: Templates, nodes: list[Node]) -> None:
    hub = new_hub(built, tmp_path / "hub")
    nodes.append(hub)
    hub.start()
    ward = new_ward(built, tmp_path / "a", "ward-a", hub_url=hub.url, SYNC_BATCH="5")
    nodes.append(ward)
    ward.task("intake", TUY_HOA, "110", "0", "0", "3")
    ward.task("intake", TUY_HOA, "4", "1", "30000", "4")
    total = facts(ward, TUY_HOA, "ward-a")
    entries = total["events"] + len(total["change_seqs"])
    assert entries >= 300

    pushing = subprocess.Popen(
        [sys.executable, "manage.py", "sync", "--once", "--skip-checks"],
        cwd=ROOT,
        env=ward.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        mark = 0
        while time.monotonic() < deadline and pushing.poll() is None:
            mark = hub_mark(hub, "ward-a")
            if mark >= 60:
                break
            time.sleep(0.01)
        assert pushing.poll() is None, f"the push ended before the kill: {pushing.communicate()}"
        hub.kill()
        killed_at = hub_mark(hub, "ward-a")
        _out, err = pushing.communicate(timeout=60)
    finally:
        if pushing.poll() is None:
            pushing.kill()
            pushing.wait()
    assert 0 < killed_at < entries, f"killed at {killed_at} of {entries}"
    assert pushing.returncode == 1, f"the cut push exited {pushing.returncode}: {err}"

    with contextlib.closing(sqlite3.connect(hub.database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    ward_mark = node_mark(ward)
    assert ward_mark <= killed_at, "the ward believes the hub has more than it kept"
    hub.start()
    _rounds, output = sync_until_done(ward, attempts=3)
    pushed, _pulled, waiting = round_line(output)
    assert waiting == 0
    # What the hub kept is not applied again: the round pushed the rest, and at most
    # the entries whose acknowledgement the kill swallowed.
    assert entries - killed_at <= pushed <= entries - ward_mark, (pushed, killed_at, ward_mark)
    assert hub_mark(hub, "ward-a") == entries
    assert_same_on_hub(hub, ward, TUY_HOA, dossiers=114)


# -- 4. a USB stick instead of the line -----------------------------------------------------------


def test_usb_export_import_exactly_once(
    tmp_path: Path, built: Templates, nodes: list[Node]
) -> None:
    hub = new_hub(built, tmp_path / "hub")
    nodes.append(hub)
    ward = new_ward(built, tmp_path / "a", "ward-a", hub_url=hub.url)
    nodes.append(ward)
    ward.task("intake", TUY_HOA, "12", "0", "0", "5")
    ward.task("intake", TUY_HOA, "3", "2", "60000", "6")
    before = facts(ward, TUY_HOA, "ward-a")
    entries = before["events"] + len(before["change_seqs"])

    stick = tmp_path / "usb" / "ward-a.motcua"
    stick.parent.mkdir()
    ward.manage("sync_export", str(stick))
    assert stick.exists() and stick.stat().st_size > 6 * 60000

    first = hub.manage("sync_import", str(stick))
    assert f"node ward-a: applied {entries}, already had 0, hub now at {entries}" in first
    assert hub_mark(hub, "ward-a") == entries, first
    hub_facts = facts(hub, TUY_HOA, "ward-a")
    assert hub_facts["digest"] == before["digest"]

    second = hub.manage("sync_import", str(stick))
    assert f"node ward-a: applied 0, already had {entries}, hub now at {entries}" in second
    assert hub_mark(hub, "ward-a") == entries, second
    assert facts(hub, TUY_HOA, "ward-a") == hub_facts, "the second import changed the hub"

    with serving(hub):
        _rounds, output = sync_until_done(ward, attempts=1)
    assert facts(hub, TUY_HOA, "ward-a") == hub_facts, "the online round changed the hub"
    assert_same_on_hub(hub, ward, TUY_HOA, dossiers=15)
    pushed, _pulled, waiting = round_line(output)
    assert (pushed, waiting) == (0, 0), f"after the import the round still pushed: {output}"
