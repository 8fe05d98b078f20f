"""Dossier codes: one per dossier, per unit and day, consecutive even under load.

The acceptance point: 200 dossiers received at the same moment in one unit
get 200 distinct consecutive codes, with threads on PostgreSQL and with
separate processes sharing one SQLite file.
"""

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from catalog.models import Case
from dossiers import services as s
from dossiers.codes import dossier_code_issue
from dossiers.models import Dossier, DossierEvent
from dossiers.services import ApplicantIn
from dossiers.tests.fixtures import CATALOG, all_papers, at
from units.models import Unit

CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
TOTAL = 200
MOMENT = at(2026, 3, 2, 9, 0)  # Monday 2 March 2026, 09:00


def person(n: int) -> ApplicantIn:
    return ApplicantIn(full_name=f"Người Thứ {n}", id_number=f"054190{n:06d}")


def numbers(codes: list[str]) -> list[int]:
    return sorted(int(code.rsplit("-", 1)[1]) for code in codes)


def side_by_side(spans: list[tuple[float, float]]) -> bool:
    """Whether every worker started before any finished: they all ran at the same time.

    (Whether their numbers interleave is up to the database: SQLite's busy
    handler lets the writer that just committed win the lock again, so one
    process often takes a whole run of numbers.)
    """
    return max(begin for begin, _end in spans) < min(end for _begin, end in spans)


# -- one process -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_codes_restart_every_day_and_in_every_unit(
    desk_officer, outsider, ward_center, other_center, ward_case
) -> None:
    def intake(actor: User, unit: Unit, when: dt.datetime, n: int) -> str:
        dossier = s.dossier_intake(
            actor=actor,
            unit=unit,
            case=ward_case,
            applicant=person(n),
            papers=all_papers(ward_case),
            at=when,
        )
        assert dossier.code is not None
        return dossier.code

    monday = [
        intake(desk_officer, ward_center, MOMENT + dt.timedelta(minutes=n), n) for n in (1, 2)
    ]
    assert monday == ["000.01.01.H99-260302-0001", "000.01.01.H99-260302-0002"]
    # Another center counts on its own from 1 the same day.
    assert intake(outsider, other_center, MOMENT, 3) == "000.02.01.H99-260302-0001"
    # The next day starts again at 1. The day is the local (Vietnam) date:
    # 00:30 on Tuesday is still Monday 17:30 in UTC.
    tuesday = intake(desk_officer, ward_center, at(2026, 3, 3, 0, 30), 4)
    assert tuesday == "000.01.01.H99-260303-0001"
    assert intake(desk_officer, ward_center, at(2026, 3, 2, 16, 59), 5).endswith("-260302-0003")

    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == 5 == len(set(codes))
    assert all(CODE_RE.match(code) for code in codes)


@pytest.mark.django_db
def test_code_format() -> None:
    code = dossier_code_issue(unit_code="000.00.01.H15", at=at(2025, 7, 1, 7, 5))
    assert code == "000.00.01.H15-250701-0001"
    assert CODE_RE.match(code)
    assert dossier_code_issue(unit_code="000.00.01.H15", at=at(2025, 7, 1, 16)).endswith("-0002")


# -- threads on PostgreSQL -------------------------------------------------------------------

THREADS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_receptions_get_consecutive_codes_with_threads(
    desk_officer, ward_center, ward_case
) -> None:
    papers = all_papers(ward_case)
    start = threading.Barrier(THREADS)

    def work(index: int) -> tuple[list[str], tuple[float, float]]:
        try:
            # Each thread has its own connection and its own model instances.
            desk = User.objects.prefetch_related("assignments").get(pk=desk_officer.pk)
            unit = Unit.objects.get(pk=ward_center.pk)
            case = Case.objects.select_related("version__procedure").get(pk=ward_case.pk)
            start.wait(timeout=120)
            begin = time.monotonic()
            codes = []
            for n in range(index, TOTAL, THREADS):
                dossier = s.dossier_intake(
                    actor=desk, unit=unit, case=case, applicant=person(n), papers=papers, at=MOMENT
                )
                assert dossier.code is not None
                codes.append(dossier.code)
            return codes, (begin, time.monotonic())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        done = list(pool.map(work, range(THREADS)))
    results = [codes for codes, _span in done]

    codes = [code for codes in results for code in codes]
    assert len(codes) == TOTAL == len(set(codes))
    assert numbers(codes) == list(range(1, TOTAL + 1))
    assert all(code.startswith("000.01.01.H99-260302-") for code in codes)
    for own in results:  # each thread saw its numbers grow
        assert own == sorted(own)
    assert side_by_side([span for _codes, span in done])
    assert sorted(Dossier.objects.values_list("code", flat=True)) == sorted(codes)
    seqs = sorted(
        DossierEvent.objects.filter(node_id=settings.NODE_ID).values_list("seq", flat=True)
    )
    assert len(seqs) == 2 * TOTAL
    assert seqs == list(range(seqs[0], seqs[0] + 2 * TOTAL))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_code_counter_alone_holds_under_threads() -> None:
    # An intake also takes the node's event counter, which serialises whole
    # transactions; this checks the code counter without that help.
    start = threading.Barrier(THREADS)

    def work(index: int) -> list[str]:
        try:
            start.wait(timeout=120)
            codes = []
            for _n in range(index, TOTAL, THREADS):
                with transaction.atomic():
                    codes.append(dossier_code_issue(unit_code="000.01.01.H99", at=MOMENT))
                    time.sleep(0.001)  # hold the row a little, as a real intake does
            return codes
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        codes = [code for own in pool.map(work, range(THREADS)) for code in own]
    assert numbers(codes) == list(range(1, TOTAL + 1))


# -- processes on one SQLite file ------------------------------------------------------------

PROCESSES = 8
WARD_CENTER = "000.01.01.H99"

SETUP = """
import django, sys
django.setup()
from accounts.models import Assignment, Role, User
from catalog.io import catalog_import
from units.models import Level, Unit, UnitKind
catalog_import(path=sys.argv[1])
province = Unit.objects.create(
    code="000.00.00.H99", name_vi="Tỉnh Thử", kind=UnitKind.PROVINCE, level=Level.PROVINCE
)
ward = Unit.objects.create(
    code="000.01.00.H99", name_vi="UBND phường Một", kind=UnitKind.WARD_COMMITTEE,
    level=Level.WARD, parent=province, province=province,
)
center = Unit.objects.create(
    code="000.01.01.H99", name_vi="Trung tâm phường Một", kind=UnitKind.CENTER,
    level=Level.WARD, parent=ward, province=province,
)
desk = User.objects.create(username="desk", full_name="Lê Thị Hồng")
Assignment.objects.create(user=desk, unit=center, role=Role.DESK_OFFICER)
"""

WORKER = """
import datetime as dt, json, sys, time
from pathlib import Path
import django
django.setup()
from accounts.models import User
from catalog.models import Procedure
from dossiers import services as s
from units.models import Unit
folder, index, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
moment = dt.datetime.fromisoformat(sys.argv[4])
desk = User.objects.prefetch_related("assignments").get(username="desk")
unit = Unit.objects.get(code=sys.argv[5])
case = Procedure.objects.get(code="1.004859").current_version.cases.get()
papers = [
    s.PaperIn(component_id=c.pk, originals=c.originals, copies=c.copies)
    for c in case.components.all() if c.mandatory
]
(folder / f"ready-{index}").touch()
deadline = time.monotonic() + 60
while not (folder / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.002)
begin = time.time()
codes = []
for n in range(count):
    number = index * count + n
    dossier = s.dossier_intake(
        actor=desk, unit=unit, case=case, papers=papers, at=moment,
        applicant=s.ApplicantIn(full_name=f"Người Thứ {number}", id_number=f"054190{number:06d}"),
    )
    codes.append(dossier.code)
print(json.dumps({"codes": codes, "span": [begin, time.time()]}))
"""


def test_simultaneous_receptions_get_consecutive_codes_with_processes_on_sqlite(
    tmp_path: Path,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific: processes sharing one database file")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_TEST_NAME"}}
    env |= {"MOTCUA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "motcua.settings"}
    base = Path(settings.BASE_DIR)

    def python(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=base,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    python("manage.py", "migrate", "--no-input", "-v", "0", timeout=120)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(CATALOG, ensure_ascii=False), encoding="utf-8")
    python("-c", SETUP, str(catalog))

    per_process = TOTAL // PROCESSES
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(tmp_path),
                str(index),
                str(per_process),
                MOMENT.isoformat(),
                WARD_CENTER,
            ],
            cwd=base,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(PROCESSES)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("ready-*"))) < PROCESSES:
            assert all(w.poll() is None for w in workers), "a worker died before the start"
            assert time.monotonic() < deadline, "workers did not get ready"
            time.sleep(0.01)
        (tmp_path / "go").touch()  # every worker starts receiving at the same moment
        outputs = [w.communicate(timeout=60) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    for w, (_out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err

    done = [json.loads(out) for out, _err in outputs]
    results = [own["codes"] for own in done]
    codes = [code for own in results for code in own]
    assert len(codes) == TOTAL == len(set(codes))
    assert numbers(codes) == list(range(1, TOTAL + 1))
    assert all(code.startswith(f"{WARD_CENTER}-260302-") and CODE_RE.match(code) for code in codes)
    for own in results:
        assert numbers(own) == [int(c.rsplit("-", 1)[1]) for c in own]  # growing in each process
    assert side_by_side([tuple(own["span"]) for own in done])

    db = sqlite3.connect(tmp_path / "motcua.sqlite3")
    try:
        stored = [row[0] for row in db.execute("select code from dossiers_dossier")]
        seqs = [
            row[0]
            for row in db.execute(
                "select seq from dossiers_dossierevent where node_id = 'local' order by seq"
            )
        ]
    finally:
        db.close()
    assert sorted(stored) == sorted(codes)
    # Two events per intake (draft, received), numbered without gap or duplicate.
    assert seqs == list(range(1, 2 * TOTAL + 1))
