"""The hub applies a node's batch once, in order, only within the node's rights.

These tests run node and hub in one database: a batch is built on the
"node", the rows it carries are removed, and the "hub" applies it back.
The end-to-end tests run them as separate processes.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from core.ids import uuid7
from dossiers import services as s
from dossiers.models import Applicant, DigitisedPaper, Dossier, DossierComponent, DossierEvent
from dossiers.tests.fixtures import all_papers, at
from dossiers.workflow import TransitionError
from reports.models import Tally
from sync import ownership, signing
from sync.hub import BatchRefusedError, batch_apply, conflict_settle
from sync.models import Change, Conflict, ConflictState, Node, NodeState
from sync.node import batch_build, batch_limit, push, waiting_count
from sync.tests import roles
from sync.tests.roles import as_hub
from sync.wire import digest, snapshot

pytestmark = pytest.mark.django_db(transaction=False)

MON = at(2026, 3, 2, 8, 0)


@pytest.fixture
def as_ward(settings: Any, ward_center: Any) -> Any:
    roles.as_ward(settings, ward_center)
    yield settings
    ownership.forget()


def intake(desk: Any, center: Any, case: Any, applicant: Any, when: Any = MON) -> Dossier:
    return s.dossier_intake(
        actor=desk, unit=center, case=case, applicant=applicant, papers=all_papers(case), at=when
    )


def tallies(unit_id: Any) -> set[tuple[Any, ...]]:
    return set(
        Tally.objects.filter(unit_id=unit_id).values_list(
            "grain", "day", "version_id", "tag", "received_direct", "running", "done_on_time"
        )
    )


def forget_locally(dossier_ids: list[Any]) -> None:
    """What the hub does not have yet: the dossiers, their rows and counters."""
    dossiers = Dossier.objects.filter(pk__in=dossier_ids)
    applicants = list(dossiers.values_list("applicant_id", flat=True))
    units = list(dossiers.values_list("receiving_unit_id", flat=True))
    from notify.models import Message

    Message.objects.filter(dossier_id__in=dossier_ids).delete()
    DossierEvent.objects.filter(dossier_id__in=dossier_ids)._raw_delete("default")  # type: ignore[attr-defined]
    DossierComponent.objects.filter(dossier_id__in=dossier_ids).delete()
    DigitisedPaper.objects.filter(applicant_id__in=applicants).delete()
    dossiers.delete()
    Applicant.objects.filter(pk__in=applicants).delete()
    Tally.objects.filter(unit_id__in=units).delete()


def test_a_batch_brings_back_dossiers_events_and_the_same_counters(
    as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    first = intake(desk_officer, ward_center, ward_case, applicant_in)
    second = intake(desk_officer, ward_center, ward_case, applicant_in, at(2026, 3, 3, 9, 0))
    s.dossier_route(actor=desk_officer, dossier=first, at=at(2026, 3, 2, 9, 0))
    counted = tallies(ward_center.pk)
    log = list(DossierEvent.objects.order_by("seq").values_list("node_id", "seq", "action"))
    assert [n for n, _seq, _a in log] == ["ward-a"] * len(log)
    assert waiting_count() == len(log) + Change.objects.count()

    batch = batch_build(0, 500)
    assert batch is not None and batch.first == 1
    forget_locally([first.pk, second.pk])
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)

    applied = batch_apply(node, json.loads(json.dumps(batch.body)))
    assert applied.acked == batch.last
    assert list(DossierEvent.objects.order_by("seq").values_list("node_id", "seq", "action")) == log
    assert set(Dossier.objects.values_list("code", flat=True)) == {first.code, second.code}
    assert tallies(ward_center.pk) == counted
    node.refresh_from_db()
    assert node.acked_seq == batch.last


def test_a_resent_batch_changes_nothing_and_a_gap_is_refused(
    as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, ward_case, applicant_in)
    whole = batch_build(0, 500)
    head = batch_build(0, 1)
    assert whole is not None and head is not None and head.last == 1
    forget_locally([dossier.pk])
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)

    tail = json.loads(json.dumps(whole.body))
    tail["events"] = [e for e in tail["events"] if e["seq"] > 1]
    tail["changes"] = [c for c in tail["changes"] if c["seq"] > 1]
    tail["first"] = 2
    with pytest.raises(BatchRefusedError) as refused:
        batch_apply(node, tail)  # entry 1 never arrived
    assert refused.value.status == 409 and refused.value.extra["acked"] == 0

    assert batch_apply(node, json.loads(json.dumps(head.body))).acked == 1
    # The whole batch again, overlapping what was applied: only the rest goes in.
    again = batch_apply(node, json.loads(json.dumps(whole.body)))
    assert (again.acked, again.skipped) == (whole.last, 1)
    replay = batch_apply(node, json.loads(json.dumps(whole.body)))
    assert (replay.applied, replay.acked) == (0, whole.last)
    assert DossierEvent.objects.filter(dossier=dossier).count() == len(whole.body["events"])


def test_a_node_cannot_send_another_centers_dossiers(
    as_ward, desk_officer, ward_center, other_center, ward_case, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, ward_case, applicant_in)
    batch = batch_build(0, 500)
    assert batch is not None
    forget_locally([dossier.pk])
    as_hub(as_ward)
    stranger = Node.objects.create(node_id="ward-a", unit=other_center)
    with pytest.raises(BatchRefusedError) as refused:
        batch_apply(stranger, json.loads(json.dumps(batch.body)))
    assert refused.value.status == 403
    assert not Dossier.objects.exists()
    assert not DossierEvent.objects.exists()


@pytest.mark.django_db(transaction=True)  # SQLite checks foreign keys at the real commit
def test_a_batch_the_database_refuses_is_answered_409_and_leaves_nothing_behind(
    as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    """The writes fail in the database itself (on PostgreSQL, inside the pipeline):
    an event names a dossier neither the batch nor the hub has."""
    first = intake(desk_officer, ward_center, ward_case, applicant_in)
    second = intake(desk_officer, ward_center, ward_case, applicant_in, at(2026, 3, 3, 9, 0))
    batch = batch_build(0, 500)
    assert batch is not None
    forget_locally([first.pk, second.pk])
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    body = json.loads(json.dumps(batch.body))
    body["records"]["dossier"] = [
        d for d in body["records"]["dossier"] if d["id"] != str(second.pk)
    ]
    body["records"]["component"] = [
        c for c in body["records"]["component"] if c["dossier_id"] != str(second.pk)
    ]

    with pytest.raises(BatchRefusedError) as refused:
        batch_apply(node, body)
    assert refused.value.status == 409
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
    assert not Tally.objects.filter(unit_id=ward_center.pk).exists()
    node.refresh_from_db()
    assert node.acked_seq == 0
    # The connection is usable and the whole batch goes in when it is sent right.
    assert batch_apply(node, json.loads(json.dumps(batch.body))).acked == batch.last
    assert Dossier.objects.count() == 2


def test_a_node_cannot_change_a_dossier_the_hub_owns(
    as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, ward_case, applicant_in)
    batch = batch_build(0, 500)
    assert batch is not None
    DossierEvent.objects.filter(dossier=dossier)._raw_delete("default")  # type: ignore[attr-defined]
    Dossier.objects.filter(pk=dossier.pk).update(owner_node="hub")
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    with pytest.raises(BatchRefusedError) as refused:
        batch_apply(node, json.loads(json.dumps(batch.body)))
    assert refused.value.status == 403
    assert "hub" in str(refused.value)


def test_routing_to_a_provincial_agency_hands_the_dossier_to_the_hub(
    as_ward, desk_officer, ward_center, justice_case, justice, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, justice_case, applicant_in)
    assert dossier.owner_node == "ward-a"
    s.dossier_route(actor=desk_officer, dossier=dossier, at=at(2026, 3, 2, 9, 0))
    dossier.refresh_from_db()
    assert dossier.owner_node == "hub"
    with pytest.raises(TransitionError):
        s.dossier_route(actor=desk_officer, dossier=dossier)


def test_an_applicant_changed_on_both_sides_waits_for_a_manager(
    as_ward, desk_officer, manager, ward_center, ward_case, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, ward_case, applicant_in)
    first = batch_build(0, 500)
    assert first is not None
    applicant = dossier.applicant
    applicant.phone = "0912000111"
    applicant.save()  # changed on the node: logged with the version it started from
    second = batch_build(first.last, 500)
    assert second is not None and second.body["changes"][0]["model"] == "applicant"
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    DossierEvent.objects.filter(dossier=dossier)._raw_delete("default")  # type: ignore[attr-defined]
    batch_apply(node, json.loads(json.dumps(first.body)))
    # Meanwhile the hub has another phone number for the same person.
    Applicant.objects.filter(pk=applicant.pk).update(phone="0987654321")

    batch_apply(node, json.loads(json.dumps(second.body)))
    conflict = Conflict.objects.get()
    assert conflict.state == ConflictState.OPEN
    assert (conflict.ours["phone"], conflict.theirs["phone"]) == ("0987654321", "0912000111")
    assert Applicant.objects.get(pk=applicant.pk).phone == "0987654321"  # nothing overwritten

    conflict_settle(conflict, take_theirs=True, user=manager)
    assert Applicant.objects.get(pk=applicant.pk).phone == "0912000111"
    assert Conflict.objects.get().state == ConflictState.TAKEN


def test_an_applicant_changed_only_on_the_node_replaces_the_hubs(
    as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, ward_case, applicant_in)
    applicant = dossier.applicant
    before = snapshot(Applicant.objects.get(pk=applicant.pk))
    first = batch_build(0, 500)
    assert first is not None
    applicant.address = "12 Trần Phú"
    applicant.save()
    change = Change.objects.filter(model="applicant").order_by("-seq").first()
    assert change is not None
    assert change.base == digest(before)
    second = batch_build(first.last, 500)
    assert second is not None
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    DossierEvent.objects.filter(dossier=dossier)._raw_delete("default")  # type: ignore[attr-defined]
    batch_apply(node, json.loads(json.dumps(first.body)))
    Applicant.objects.filter(pk=applicant.pk).update(address=before["address"])

    batch_apply(node, json.loads(json.dumps(second.body)))
    assert Applicant.objects.get(pk=applicant.pk).address == "12 Trần Phú"
    assert not Conflict.objects.exists()


# -- signed requests ------------------------------------------------------------------------------


def post_signed(client: Client, node: str, secret: str, body: bytes, **headers: str) -> Any:
    signed = signing.sign(secret, node, "POST", "/sync/push", body)
    signed.update(headers)
    return client.post(
        "/sync/push",
        data=body,
        content_type="application/json",
        headers=signed,
    )


@pytest.fixture
def hub_node(settings: Any, ward_center: Any) -> Node:
    as_hub(settings)
    return Node.objects.create(node_id="ward-a", unit=ward_center)


def empty_batch(node: str = "ward-a") -> bytes:
    return json.dumps({"node": node, "first": 1, "last": 0, "events": [], "changes": []}).encode()


def test_a_signed_request_is_answered(client: Client, hub_node: Node) -> None:
    response = post_signed(client, "ward-a", hub_node.secret, empty_batch())
    assert response.status_code == 200, response.content
    assert response.json()["acked"] == 0


def test_a_refused_batch_is_answered_in_the_requests_language_and_kept_untranslated(
    client: Client, hub_node: Node
) -> None:
    early = json.dumps({"node": "ward-a", "first": 5, "last": 6, "events": [], "changes": []})
    answer = post_signed(
        client, "ward-a", hub_node.secret, early.encode(), **{"Accept-Language": "vi"}
    )
    assert answer.status_code == 409
    assert answer.json()["error"].startswith("Gói dữ liệu bắt đầu từ số 5")
    node = Node.objects.get(pk=hub_node.pk)
    assert node.last_error.startswith("The batch starts at %(first)s")
    assert node.last_error_params == {"first": "5", "mark": "0"}
    with translation.override("en"):
        assert node.last_error_text == "The batch starts at 5 but the hub has applied up to 0."
    with translation.override("vi"):
        assert node.last_error_text.startswith("Gói dữ liệu bắt đầu từ số 5")


def test_a_forged_request_is_refused(client: Client, hub_node: Node) -> None:
    response = post_signed(client, "ward-a", "not-the-secret", empty_batch())
    assert response.status_code == 401
    body = empty_batch()
    signed = signing.sign(hub_node.secret, "ward-a", "POST", "/sync/push", body)
    tampered = body.replace(b'"last": 0', b'"last": 9')
    response = client.post(
        "/sync/push", data=tampered, content_type="application/json", headers=signed
    )
    assert response.status_code == 401


def test_a_replayed_request_is_refused(client: Client, hub_node: Node) -> None:
    body = empty_batch()
    signed = signing.sign(hub_node.secret, "ward-a", "POST", "/sync/push", body)
    first = client.post("/sync/push", data=body, content_type="application/json", headers=signed)
    again = client.post("/sync/push", data=body, content_type="application/json", headers=signed)
    assert first.status_code == 200
    assert again.status_code == 409
    assert again.json()["error"]


def test_an_old_request_is_refused(client: Client, hub_node: Node, monkeypatch: Any) -> None:
    body = empty_batch()
    monkeypatch.setattr(signing.time, "time", lambda: 1_000_000.0)
    signed = signing.sign(hub_node.secret, "ward-a", "POST", "/sync/push", body)
    monkeypatch.undo()
    response = client.post("/sync/push", data=body, content_type="application/json", headers=signed)
    assert response.status_code == 401


def test_a_node_cannot_push_in_another_nodes_name(
    client: Client, hub_node: Node, ward_center: Any
) -> None:
    Node.objects.create(node_id="ward-b", unit=ward_center)
    response = post_signed(client, "ward-a", hub_node.secret, empty_batch(node="ward-b"))
    assert response.status_code == 403


def test_a_ward_node_does_not_answer_as_a_hub(client: Client, settings: Any) -> None:
    settings.NODE_ROLE = "ward"
    response = client.post("/sync/push", data=b"{}", content_type="application/json")
    assert response.status_code == 404


# -- what a ward pulls back ------------------------------------------------------------------------


class NoFiles:
    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no file should be fetched")


def test_the_ward_pulls_the_hubs_work_and_gets_the_dossier_back_to_return_it(
    as_ward,
    desk_officer,
    ward_center,
    justice_case,
    justice,
    justice_specialist,
    justice_approver,
    applicant_in,
) -> None:
    from sync.hub import pull_batch
    from sync.node import pulled_apply

    dossier = intake(desk_officer, ward_center, justice_case, applicant_in)
    s.dossier_route(actor=desk_officer, dossier=dossier, at=at(2026, 3, 2, 9, 0))
    dossier.refresh_from_db()
    assert dossier.owner_node == "hub"
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    ownership.forget()
    d = s.dossier_assign(actor=justice_approver, dossier=dossier, assignee=justice_specialist)
    d = s.dossier_resolve(actor=justice_approver, dossier=d, number="7/STP", at=at(2026, 3, 4, 9))
    assert d.owner_node == "ward-a"  # back to the ward, whose desk hands the result over
    counted = tallies(ward_center.pk)

    answer = json.loads(json.dumps(pull_batch(node, 0, 500)))
    hub_seqs = list(
        DossierEvent.objects.filter(node_id="hub").order_by("seq").values_list("seq", flat=True)
    )
    assert [e["seq"] for e in answer["events"]] == hub_seqs
    assert answer["last"] == hub_seqs[-1] and not answer["more"]
    assert [r["owner_node"] for r in answer["records"]["dossier"]] == ["ward-a"]

    # The ward as it was before the pull: the hub's events unknown, the hub owning it.
    DossierEvent.objects.filter(node_id="hub")._raw_delete("default")  # type: ignore[attr-defined]
    Dossier.objects.filter(pk=d.pk).update(owner_node="hub", status="processing")
    Tally.objects.filter(unit_id=ward_center.pk).delete()
    from reports.rebuild import tallies_rebuild

    as_ward.NODE_ROLE, as_ward.NODE_ID = "ward", "ward-a"
    tallies_rebuild()
    assert pulled_apply(NoFiles(), answer) == len(hub_seqs)  # type: ignore[arg-type]
    again = pulled_apply(NoFiles(), answer)  # type: ignore[arg-type]
    assert again == 0
    back = Dossier.objects.get(pk=d.pk)
    assert (back.owner_node, back.status) == ("ward-a", "resolved")
    assert tallies(ward_center.pk) == counted
    returned = s.dossier_return(
        actor=desk_officer, dossier=back, collected_by="Nguyễn Văn A", at=at(2026, 3, 5, 9)
    )
    assert returned.status == "returned"


def test_a_node_cannot_move_its_dossier_to_another_center(
    as_ward, desk_officer, ward_center, other_center, ward_case, applicant_in
) -> None:
    dossier = intake(desk_officer, ward_center, ward_case, applicant_in)
    first = batch_build(0, 500)
    assert first is not None
    as_hub(as_ward)
    node = Node.objects.create(node_id="ward-a", unit=ward_center)
    forget_locally([dossier.pk])
    batch_apply(node, json.loads(json.dumps(first.body)))
    # The node owns the dossier now; its next version names another center.
    moved = json.loads(json.dumps(first.body))
    moved["records"]["dossier"][0]["receiving_unit_id"] = str(other_center.pk)
    moved["first"] = moved["last"] = first.last + 1
    moved["events"] = [{**moved["events"][-1], "id": str(uuid7()), "seq": first.last + 1}]
    moved["changes"] = []
    with pytest.raises(BatchRefusedError) as refused:
        batch_apply(node, moved)
    assert refused.value.status == 403
    assert Dossier.objects.get(pk=dossier.pk).receiving_unit_id == ward_center.pk


class AcknowledgingHub:
    """Takes every batch as a hub would that applied it, and keeps what it was told."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []

    def json(
        self, method: str, path: str, payload: Any = None, *, packed: bytes = b""
    ) -> tuple[int, Any]:
        assert (method, path) == ("POST", "/sync/push")
        sent = json.loads(gzip.decompress(packed))  # what goes on the wire
        assert sent == json.loads(json.dumps(payload))
        self.batches.append(sent)
        count = payload["last"] - payload["first"] + 1
        return 200, {"acked": payload["last"], "applied": count, "skipped": 0}


def test_a_push_tells_the_hub_how_much_waits_behind_each_batch(
    settings, as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    for day in (2, 3, 4):
        intake(desk_officer, ward_center, ward_case, applicant_in, at(2026, 3, day, 9, 0))
    waiting = waiting_count()
    settings.SYNC_BATCH = 4
    hub = AcknowledgingHub()
    state = NodeState.get()
    assert push(hub, state) == waiting  # type: ignore[arg-type]
    told = [(b["first"], b["last"], b["backlog"]) for b in hub.batches]
    assert told == [(n, min(n + 3, waiting), max(0, waiting - n - 3)) for n in range(1, waiting, 4)]
    assert NodeState.get().acked_seq == waiting and waiting_count() == 0


def test_after_failed_rounds_a_push_sends_smaller_batches(
    settings, monkeypatch, as_ward, desk_officer, ward_center, ward_case, applicant_in
) -> None:
    for day in (2, 3, 4, 5, 6):
        intake(desk_officer, ward_center, ward_case, applicant_in, at(2026, 3, day, 9, 0))
    waiting = waiting_count()
    settings.SYNC_BATCH = 16
    monkeypatch.setattr("sync.node.MIN_BATCH", 2)
    state = NodeState.get()
    assert batch_limit(state) == 16
    state.failures = 2  # two rounds in a row were cut
    assert batch_limit(state) == 4
    state.failures = 9
    assert batch_limit(state) == 2  # never below the floor
    settings.SYNC_BATCH = 1
    assert batch_limit(state) == 1  # nor above a smaller SYNC_BATCH
    settings.SYNC_BATCH = 16

    state.failures = 2
    hub = AcknowledgingHub()
    assert push(hub, state) == waiting  # type: ignore[arg-type]
    sizes = [b["last"] - b["first"] + 1 for b in hub.batches]
    assert waiting > 8 and sum(sizes) == waiting
    assert sizes == [4] * (waiting // 4) + ([waiting % 4] if waiting % 4 else [])
