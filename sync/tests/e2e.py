"""The end-to-end harness of the sync tests and benchmark: real node processes on loopback.

Helpers, not tests. A :class:`Node` is one MotCua node (its own MOTCUA_VAR_DIR
and SQLite file) driven through ``manage.py`` and served by ``runserver``; a
:class:`FaultProxy` sits between a ward and the hub and refuses or cuts a share
of the TCP connections, counting the bytes each way; :meth:`Node.task` runs a
small job inside a node's own Django (``python -m sync.tests.e2e TASK ...``):
the API fixture, bulk intake with scans, the facts to compare with the hub.

Node set-up is costly (migrate ~6 s, the demo province ~20 s), so the hub, the
joined wards and an empty node are built once into template folders
(:func:`templates`) and copied for each node.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.client
import http.cookiejar
import json
import os
import random
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PASSWORD = "motcua-demo"  # core.demo.DEMO_PASSWORD
SECRET_KEY = "e2e-sync-" + "x" * 40
# Ward service centers of the demo province (core.demo): Tuy Hòa has the
# ``desk`` login; Buôn Ma Thuột gets ``desk.bmt`` in the hub's template.
CENTERS = {"tuy-hoa": "000.21.01.H15", "bmt": "000.22.01.H15"}
DESKS = {"000.21.01.H15": "desk", "000.22.01.H15": "desk.bmt"}
PROCEDURE = "1.004873"  # marital status certificate: ward level
TEMPLATE_VERSION = "1"
DB_FILE = "motcua.sqlite3"
# Environment variables of the test run that must not leak into a node.
NODE_VARIABLES = (
    "DATABASE_URL",
    "MOTCUA_VAR_DIR",
    "NODE_ROLE",
    "NODE_ID",
    "NODE_UNIT",
    "HUB_NODE_ID",
    "SYNC_HUB_URL",
    "SYNC_SECRET",
    "SYNC_BATCH",
    "SYNC_TIMEOUT",
    "SYNC_INTERVAL",
    "SQLITE_TEST_NAME",
    "DJANGO_SETTINGS_MODULE",
)


# Commands that run no system checks, and so take no --skip-checks.
WITHOUT_CHECKS = {"shell"}


class NodeError(RuntimeError):
    """A command of a node failed; the message holds its output."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def node_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NODE_VARIABLES}
    env.update(
        {
            "MOTCUA_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DEBUG": "true",
            "SECRET_KEY": SECRET_KEY,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
        }
    )
    env.update(extra)
    return env


# -- one node ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """One MotCua node: its folder, its environment and, when serving, its server process."""

    name: str
    var_dir: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.log = self.var_dir / "server.log"
        if not self.port:
            self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def database(self) -> Path:
        return self.var_dir / DB_FILE

    # commands

    def run(
        self, *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python <args>`` in the project folder with this node's environment."""
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def manage(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        """``manage.py <args> --skip-checks``: its output, or NodeError if it fails.

        System checks import every URL module (PDF rendering among them) and cost
        two seconds a command; the suite runs them once, not for each node command.
        """
        skip = [] if args[0] in WITHOUT_CHECKS else ["--skip-checks"]
        done = self.run("manage.py", *args, *skip, timeout=timeout)
        if check and done.returncode != 0:
            raise NodeError(
                f"[{self.name}] manage.py {' '.join(args)} exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
            )
        return done.stdout

    def sync_once(self, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """One round of ``manage.py sync --once``, whatever its outcome."""
        return self.run("manage.py", "sync", "--once", "--skip-checks", timeout=timeout)

    def task(self, name: str, *args: str, timeout: float = 300) -> Any:
        """Run one of this module's in-node tasks; its JSON answer."""
        done = self.run("-m", "sync.tests.e2e", name, *args, timeout=timeout)
        if done.returncode != 0:
            raise NodeError(
                f"[{self.name}] task {name} {' '.join(args)} exited {done.returncode}:\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-5000:]}"
            )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def digest(self, node_id: str) -> str:
        """``sync_log_digest --node``: one line, ``<node> <count> <sha256>``."""
        lines = self.manage("sync_log_digest", "--node", node_id).strip().splitlines()
        return lines[-1].strip()

    # serving

    def start(self, *, wait: float = 60) -> None:
        """Serve with ``runserver`` and return once /healthz answers."""
        self.launch()
        self.wait_ready(wait)

    def launch(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already serving"
        out = self.log.open("ab")
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    "--noreload",
                    "--skip-checks",
                    f"{HOST}:{self.port}",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            out.close()

    def wait_ready(self, wait: float = 60) -> None:
        assert self.process is not None, "not launched"
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NodeError(f"[{self.name}] the server stopped:\n{self.log_tail()}")
            if healthy(self.port):
                return
            time.sleep(0.1)
        self.stop()
        raise NodeError(f"[{self.name}] no answer on /healthz in {wait:g} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server gently (SIGTERM to its group), then by force."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        wait_port_closed(self.port)

    def kill(self) -> None:
        """SIGKILL to the server's process group: no cleanup, no commit, no checkpoint."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        wait_port_closed(self.port)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def wait_port_closed(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((HOST, port)) != 0:
                return
        time.sleep(0.05)


# -- templates: a hub with the demo province, an empty migrated ward ---------------------------


def checkpoint(database: Path) -> None:
    """Fold the WAL into the database file so that the file alone is the whole database."""
    if not database.exists():
        return
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_node(template: Path, var_dir: Path) -> None:
    """A node folder from a template: the database (checkpointed) and its files."""
    var_dir.mkdir(parents=True, exist_ok=True)
    for entry in template.iterdir():
        if entry.name.endswith(("-wal", "-shm", ".writer-lock", ".log")):
            continue
        target = var_dir / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, dirs_exist_ok=True)
        else:
            shutil.copy2(entry, target)


HUB_SETUP = """
from accounts.models import Assignment, Role, User
from units.models import Unit
for username, code in {desks!r}.items():
    user, created = User.objects.get_or_create(
        username=username, defaults={{"full_name": "Cán bộ " + username}}
    )
    if created:
        user.set_password({password!r})
        user.save()
    unit = Unit.objects.get(code=code)
    Assignment.objects.get_or_create(user=user, unit=unit, role=Role.DESK_OFFICER)
print("ok")
"""


WARDS = {"ward-a": CENTERS["tuy-hoa"], "ward-b": CENTERS["bmt"]}


@dataclass(frozen=True)
class Templates:
    """Template folders: the hub (demo province, ``WARDS`` registered), an empty node
    that ran its own migrate, and each of ``WARDS`` joined to that hub; ``secrets`` are
    the wards' secrets.

    The joined wards start from a copy of the hub's database as it was after migrate
    (a ward installed from the hub's image): the rows migrations seed, such as the
    queue's priority groups, then have the hub's ids. Joining a ward that ran its own
    migrate is what test 1 does (see ``join_ward``).
    """

    hub: Path
    empty: Path
    wards: dict[str, Path]
    secrets: dict[str, str]


def templates(root: Path) -> Templates:
    """The templates under ``root``, built once even across xdist workers (a file lock)."""
    root.mkdir(parents=True, exist_ok=True)
    hub, empty = root / f"hub-{TEMPLATE_VERSION}", root / f"empty-{TEMPLATE_VERSION}"
    wards = {node_id: root / f"{node_id}-{TEMPLATE_VERSION}" for node_id in WARDS}
    registry = root / f"secrets-{TEMPLATE_VERSION}.json"
    with (root / "templates.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not registry.exists():
            for folder in (hub, empty, *wards.values()):
                shutil.rmtree(folder, ignore_errors=True)
            node = Node("hub-template", hub, hub_environment(hub))
            node.manage("migrate", "--no-input", "-v", "0", timeout=300)
            checkpoint(hub / DB_FILE)
            image = root / f"image-{TEMPLATE_VERSION}"
            shutil.rmtree(image, ignore_errors=True)
            copy_node(hub, image)  # the hub's database before the demo data
            # A ward runs its own migrate: rows that migrations seed get their own ids.
            Node("empty", empty, node_environment(empty)).manage(
                "migrate", "--no-input", "-v", "0", timeout=300
            )
            checkpoint(empty / DB_FILE)
            node.manage("demo", "--no-history", timeout=600)
            desks = {username: code for code, username in DESKS.items() if username != "desk"}
            node.manage(
                "shell", "-c", HUB_SETUP.format(desks=desks, password=PASSWORD), timeout=120
            )
            secrets = {node_id: register(node, node_id, unit) for node_id, unit in WARDS.items()}
            with serving(node):
                for node_id, unit in WARDS.items():
                    copy_node(image, wards[node_id])
                    env = ward_environment(
                        wards[node_id],
                        node_id=node_id,
                        unit=unit,
                        hub_url=node.url,
                        secret=secrets[node_id],
                    )
                    Node(node_id, wards[node_id], env).manage("sync_join", timeout=300)
            for folder in (hub, *wards.values()):
                checkpoint(folder / DB_FILE)
            registry.write_text(json.dumps(secrets))
    return Templates(hub, empty, wards, json.loads(registry.read_text()))


def register(hub: Node, node_id: str, unit: str) -> str:
    """``sync_node_add``: the node's secret, printed alone on the last line."""
    out = hub.manage("sync_node_add", node_id, "--unit", unit)
    secret = out.strip().splitlines()[-1].strip()
    assert secret and " " not in secret, f"sync_node_add printed no secret last: {out!r}"
    return secret


def hub_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    return node_environment(var_dir, NODE_ROLE="hub", NODE_ID="hub", **extra)


def ward_environment(
    var_dir: Path, *, node_id: str, unit: str, hub_url: str, secret: str, **extra: str
) -> dict[str, str]:
    return node_environment(
        var_dir,
        NODE_ROLE="ward",
        NODE_ID=node_id,
        NODE_UNIT=unit,
        SYNC_HUB_URL=hub_url,
        SYNC_SECRET=secret,
        **extra,
    )


def new_hub(built: Templates, var_dir: Path, **extra: str) -> Node:
    copy_node(built.hub, var_dir)
    return Node("hub", var_dir, hub_environment(var_dir, **extra))


def new_ward(
    built: Templates,
    var_dir: Path,
    node_id: str,
    *,
    hub_url: str,
    **extra: str,
) -> Node:
    """One of ``WARDS``, joined to a copy of the template hub already."""
    copy_node(built.wards[node_id], var_dir)
    env = ward_environment(
        var_dir,
        node_id=node_id,
        unit=WARDS[node_id],
        hub_url=hub_url,
        secret=built.secrets[node_id],
        **extra,
    )
    return Node(node_id, var_dir, env)


def join_ward(
    built: Templates, var_dir: Path, hub: Node, node_id: str, *, unit: str, **extra: str
) -> Node:
    """A ward from an empty node: registered at ``hub`` and joined (``hub`` must serve)."""
    copy_node(built.empty, var_dir)
    secret = register(hub, node_id, unit)
    env = ward_environment(
        var_dir, node_id=node_id, unit=unit, hub_url=hub.url, secret=secret, **extra
    )
    ward = Node(node_id, var_dir, env)
    ward.manage("sync_join", timeout=300)
    return ward


# -- a client of a node's pages and API --------------------------------------------------------


class Client:
    """HTTP to one node with cookies: the login form, then staff pages; or a bearer token."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url
        self.token = token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=sent
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read()

    def post_json(self, path: str, data: Any) -> tuple[int, Any]:
        status, _headers, body = self.request(
            "POST",
            path,
            body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json"},
        )
        return status, json.loads(body) if body else None

    def login(self, username: str, password: str = PASSWORD) -> None:
        status, _headers, page = self.request("GET", "/accounts/login/")
        assert status == 200, f"login page answered {status}"
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "no CSRF token on the login page"
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": password,
                "next": "/",
            }
        ).encode()
        status, _headers, page = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base_url + "/accounts/login/",
            },
        )
        assert status == 200, f"login answered {status}"
        assert any(c.name == "sessionid" for c in self.jar), f"{username} was not signed in"


# -- the fault proxy ---------------------------------------------------------------------------

PASS, DROP, CUT_REQUEST, CUT_RESPONSE = "pass", "drop", "cut-request", "cut-response"


@dataclass
class Plan:
    """What the proxy does to one connection."""

    kind: str
    after: int = 0  # bytes forwarded in the cut direction before the cut


class FaultProxy:
    """A TCP proxy on 127.0.0.1 to ``target_port`` that spoils a share of the connections.

    Each accepted connection is, by a seeded draw: passed through; dropped
    (closed at once with a reset, before a byte is read); or cut: ``after``
    bytes of the request (client to hub) or of the response (hub to client)
    are forwarded, then both sides are closed, so the hub may have read half a
    request, or applied a whole one whose answer never arrives. It counts the
    bytes each way and what it did; ``faults`` can be changed while it runs.
    """

    def __init__(
        self,
        target_port: int,
        *,
        faults: float = 0.0,
        seed: int = 0,
        request_cut: tuple[int, int] = (1, 2000),
        response_cut: tuple[int, int] = (1, 400),
    ) -> None:
        self.target_port = target_port
        self.faults = faults
        self.random = random.Random(seed)
        self.request_cut = request_cut
        self.response_cut = response_cut
        self.lock = threading.Lock()
        self.sent = 0  # bytes client -> target
        self.received = 0  # bytes target -> client
        self.outcomes: Counter[str] = Counter()
        self.connections = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self.closing = False
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True, name="proxy-accept")
        self.acceptor.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def reset_counts(self) -> None:
        with self.lock:
            self.sent = self.received = self.connections = 0
            self.outcomes.clear()

    def close(self) -> None:
        self.closing = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.acceptor.join(5)
        for thread in self.threads:
            thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _plan(self) -> Plan:
        with self.lock:
            self.connections += 1
            draw = self.random.random()
            if draw >= self.faults:
                return Plan(PASS)
            kind = self.random.choice([DROP, CUT_REQUEST, CUT_RESPONSE])
            if kind == CUT_REQUEST:
                return Plan(kind, self.random.randint(*self.request_cut))
            if kind == CUT_RESPONSE:
                return Plan(kind, self.random.randint(*self.response_cut))
            return Plan(kind)

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            plan = self._plan()
            thread = threading.Thread(
                target=self._serve, args=(client, plan), daemon=True, name="proxy-conn"
            )
            self.threads = [t for t in self.threads if t.is_alive()]
            self.threads.append(thread)
            thread.start()

    def _note(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def _serve(self, client: socket.socket, plan: Plan) -> None:
        if plan.kind == DROP:
            reset(client)
            self._note(DROP)
            return
        try:
            upstream = socket.create_connection((HOST, self.target_port), timeout=5)
        except OSError:
            reset(client)
            self._note("target-down")
            return
        upstream.settimeout(None)
        outcome = self._pump(client, upstream, plan)
        self._note(outcome)
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()

    def _pump(self, client: socket.socket, upstream: socket.socket, plan: Plan) -> str:
        """Forward both ways until one side closes, or until the planned cut."""
        budget = {
            "up": plan.after if plan.kind == CUT_REQUEST else -1,
            "down": plan.after if plan.kind == CUT_RESPONSE else -1,
        }
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, ("up", upstream))
        selector.register(upstream, selectors.EVENT_READ, ("down", client))
        open_sides = 2
        try:
            while open_sides and not self.closing:
                for key, _mask in selector.select(timeout=1):
                    direction, peer = key.data
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    try:
                        data = source.recv(65536)
                    except OSError:
                        data = b""
                    if not data:
                        # Half-close: pass the end of stream on, keep the other way open.
                        selector.unregister(source)
                        open_sides -= 1
                        with contextlib.suppress(OSError):
                            peer.shutdown(socket.SHUT_WR)
                        continue
                    left = budget[direction]
                    if left >= 0 and len(data) >= left:
                        with contextlib.suppress(OSError):
                            peer.sendall(data[:left])
                        self._count(direction, left)
                        reset(client)
                        reset(upstream)
                        return plan.kind
                    if left >= 0:
                        budget[direction] = left - len(data)
                    try:
                        peer.sendall(data)
                    except OSError:
                        return "peer-gone"
                    self._count(direction, len(data))
        finally:
            selector.close()
        return PASS if plan.kind == PASS else f"{plan.kind}-not-reached"

    def _count(self, direction: str, size: int) -> None:
        with self.lock:
            if direction == "up":
                self.sent += size
            else:
                self.received += size


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0): the peer sees the connection broken, not ended."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with contextlib.suppress(OSError):
        sock.close()


# -- scans -------------------------------------------------------------------------------------


def scan_pdf(size: int, seed: int) -> bytes:
    """A valid-looking PDF of about ``size`` bytes, different for each seed."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    tail = b"\n%%EOF\n"
    body_size = max(size - len(head) - len(tail) - 64, 16)
    noise = random.Random(seed).randbytes(body_size)
    stream = (
        f"1 0 obj << /Length {body_size} /Filter /DCTDecode >>\nstream\n".encode()
        + noise
        + b"\nendstream\nendobj\n"
    )
    return head + stream + tail


# -- tasks inside a node -----------------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()


def _desk(unit_code: str) -> Any:
    from accounts.models import User

    return User.objects.get(username=DESKS[unit_code])


def task_api_fixture(unit_code: str) -> dict[str, Any]:
    """A bearer token for the center's desk officer, and a case with its mandatory papers."""
    from accounts.api_auth import api_token_issue
    from catalog.models import Procedure

    desk = _desk(unit_code)
    _token, key = api_token_issue(user=desk, name="e2e")
    version = Procedure.objects.get(code=PROCEDURE).current_version
    assert version is not None
    case = version.cases.order_by("position").first()
    assert case is not None
    mandatory = [c for c in case.components.all() if c.mandatory]
    return {
        "token": key,
        "case_id": str(case.pk),
        "papers": [
            {"component_id": str(c.pk), "originals": max(c.originals, 1)} for c in mandatory
        ],
        "desk": desk.username,
    }


def task_intake(
    unit_code: str, count: str, scans: str = "0", size: str = "150000", prefix: str = "7"
) -> dict[str, Any]:
    """``count`` dossiers received at the center's desk through the services, each with
    ``scans`` scanned PDFs of ``size`` bytes (or "low-high": sizes drawn between them)
    kept as the applicant's papers."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.models import Procedure
    from dossiers.papers import paper_digitise
    from dossiers.services import (
        ApplicantIn,
        PaperIn,
        applicant_find_or_create,
        dossier_intake,
    )
    from units.models import Unit

    desk = _desk(unit_code)
    unit = Unit.objects.get(code=unit_code)
    version = Procedure.objects.get(code=PROCEDURE).current_version
    assert version is not None
    case = version.cases.order_by("position").first()
    assert case is not None
    mandatory = [c for c in case.components.all() if c.mandatory]
    n_scans = int(scans)
    low, _dash, high = size.partition("-")
    sizes = random.Random(f"{unit_code}-{prefix}")

    def pdf_size() -> int:
        return sizes.randint(int(low), int(high)) if high else int(low)

    codes: list[str] = []
    started = time.perf_counter()
    for number in range(int(count)):
        id_number = f"{prefix}{number:011d}"[-12:]
        applicant = applicant_find_or_create(
            data=ApplicantIn(full_name=f"Người Đồng Bộ {prefix}-{number}", id_number=id_number)
        )
        papers: list[PaperIn] = []
        for index, component in enumerate(mandatory):
            paper = None
            if index < n_scans:
                content = scan_pdf(pdf_size(), zlib.crc32(f"{prefix}-{number}-{index}".encode()))
                paper = paper_digitise(
                    applicant=applicant,
                    name=component.name_vi,
                    upload=SimpleUploadedFile("scan.pdf", content, "application/pdf"),
                )
            papers.append(
                PaperIn(
                    component_id=component.pk,
                    originals=max(component.originals, 1),
                    file=paper.file.name if paper else None,
                    sha256=paper.sha256 if paper else "",
                    paper_id=paper.pk if paper else None,
                )
            )
        for index in range(len(mandatory), n_scans):  # more scans than mandatory items
            content = scan_pdf(pdf_size(), zlib.crc32(f"{prefix}-{number}-{index}".encode()))
            paper = paper_digitise(
                applicant=applicant,
                name=f"Bản sao {index}",
                upload=SimpleUploadedFile("scan.pdf", content, "application/pdf"),
            )
            papers.append(
                PaperIn(
                    name=f"Bản sao {index}",
                    copies=1,
                    file=paper.file.name,
                    sha256=paper.sha256,
                    paper_id=paper.pk,
                )
            )
        dossier = dossier_intake(
            actor=desk, unit=unit, case=case, applicant=applicant, papers=papers
        )
        codes.append(dossier.code or "")
    return {"codes": codes, "seconds": time.perf_counter() - started}


def task_facts(unit_code: str, node_id: str) -> dict[str, Any]:
    """What must match between a ward and the hub, for one center and one node."""
    from django.db.models import Count

    from dossiers.models import Dossier, DossierComponent, DossierEvent
    from reports.models import Tally
    from units.models import Unit

    unit = Unit.objects.get(code=unit_code)
    dossiers = Dossier.objects.filter(receiving_unit=unit)
    codes = sorted(c or "" for c in dossiers.values_list("code", flat=True))
    events = DossierEvent.objects.filter(node_id=node_id)
    seqs = sorted(events.values_list("seq", flat=True))
    doubled = list(
        events.values("seq").annotate(n=Count("id")).filter(n__gt=1).values_list("seq", flat=True)
    )
    change_seqs: list[int] = []
    with contextlib.suppress(Exception):
        from sync.models import Change

        change_seqs = sorted(Change.objects.filter(node_id=node_id).values_list("seq", flat=True))
    measures = [
        f.attname
        for f in Tally._meta.concrete_fields
        if f.attname not in {"id", "grain", "day", "unit_id", "version_id", "tag"}
    ]
    tallies = sorted(
        [
            [t.grain, t.day.isoformat(), str(t.version_id), t.tag]
            + [getattr(t, m) for m in measures]
            for t in Tally.objects.filter(unit_id=unit.pk)
        ]
    )
    files = []
    for row in DossierComponent.objects.filter(dossier__in=dossiers).exclude(file=""):
        data = row.file.read()
        row.file.close()
        files.append([row.dossier.code, row.sha256, hashlib.sha256(data).hexdigest(), len(data)])
    from django.conf import settings

    from sync.models import Node as HubNode
    from sync.models import NodeState

    if settings.NODE_ROLE == "hub":
        acked = HubNode.objects.filter(node_id=node_id).values_list("acked_seq", flat=True).first()
    else:
        acked = NodeState.get().acked_seq
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("sync_log_digest", node=node_id, stdout=out)
    return {
        "digest": out.getvalue().strip().splitlines()[-1].strip(),
        "acked": acked or 0,
        "dossiers": len(codes),
        "codes": codes,
        "events": len(seqs),
        "seqs": seqs,
        "doubled_seqs": doubled,
        "change_seqs": change_seqs,
        "measures": measures,
        "tallies": tallies,
        "files": sorted(files),
    }


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "api_fixture": task_api_fixture,
    "intake": task_intake,
    "facts": task_facts,
}


def main(argv: list[str]) -> int:
    _django()
    result = TASKS[argv[0]](*argv[1:])
    sys.stdout.flush()
    print(json.dumps(result, default=str))
    return 0


# -- in the test process -----------------------------------------------------------------------


@contextlib.contextmanager
def serving(*nodes: Node) -> Iterator[None]:
    """The nodes serve for the block (those already serving are left as they are)."""
    started = [node for node in nodes if node.process is None]
    try:
        for node in started:  # side by side: each takes seconds to import Django
            node.launch()
        for node in started:
            node.wait_ready()
        yield
    finally:
        for node in started:
            node.stop()


def parallel(*calls: Callable[[], T]) -> list[T]:
    """Run the calls side by side (each mostly waits on a child process); their results."""
    with ThreadPoolExecutor(max_workers=len(calls) or 1) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def sync_until_done(
    ward: Node, *, attempts: int = 40, failures: list[str] | None = None
) -> tuple[int, str]:
    """``sync --once`` until a round succeeds; (rounds taken, last output).

    The output of every failed round is appended to ``failures`` when given.
    """
    output = ""
    for attempt in range(1, attempts + 1):
        done = ward.sync_once()
        output = done.stdout + done.stderr
        if done.returncode == 0:
            return attempt, output
        if failures is not None:
            failures.append(f"exit {done.returncode}: {output}")
    raise NodeError(f"[{ward.name}] sync did not succeed in {attempts} rounds:\n{output[-3000:]}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
