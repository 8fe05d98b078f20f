"""Many kiosks and counters at once: no number twice, no ticket called twice, no double booking.

Threads share one PostgreSQL database (each thread its own connection);
separate processes share one SQLite file, as the worker processes of a
ward node's server do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from accounts.models import Role
from accounts.tests.factories import staff_user
from queueing import services as q
from queueing.models import Appointment, Counter, ServiceArea, Slot, Ticket, TicketStatus
from queueing.tests.conftest import MONDAY, minutes
from units.models import Unit

THREADS = 8
PER_THREAD = 25


def side_by_side(spans: list[tuple[float, float]]) -> bool:
    """Every worker started before any finished: they really ran at the same time."""
    return max(begin for begin, _ in spans) < min(end for _, end in spans)


def in_threads(work: Any, count: int = THREADS) -> list[Any]:
    start = threading.Barrier(count)

    def run(index: int) -> Any:
        try:
            start.wait()
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# -- threads on PostgreSQL -----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_kiosks_never_print_one_number_twice_with_threads(civil: ServiceArea) -> None:
    def kiosk(index: int) -> tuple[list[int], tuple[float, float]]:
        area = ServiceArea.objects.get(pk=civil.pk)
        begin = time.time()
        numbers = [q.ticket_issue(area=area, at=minutes(index)).number for _ in range(PER_THREAD)]
        return numbers, (begin, time.time())

    results = in_threads(kiosk)
    numbers = [n for own, _ in results for n in own]
    assert sorted(numbers) == list(range(1001, 1001 + THREADS * PER_THREAD))
    assert all(own == sorted(own) for own, _ in results)
    assert side_by_side([span for _, span in results])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_counters_never_call_one_ticket_twice_with_threads(
    ward_center: Unit, civil: ServiceArea, land: ServiceArea
) -> None:
    total = 64
    for n in range(total):
        q.ticket_issue(area=civil if n % 3 else land, at=minutes(n / 10))
    desks = []
    for number in range(1, THREADS + 1):
        officer = staff_user(f"desk-{number}", ward_center, Role.DESK_OFFICER)
        desk = Counter.objects.create(center=ward_center, number=number)
        desk.areas.set([civil, land] if number % 2 else [civil])
        desks.append((q.counter_open(counter=desk, actor=officer, at=MONDAY), officer))

    def counter(index: int) -> list[int]:
        desk, officer = desks[index]
        called = []
        while (
            ticket := q.ticket_call_next(counter=desk, actor=officer, at=minutes(30))
        ) is not None:
            called.append(ticket.pk)
            q.ticket_start(ticket=ticket, actor=officer, at=minutes(30))
            q.ticket_finish(ticket=ticket, actor=officer, at=minutes(31))
        return called

    results = in_threads(counter)
    called = [pk for own in results for pk in own]
    assert len(called) == len(set(called)) == total
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == total
    assert sum(1 for own in results if own) > 1  # the work was shared


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_double_clicks_books_once_with_threads(civil: ServiceArea) -> None:
    slot = Slot.objects.create(
        area=civil, day=MONDAY.date(), starts_at=dt.time(9), ends_at=dt.time(10), capacity=5
    )

    def click(_index: int) -> str:
        booked = q.appointment_book(
            slot=Slot.objects.get(pk=slot.pk),
            name="Lê Vĩnh Huỳnh",
            phone="0905123456",
            at=MONDAY - dt.timedelta(days=1),
        )
        return booked.code

    codes = in_threads(click)
    assert len(set(codes)) == 1
    assert Appointment.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


# -- processes on one SQLite file ------------------------------------------------------------

PROCESSES = 6
PER_PROCESS = 30

SETUP = """
import django, json, sys
django.setup()
from units.models import Level, Unit, UnitKind
from queueing.models import ServiceArea
province = Unit.objects.create(
    code="000.00.00.H99", name_vi="Tỉnh", kind=UnitKind.PROVINCE, level=Level.PROVINCE
)
center = Unit.objects.create(code="000.01.01.H99", name_vi="Trung tâm", kind=UnitKind.CENTER,
                             level=Level.WARD, parent=province, province=province)
area = ServiceArea.objects.create(center=center, name_vi="Hộ tịch", number_base=1000)
print(area.pk)
"""

WORKER = """
import datetime as dt, json, sys, time
from pathlib import Path
import django
django.setup()
from queueing.models import ServiceArea
from queueing.services import ticket_issue
folder, index, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
moment = dt.datetime.fromisoformat(sys.argv[4])
area = ServiceArea.objects.select_related("center").get(pk=sys.argv[5])
(folder / f"ready-{index}").touch()
deadline = time.monotonic() + 60
while not (folder / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.002)
begin = time.time()
numbers = [ticket_issue(area=area, at=moment).number for _ in range(count)]
print(json.dumps({"numbers": numbers, "span": [begin, time.time()]}))
"""


def test_simultaneous_kiosks_never_print_one_number_twice_with_processes_on_sqlite(
    tmp_path: Path,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific: processes sharing one database file")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_TEST_NAME"}}
    env |= {"MOTCUA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "motcua.settings"}
    base = Path(settings.BASE_DIR)

    def python(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=base,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    python("manage.py", "migrate", "--no-input", "-v", "0")
    area_id = python("-c", SETUP).strip().splitlines()[-1]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(tmp_path),
                str(i),
                str(PER_PROCESS),
                MONDAY.isoformat(),
                area_id,
            ],
            cwd=base,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("ready-*"))) < PROCESSES:
            assert all(w.poll() is None for w in workers), "a worker died before the start"
            assert time.monotonic() < deadline, "workers did not get ready"
            time.sleep(0.01)
        (tmp_path / "go").touch()
        outputs = [w.communicate(timeout=60) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    for w, (_out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err
    done = [json.loads(out) for out, _err in outputs]
    numbers = [n for own in done for n in own["numbers"]]
    assert sorted(numbers) == list(range(1001, 1001 + PROCESSES * PER_PROCESS))
    assert all(own["numbers"] == sorted(own["numbers"]) for own in done)
    assert side_by_side([tuple(own["span"]) for own in done])
