"""The synchronisation pages and the status line: who sees what, and what the buttons do."""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import staff_user
from dossiers.models import Applicant
from sync.models import Change, Conflict, ConflictState, Node, NodeState, SyncProblem
from sync.node import SyncError, sync_round
from sync.wire import snapshot

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(client: Client, url: str, language: str = "en") -> str:
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200, (url, page.status_code)
    return page.content.decode()


@pytest.fixture
def as_ward(settings: Any) -> Any:
    settings.NODE_ROLE = "ward"
    settings.NODE_ID = "ward-a"
    settings.SYNC_HUB_URL = "http://hub.invalid"
    settings.SYNC_INTERVAL = 10
    return settings


@pytest.fixture
def as_hub(settings: Any) -> Any:
    settings.NODE_ROLE = "hub"
    settings.NODE_ID = "hub"
    settings.SYNC_HUB_URL = ""
    return settings


@pytest.fixture
def standalone(settings: Any) -> Any:
    settings.NODE_ROLE = "ward"
    settings.SYNC_HUB_URL = ""
    return settings


def log_entries(node_id: str, count: int) -> None:
    Change.objects.bulk_create(
        Change(node_id=node_id, seq=seq, model="ticket", object_id=uuid.uuid4())
        for seq in range(1, count + 1)
    )


def sync_line(html: str) -> str:
    start = html.index('data-testid="sync-line"')
    return html[start : html.index("</div>\n</div>", start)]


# -- the status line -----------------------------------------------------------------------------


def test_the_line_counts_what_waits_and_says_offline_before_any_success(as_ward, manager) -> None:
    log_entries("ward-a", 5)
    NodeState.objects.create(acked_seq=2)
    line = sync_line(text_of(client_for(manager), "/reports/"))
    assert "Offline" in line and "never synchronised" in line
    assert "3 events waiting" in line
    assert 'href="/sync/status/"' in line and "#fdecea" in line  # red-ish


def test_the_line_says_online_after_a_recent_success_and_offline_when_it_is_old(
    as_ward, manager
) -> None:
    now = timezone.now()
    NodeState.objects.create(last_success_at=now - dt.timedelta(seconds=5))
    client = client_for(manager)
    line = sync_line(text_of(client, "/reports/"))
    assert "Online" in line and "last synchronised" in line and "0 events waiting" in line
    assert "#fdecea" not in line
    assert timezone.localtime(now - dt.timedelta(seconds=5)).strftime("%H:%M") in line

    # Nothing succeeded for more than three intervals: offline, even without an error.
    NodeState.objects.update(last_success_at=now - dt.timedelta(seconds=31))
    assert "Offline" in sync_line(text_of(client, "/reports/"))
    # The last round failed: offline at once.
    NodeState.objects.update(
        last_success_at=now, failures=1, last_error="the hub cannot be reached"
    )
    assert "Offline" in sync_line(text_of(client, "/reports/"))


def test_the_line_is_drawn_only_for_staff_on_a_node_with_a_hub(
    standalone, settings, manager, citizen
) -> None:
    assert 'data-testid="sync-line"' not in text_of(client_for(manager), "/reports/")
    settings.SYNC_HUB_URL = "http://hub.invalid"
    assert 'data-testid="sync-line"' in text_of(client_for(manager), "/reports/")
    assert 'data-testid="sync-line"' not in text_of(client_for(citizen), "/procedures/")
    assert 'data-testid="sync-line"' not in text_of(Client(), "/procedures/")


def test_the_line_costs_at_most_three_queries(standalone, settings, manager) -> None:
    client = client_for(manager)
    client.get("/reports/")  # warm the session and caches
    with CaptureQueriesContext(connection) as without:
        client.get("/reports/")
    settings.SYNC_HUB_URL = "http://hub.invalid"
    NodeState.get()
    with CaptureQueriesContext(connection) as with_line:
        client.get("/reports/")
    assert len(with_line) - len(without) <= 3


def test_the_hub_line_counts_nodes_and_open_conflicts(as_hub, manager, ward_center) -> None:
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    Node.objects.create(node_id="ward-b", unit=ward_center, is_active=False)
    conflict_for(node, Applicant.objects.create(full_name="Trần Thị Bình", phone="0901"))
    line = sync_line(text_of(client_for(manager), "/reports/"))
    assert "Hub" in line and "1 node" in line and "1 open conflict" in line
    assert 'href="/sync/nodes/"' in line and 'href="/sync/conflicts/"' in line


def test_the_hub_line_links_nowhere_for_staff_who_may_not_open_the_hub_pages(
    as_hub, desk_officer
) -> None:
    line = sync_line(text_of(client_for(desk_officer), "/desk/"))
    assert "0 nodes" in line and "/sync/nodes/" not in line


# -- the ward's page -----------------------------------------------------------------------------


def test_the_status_page_shows_the_marks_and_the_last_error(as_ward, desk_officer) -> None:
    log_entries("ward-a", 4)
    NodeState.objects.create(
        acked_seq=3, pulled_seq=17, failures=2, last_error="the hub cannot be reached: timed out"
    )
    html = text_of(client_for(desk_officer), "/sync/status/")
    assert 'data-testid="sync-waiting-count">1<' in html
    assert "<dd>17</dd>" in html and "<dd>3</dd>" in html and "<dd>2</dd>" in html
    assert "the hub cannot be reached: timed out" in html and 'data-testid="sync-offline"' in html
    assert 'hx-trigger="every 5s"' in html and "csrfmiddlewaretoken" in html


def test_a_failed_round_is_told_in_the_readers_language(as_ward, desk_officer, settings) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SYNC_HUB_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(SyncError) as failed:
        sync_round()
    assert failed.value.problem == SyncProblem.UNREACHABLE
    state = NodeState.get()
    assert state.last_problem == SyncProblem.UNREACHABLE and state.failures == 1
    assert state.last_error  # what the connection said, kept as the detail
    client = client_for(desk_officer)
    english = text_of(client, "/sync/status/")
    assert "The provincial hub cannot be reached." in english
    assert 'data-testid="sync-offline"' in english
    assert "Không kết nối được với trung tâm tỉnh." in text_of(client, "/sync/status/", "vi")


def test_sync_now_asks_the_loop_for_a_round(as_ward, desk_officer) -> None:
    client = client_for(desk_officer)
    before = timezone.now()
    answer = client.post("/sync/status/")
    assert answer.status_code == 302 and answer["Location"] == "/sync/status/"
    state = NodeState.get()
    assert state.requested_at is not None and state.requested_at >= before
    assert 'data-testid="sync-requested"' in text_of(client, "/sync/status/")

    NodeState.objects.update(requested_at=None)
    fragment = client.post("/sync/status/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="sync-state"')
    assert 'data-testid="sync-requested"' in fragment and "<html" not in fragment
    assert NodeState.get().requested_at is not None


def test_a_request_nobody_answers_says_the_worker_is_not_running(as_ward, desk_officer) -> None:
    client = client_for(desk_officer)
    NodeState.get()
    NodeState.objects.update(requested_at=timezone.now() - dt.timedelta(seconds=10))
    assert 'data-testid="sync-unheard"' not in text_of(client, "/sync/status/")
    NodeState.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=2))
    text = text_of(client, "/sync/status/")
    assert 'data-testid="sync-unheard"' in text and "manage.py worker" in text


def test_the_htmx_refresh_gets_only_the_state(as_ward, desk_officer) -> None:
    page = client_for(desk_officer).get("/sync/status/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert page.content.decode().lstrip().startswith('<section id="sync-state"')


def test_the_status_page_is_for_staff_only(as_ward, citizen) -> None:
    assert Client().get("/sync/status/").status_code == 302  # to the sign-in page
    assert client_for(citizen).get("/sync/status/").status_code == 403
    assert client_for(citizen).post("/sync/status/").status_code == 403
    assert NodeState.get().requested_at is None


def test_a_standalone_node_has_nothing_to_sync(standalone, desk_officer) -> None:
    client = client_for(desk_officer)
    assert 'data-testid="sync-alone"' in text_of(client, "/sync/status/")
    assert client.post("/sync/status/").status_code == 404


def test_the_hub_has_no_ward_status_page_and_a_ward_no_hub_pages(
    settings, as_ward, manager
) -> None:
    client = client_for(manager)
    assert client.get("/sync/nodes/").status_code == 404
    assert client.get("/sync/conflicts/").status_code == 404
    settings.NODE_ROLE = "hub"
    assert client.get("/sync/status/").status_code == 404


# -- the hub's pages -----------------------------------------------------------------------------


@pytest.fixture
def nodes(as_hub, ward_center, other_center) -> tuple[Node, Node]:
    now = timezone.now()
    fresh = Node.objects.create(
        node_id="ward-a",
        unit=ward_center,
        acked_seq=120,
        backlog=7,
        events_applied=118,
        last_contact_at=now - dt.timedelta(minutes=3),
    )
    silent = Node.objects.create(
        node_id="ward-b",
        unit=other_center,
        acked_seq=40,
        last_contact_at=now - dt.timedelta(hours=2),
        last_error="The batch starts at %(first)s but the hub has applied up to %(mark)s.",
        last_error_params={"first": "45", "mark": "40"},
        last_error_at=now - dt.timedelta(hours=2),
    )
    return fresh, silent


def test_the_nodes_page_flags_a_silent_node(nodes, admin_user) -> None:
    html = text_of(client_for(admin_user), "/sync/nodes/")
    fresh = html[html.index('data-node="ward-a"') : html.index("</tr>", html.index("ward-a"))]
    silent = html[html.index('data-node="ward-b"') : html.index("</tr>", html.index("ward-b"))]
    assert "sync-silent" not in fresh and "3\xa0minutes ago" in fresh
    assert ">120<" in fresh and ">7<" in fresh and ">118<" in fresh
    assert "Ward One service center" in fresh
    assert "sync-silent" in silent and "Silent" in silent and "2\xa0hours ago" in silent
    assert "The batch starts at 45 but the hub has applied up to 40." in silent
    vietnamese = text_of(client_for(admin_user), "/sync/nodes/", "vi")
    assert "Gói dữ liệu bắt đầu từ số 45 nhưng trung tâm tỉnh mới cập nhật đến số 40." in vietnamese


def test_a_manager_sees_the_nodes_of_their_center_only(nodes, manager) -> None:
    html = text_of(client_for(manager), "/sync/nodes/")
    assert 'data-node="ward-a"' in html and 'data-node="ward-b"' not in html


@pytest.mark.parametrize("persona", ["desk_officer", "specialist", "approver", "guide", "citizen"])
def test_the_hub_pages_are_refused_to_other_roles(nodes, persona, request) -> None:
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get("/sync/nodes/").status_code == 403
    assert client.get("/sync/conflicts/").status_code == 403


def test_the_hub_pages_ask_for_a_sign_in(nodes) -> None:
    assert Client().get("/sync/nodes/").status_code == 302
    assert Client().get("/sync/conflicts/").status_code == 302


# -- conflicts -----------------------------------------------------------------------------------


def conflict_for(node: Node, applicant: Applicant, **theirs: Any) -> Conflict:
    ours = snapshot(applicant)
    return Conflict.objects.create(
        node=node,
        model="applicant",
        object_id=applicant.pk,
        label=f"{applicant.full_name} ({applicant.masked_id})",
        ours=ours,
        theirs={**ours, **theirs},
    )


@pytest.fixture
def applicant(as_hub) -> Applicant:
    return Applicant.objects.create(
        full_name="Lê Vĩnh Huỳnh",
        id_number="054089001234",
        phone="0987654321",
        address="Phường Một",
    )


@pytest.fixture
def conflict(nodes, applicant) -> Conflict:
    return conflict_for(nodes[0], applicant, phone="0912000111", address="12 Trần Phú")


def test_the_conflicts_page_shows_the_fields_that_differ(conflict, manager) -> None:
    html = text_of(client_for(manager), "/sync/conflicts/")
    assert "Lê Vĩnh Huỳnh (054*******34)" in html and "ward-a" in html
    phone = html[html.index('data-field="phone"') : html.index("</tr>", html.index("phone"))]
    assert "0987654321" in phone and "0912000111" in phone
    assert 'data-field="address"' in html and 'data-field="full_name"' not in html
    assert "Keep the hub's version" in html and "Take the node's version" in html


def test_keeping_the_hubs_version_leaves_the_applicant(conflict, applicant, manager) -> None:
    client = client_for(manager)
    answer = client.post("/sync/conflicts/", {"conflict": conflict.pk, "choice": "keep"})
    assert answer.status_code == 302
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.KEPT and conflict.settled_by == manager
    assert conflict.settled_at is not None
    applicant.refresh_from_db()
    assert (applicant.phone, applicant.address) == ("0987654321", "Phường Một")
    html = text_of(client, "/sync/conflicts/")
    assert 'data-testid="no-conflict"' in html
    settled = html[html.index('data-testid="settled"') :]
    assert "Kept the hub&#x27;s version" in settled and "Manager" in settled


def test_taking_the_nodes_version_updates_the_applicant(conflict, applicant, admin_user) -> None:
    client = client_for(admin_user)
    client.post("/sync/conflicts/", {"conflict": conflict.pk, "choice": "take"})
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.TAKEN and conflict.settled_by == admin_user
    applicant.refresh_from_db()
    assert (applicant.phone, applicant.address) == ("0912000111", "12 Trần Phú")

    # Settled once: a second click changes nothing.
    Applicant.objects.filter(pk=applicant.pk).update(phone="0900000000")
    client.post("/sync/conflicts/", {"conflict": conflict.pk, "choice": "keep"})
    conflict.refresh_from_db()
    assert conflict.state == ConflictState.TAKEN
    assert Applicant.objects.get(pk=applicant.pk).phone == "0900000000"


def test_others_cannot_settle(conflict, applicant, desk_officer, other_center) -> None:
    far_manager = staff_user("far-manager", other_center, Role.MANAGER)
    assert (
        client_for(desk_officer)
        .post("/sync/conflicts/", {"conflict": conflict.pk, "choice": "take"})
        .status_code
        == 403
    )
    far = client_for(far_manager)
    assert (
        far.post("/sync/conflicts/", {"conflict": conflict.pk, "choice": "take"}).status_code == 404
    )
    assert (
        far.post("/sync/conflicts/", {"conflict": "nonsense", "choice": "take"}).status_code == 404
    )
    assert Conflict.objects.get().state == ConflictState.OPEN
    assert Applicant.objects.get(pk=applicant.pk).phone == "0987654321"


def test_open_conflicts_come_before_settled_ones(conflict, nodes, manager) -> None:
    other = Applicant.objects.create(full_name="Phạm Thu Hà", phone="0903")
    settled = conflict_for(nodes[0], other, phone="0904")
    Conflict.objects.filter(pk=settled.pk).update(
        state=ConflictState.KEPT, settled_at=timezone.now(), settled_by=manager
    )
    html = text_of(client_for(manager), "/sync/conflicts/")
    assert (
        html.index("Lê Vĩnh Huỳnh")
        < html.index('data-testid="settled"')
        < html.index("Phạm Thu Hà")
    )


# -- both languages ------------------------------------------------------------------------------


def test_the_ward_page_in_both_languages(as_ward, desk_officer) -> None:
    client = client_for(desk_officer)
    vi = text_of(client, "/sync/status/", "vi")
    assert "Đồng bộ ngay" in vi and "Ngoại tuyến" in vi and "chưa đồng bộ lần nào" in vi
    en = text_of(client, "/sync/status/", "en")
    assert "Sync now" in en and "Offline" in en


def test_the_hub_pages_in_both_languages(conflict, manager) -> None:
    client = client_for(manager)
    vi = text_of(client, "/sync/nodes/", "vi") + text_of(client, "/sync/conflicts/", "vi")
    assert "Nút máy trạm phường" in vi and "Giữ phiên bản của trung tâm tỉnh" in vi
    assert "xung đột" in vi
    en = text_of(client, "/sync/nodes/", "en") + text_of(client, "/sync/conflicts/", "en")
    assert "Ward nodes" in en and "Take the node's version" in en
