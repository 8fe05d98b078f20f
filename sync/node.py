"""A ward node's side: push the log to the hub, pull back what the hub decided.

The node keeps working whatever the line does: everything is written locally
first and numbered in the node's log. A round (:func:`sync_round`) sends the
files the hub lacks, then the log in batches after the hub's acknowledged
mark, then pulls the reference tables, the hub's events on dossiers this
center received, and this center's bookings (taken on the hub, where the
portal is), so the kiosk checks them in while the line is down. Any failure
leaves the marks where the hub last confirmed them; the next round starts
from there.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gzip
import http.client
import json
import logging
import urllib.parse
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from dossiers.models import Applicant, DigitisedPaper, Dossier, DossierComponent, DossierEvent
from portal.models import Rating
from queueing.models import Appointment, AppointmentStatus, Slot, Ticket
from sync import counting, rows, signing
from sync.blobs import CHUNK_BYTES, blob_have, blob_store
from sync.hub import links_clean, records_upsert
from sync.log import FOLLOWED
from sync.models import Change, NodeState, SyncProblem
from sync.reference import reference_import
from sync.wire import decode, digest, encode, files_of

log = logging.getLogger(__name__)

MIN_BATCH = 50  # log entries: the smallest batch sent after rounds failed in a row


class SyncError(Exception):
    """The round stopped: ``problem`` says why in words, ``detail`` what was seen."""

    def __init__(self, problem: SyncProblem, detail: str = "") -> None:
        super().__init__(problem, detail)
        self.problem = problem
        self.detail = detail

    def __str__(self) -> str:
        # Read in the active language each time, as the status page reads it.
        label = str(self.problem.label)
        return f"{label} ({self.detail})" if self.detail else label


@dataclass
class Batch:
    first: int
    last: int
    body: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)  # sha256 -> storage name
    packed: bytes = b""  # the body as sent (see pack), once the push has made it


@dataclass
class Round:
    pushed: int = 0
    pulled: int = 0
    bookings: int = 0
    waiting: int = 0
    reference_rows: int = 0


def waiting_count(state: NodeState | None = None) -> int:
    """Entries of this node's log the hub has not acknowledged."""
    mark = (state or NodeState.get()).acked_seq
    me = settings.NODE_ID
    return (
        DossierEvent.objects.filter(node_id=me, seq__gt=mark).count()
        + Change.objects.filter(node_id=me, seq__gt=mark).count()
    )


def _newest_seq() -> int:
    me = settings.NODE_ID
    return max(
        DossierEvent.objects.filter(node_id=me).aggregate(newest=Max("seq"))["newest"] or 0,
        Change.objects.filter(node_id=me).aggregate(newest=Max("seq"))["newest"] or 0,
    )


# -- building a batch ---------------------------------------------------------------------------


def batch_build(after: int, limit: int) -> Batch | None:
    """The log after ``after`` (at most ``limit`` entries) and the records it names."""
    me = settings.NODE_ID
    events = rows.snapshots(
        DossierEvent.objects.filter(node_id=me, seq__gt=after).order_by("seq")[:limit]
    )
    changes = list(
        Change.objects.filter(node_id=me, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "model", "object_id", "base")[:limit]
    )
    seqs = sorted([*(e["seq"] for e in events), *(c[0] for c in changes)])[:limit]
    if not seqs:
        return None
    if seqs[0] != after + 1:
        raise SyncError(SyncProblem.LOG_GAP, f"#{after + 1}")
    last = after
    for seq in seqs:
        if seq != last + 1:
            break
        last = seq
    events = [e for e in events if e["seq"] <= last]
    changes = [c for c in changes if c[0] <= last]
    by_model: dict[str, set[Any]] = {label: set() for label in FOLLOWED}
    bases: dict[str, str] = {}
    for _seq, model, object_id, base in changes:
        by_model[model].add(object_id)
        bases.setdefault(str(object_id), base)

    tickets = rows.snapshots(Ticket.objects.filter(pk__in=by_model["ticket"]))
    ratings = rows.snapshots(Rating.objects.filter(pk__in=by_model["rating"]))
    dossier_ids = {e["dossier_id"] for e in events}
    linked = {t["dossier_id"] for t in tickets if t["dossier_id"]} | {
        r["dossier_id"] for r in ratings
    }
    dossier_ids |= set(
        Dossier.objects.filter(pk__in=linked, owner_node=me)
        .exclude(pk__in=dossier_ids)
        .values_list("pk", flat=True)
    )
    files: dict[str, str] = {}  # sha256 -> storage name
    dossiers = rows.snapshots(Dossier.objects.filter(pk__in=dossier_ids), files=files)
    components = rows.snapshots(
        DossierComponent.objects.filter(dossier_id__in=dossier_ids), files=files
    )
    papers = rows.snapshots(
        DigitisedPaper.objects.filter(
            Q(source_id__in=dossier_ids)
            | Q(pk__in={c["paper_id"] for c in components if c["paper_id"]})
        ),
        files=files,
    )
    applicant_ids = (
        {str(pk) for pk in by_model["applicant"]}
        | {d["applicant_id"] for d in dossiers}
        | {p["applicant_id"] for p in papers}
    )
    applicants = rows.snapshots(Applicant.objects.filter(pk__in=applicant_ids))
    for snap in applicants:
        # Unchanged here: its base is itself, so the hub keeps a newer version it has.
        snap["_base"] = bases[snap["id"]] if snap["id"] in bases else digest(snap)

    records = {
        "applicant": applicants,
        "dossier": dossiers,
        "component": components,
        "paper": papers,
        "ticket": tickets,
        "rating": ratings,
    }
    body = {
        "node": me,
        "first": after + 1,
        "last": last,
        "events": events,
        "changes": [
            {"seq": seq, "model": model, "id": str(object_id), "base": base}
            for seq, model, object_id, base in changes
        ],
        "records": records,
    }
    return Batch(first=after + 1, last=last, body=body, files=files)


# -- talking to the hub -------------------------------------------------------------------------


class Hub:
    """Signed requests to the hub; a connection error becomes a SyncError."""

    def __init__(self, url: str | None = None, secret: str | None = None) -> None:
        self.url = urllib.parse.urlsplit(url or settings.SYNC_HUB_URL)
        self.secret = secret or settings.SYNC_SECRET
        if not self.url.hostname:
            raise SyncError(SyncProblem.NO_HUB, "SYNC_HUB_URL")

    def call(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        full = self.url.path.rstrip("/") + path
        signed = signing.sign(self.secret, settings.NODE_ID, method, full, body)
        cls = (
            http.client.HTTPSConnection
            if self.url.scheme == "https"
            else http.client.HTTPConnection
        )
        connection = cls(self.url.hostname or "", self.url.port, timeout=settings.SYNC_TIMEOUT)
        try:
            connection.request(
                method, full, body=body or None, headers={**signed, **(headers or {})}
            )
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            raise SyncError(SyncProblem.UNREACHABLE, str(error) or type(error).__name__) from None
        finally:
            connection.close()

    def json(
        self, method: str, path: str, payload: Any = None, *, packed: bytes = b""
    ) -> tuple[int, Any]:
        """Send ``payload`` (or the ``packed`` body made of it already); the JSON answer."""
        body = packed or (pack(payload) if payload is not None else b"")
        headers = {}
        if body:
            headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        status, response_headers, data = self.call(method, path, body, headers)
        if response_headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        try:
            answer = decode(data) if data else {}
        except ValueError:
            raise SyncError(SyncProblem.BAD_ANSWER, f"HTTP {status}") from None
        return status, answer


def pack(payload: Any) -> bytes:
    """A request body as the hub reads it: JSON, gzip-compressed."""
    return gzip.compress(encode(payload), compresslevel=5)


def _refused(status: int, answer: Any) -> SyncError:
    message = answer.get("error") if isinstance(answer, dict) else None
    return SyncError(SyncProblem.REFUSED, f"HTTP {status}: {message or answer}")


def blobs_send(hub: Hub, files: dict[str, str]) -> int:
    """Send the files the hub lacks, each in resumable chunks; answers the bytes sent."""
    if not files:
        return 0
    status, answer = hub.json("POST", "/sync/blobs/missing", {"sha256": sorted(files)})
    if status != 200:
        raise _refused(status, answer)
    sent = 0
    for sha in answer.get("missing", []):
        name = files[sha]
        total = default_storage.size(name)
        offset = int(answer.get("held", {}).get(sha, 0))
        with default_storage.open(name, "rb") as handle:
            while offset < total:
                handle.seek(offset)
                chunk = handle.read(CHUNK_BYTES)
                code, _h, data = hub.call(
                    "PUT",
                    f"/sync/blobs/{sha}?offset={offset}&total={total}",
                    chunk,
                    {"Content-Type": "application/octet-stream"},
                )
                try:
                    reply = json.loads(data or b"{}")
                except ValueError:
                    raise SyncError(SyncProblem.BAD_ANSWER, f"HTTP {code}") from None
                if code not in (200, 409) or "held" not in reply:
                    raise _refused(code, reply)
                sent += len(chunk) if code == 200 else 0
                offset = int(reply["held"])
                if reply.get("done"):
                    break
    return sent


# -- a round ------------------------------------------------------------------------------------


def _post(hub: Hub, batch: Batch) -> tuple[int, Any]:
    status, answer = hub.json("POST", "/sync/push", batch.body, packed=batch.packed)
    if status == 409 and answer.get("missing"):
        blobs_send(hub, {sha: batch.files[sha] for sha in answer["missing"] if sha in batch.files})
        status, answer = hub.json("POST", "/sync/push", batch.body, packed=batch.packed)
    return status, answer


def batch_limit(state: NodeState) -> int:
    """Log entries a batch: ``SYNC_BATCH``, halved for each round in a row that failed.

    A line that keeps cutting long requests still lets short ones through, so a
    ward behind it catches up in small steps; the first round that succeeds
    goes back to full batches.
    """
    full = settings.SYNC_BATCH
    return max(min(MIN_BATCH, full), full >> min(state.failures, 6))


def push(hub: Hub, state: NodeState) -> int:
    """Batches after the hub's mark until the log is all acknowledged.

    While the hub applies one batch, the next is read from the database and packed, so the
    node's and the hub's work overlap; the next batch is thrown away and read
    again whenever the hub's answer moves the mark anywhere else than its start.
    """
    pushed = 0
    # The log is gap-free: what waits behind a batch is the newest number less its last.
    newest = _newest_seq()
    limit = batch_limit(state)

    def ahead_of(after: int) -> Batch | None:
        """The batch after ``after``, packed: sending it then waits for nothing."""
        batch = batch_build(after, limit)
        if batch is not None:
            batch.body["backlog"] = max(0, newest - batch.last)
            batch.packed = pack(batch.body)
        return batch

    ahead = ahead_of(state.acked_seq)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-push") as sender:
        while ahead is not None:
            batch = ahead
            blobs_send(hub, batch.files)
            answered = sender.submit(_post, hub, batch)
            try:
                ahead = ahead_of(batch.last)
            finally:
                status, answer = answered.result()
            if status not in (200, 409) or "acked" not in answer:
                raise _refused(status, answer)
            # 409 with a mark: the hub is elsewhere in the log (a file import got it ahead,
            # or it was restored from an older backup and needs the entries again).
            acked = int(answer["acked"])
            pushed += int(answer.get("applied", 0))
            state.acked_seq = acked
            state.save(update_fields=["acked_seq"])
            if acked != batch.last:
                ahead = ahead_of(acked)
    return pushed


def reference_pull(hub: Hub, state: NodeState) -> int:
    status, headers, data = hub.call(
        "GET", "/sync/reference", headers={"If-None-Match": state.reference_digest or "-"}
    )
    if status == 304:
        return 0
    if status != 200:
        raise SyncError(SyncProblem.REFUSED, f"HTTP {status}")
    if headers.get("content-encoding") == "gzip":
        data = gzip.decompress(data)
    rows = reference_import(data, settings.NODE_UNIT or headers.get("x-motcua-center", ""))
    state.reference_digest = headers.get("etag", "")
    state.save(update_fields=["reference_digest"])
    return rows


def pulled_apply(hub: Hub, answer: dict[str, Any]) -> int:
    """The hub's events on this center's dossiers, with those dossiers as the hub has them."""
    me = settings.NODE_ID
    records = answer.get("records", {})
    for snaps in records.values():
        for snap in snaps:
            for f in files_of(snap):
                if not blob_have(f["sha256"]):
                    status, _h, data = hub.call("GET", f"/sync/blobs/{f['sha256']}")
                    if status != 200:
                        raise SyncError(
                            SyncProblem.REFUSED, f"HTTP {status}: file {f['sha256'][:12]}"
                        )
                    blob_store(f["sha256"], data)
    events = answer.get("events", [])
    new: list[dict[str, Any]] = []
    with transaction.atomic():
        local = dict(
            Dossier.objects.filter(
                pk__in=[d["id"] for d in records.get("dossier", [])]
            ).values_list("pk", "owner_node")
        )
        # A dossier this node owns again is this node's to change; the hub's copy is older.
        taken = [d for d in records.get("dossier", []) if local.get(_uuid(d["id"])) != me]
        taken_ids = {d["id"] for d in taken}
        touched = {_uuid(e["dossier_id"]) for e in events}
        before = counting.lives_before(touched)
        records_upsert(Dossier, taken)
        papers = records.get("paper", [])
        known = {
            str(pk)
            for pk in Applicant.objects.filter(
                pk__in={p["applicant_id"] for p in papers}
            ).values_list("pk", flat=True)
        }
        records_upsert(DigitisedPaper, [p for p in papers if p["applicant_id"] in known])
        records_upsert(
            DossierComponent,
            [c for c in records.get("component", []) if c["dossier_id"] in taken_ids],
        )
        have = set(
            DossierEvent.objects.filter(
                node_id=settings.HUB_NODE_ID, seq__in=[e["seq"] for e in events]
            ).values_list("seq", flat=True)
        )
        new = [e for e in events if e["seq"] not in have]
        if new:
            links_clean(new, DossierEvent)
            rows.write(DossierEvent, new, update=False)
        counting.book_difference(before, touched)
    return len(new)


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


def pull(hub: Hub, state: NodeState) -> int:
    pulled = 0
    while True:
        status, answer = hub.json("GET", f"/sync/pull?after={state.pulled_seq}&limit=500")
        if status != 200:
            raise _refused(status, answer)
        pulled += pulled_apply(hub, answer)
        state.pulled_seq = max(state.pulled_seq, int(answer["last"]))
        state.save(update_fields=["pulled_seq"])
        if not answer.get("more"):
            return pulled


def bookings_apply(answer: dict[str, Any]) -> int:
    """This center's bookings and their slots as the hub has them; answers how many came.

    A booking checked in here stays checked in when the hub's copy still says
    booked: the hub learns of the check-in with the next push. A cancellation
    is the hub's to make and is taken as it comes. A slot this node made for the same
    hour as one of the hub's gives way to it (:func:`_own_slots_give_way`), and so does a
    booking it took for a phone the hub has a booking for (:func:`_own_bookings_give_way`).
    """
    slots = answer.get("slots", [])
    bookings = answer.get("appointments", [])
    with transaction.atomic():
        _own_slots_give_way(slots)
        records_upsert(Slot, slots)
        used_here = set(
            Appointment.objects.filter(
                pk__in=[b["id"] for b in bookings], status=AppointmentStatus.CHECKED_IN
            ).values_list("pk", flat=True)
        )
        for booking in bookings:
            if booking["status"] == AppointmentStatus.BOOKED and _uuid(booking["id"]) in used_here:
                booking["status"] = AppointmentStatus.CHECKED_IN
        _own_bookings_give_way(bookings)
        # In the hub's order: a phone's cancelled booking is written before its next one.
        records_upsert(Appointment, sorted(bookings, key=lambda b: int(b["revision"])))
    return len(bookings)


def _own_slots_give_way(slots: list[dict[str, Any]]) -> None:
    """Make room for the hub's ``slots`` where this node has a slot of its own for the same
    area, day and start (made before it took its bookings from the hub).

    The hub's slot wins: it holds the places the portal sells. The bookings in the node's
    slot move to the hub's, cancelled ones too, and the node's slot goes. Their holders
    were given a time and a code, and a center serves them rather than turn them away;
    they may fill that hour past the hub's capacity, but no more join them, since a ward
    that synchronises books nothing itself (``appointment_book`` refuses).
    """
    hubs = {
        (
            _uuid(s["area_id"]),
            dt.date.fromisoformat(s["day"]),
            dt.time.fromisoformat(s["starts_at"]),
        ): _uuid(s["id"])
        for s in slots
    }
    if not hubs:
        return
    own = Slot.objects.filter(
        area_id__in={area for area, _day, _start in hubs},
        day__in={day for _area, day, _start in hubs},
    ).exclude(pk__in=hubs.values())
    gone = []
    for pk, area, day, start in own.values_list("pk", "area_id", "day", "starts_at").order_by("pk"):
        hub_slot = hubs.get((area, day, start))
        if hub_slot is None:
            continue
        # The hub's slot is written just after, in this transaction: foreign keys are
        # checked at commit, so the bookings may name it first.
        Appointment.objects.filter(slot_id=pk).update(slot_id=hub_slot)
        gone.append(pk)
    Slot.objects.filter(pk__in=gone).delete()


def _own_bookings_give_way(bookings: list[dict[str, Any]]) -> None:
    """Keep one booking a phone, area and day where this node took one of its own (before it
    took its bookings from the hub) and the hub sends another: the rule of the portal.

    The node's booking, while only booked, is cancelled: its holder has the hub's booking
    for that day, with its own code and time. One already checked in stands, since the
    person has been served; the hub's booking is then kept here as cancelled. The hub
    hears of neither: the node's booking was never its, and the hub's copy stays as it is.
    """
    held = {
        (_uuid(b["area_id"]), dt.date.fromisoformat(b["day"]), b["phone"]): b
        for b in bookings
        if b["status"] != AppointmentStatus.CANCELLED
    }
    if not held:
        return
    own = (
        Appointment.objects.filter(
            area_id__in={area for area, _day, _phone in held},
            day__in={day for _area, day, _phone in held},
            phone__in={phone for _area, _day, phone in held},
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .exclude(pk__in=[_uuid(b["id"]) for b in bookings])
    )
    superseded = []
    for pk, area, day, phone, status in own.values_list("pk", "area_id", "day", "phone", "status"):
        booking = held.get((area, day, phone))
        if booking is None:
            continue
        if status == AppointmentStatus.BOOKED:
            superseded.append(pk)
        else:
            booking["status"] = AppointmentStatus.CANCELLED
    Appointment.objects.filter(pk__in=superseded).update(status=AppointmentStatus.CANCELLED)


def bookings_pull(hub: Hub, state: NodeState) -> int:
    pulled = 0
    while True:
        status, answer = hub.json(
            "GET", f"/sync/bookings?after={state.bookings_pulled}&limit={settings.SYNC_BATCH}"
        )
        if status != 200:
            raise _refused(status, answer)
        pulled += bookings_apply(answer)
        state.bookings_pulled = max(state.bookings_pulled, int(answer["last"]))
        state.save(update_fields=["bookings_pulled"])
        if not answer.get("more"):
            return pulled


@contextmanager
def one_round_at_a_time() -> Iterator[None]:
    """The background loop and a "sync now" never push the same batch side by side."""
    path = Path(settings.VAR_DIR) / "sync.lock"
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_round(*, hub: Hub | None = None) -> Round:
    """Push, then pull; the state records the outcome either way."""
    result = Round()
    with one_round_at_a_time():
        state = NodeState.get()
        state.last_attempt_at = timezone.now()
        state.requested_at = None
        state.save(update_fields=["last_attempt_at", "requested_at"])
        try:
            hub = hub or Hub()
            result.pushed = push(hub, state)
            result.reference_rows = reference_pull(hub, state)
            result.pulled = pull(hub, state)
            result.bookings = bookings_pull(hub, state)
        except SyncError as error:
            state.last_problem = error.problem
            state.last_error = error.detail
            state.failures += 1
            state.save(update_fields=["last_problem", "last_error", "failures"])
            raise
        finally:
            result.waiting = waiting_count(state)
        state.last_problem = state.last_error = ""
        state.failures = 0
        state.last_success_at = timezone.now()
        state.save(update_fields=["last_problem", "last_error", "failures", "last_success_at"])
    return result
