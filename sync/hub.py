"""The hub's side: apply a node's batch exactly once, and hand back what the node pulls.

A batch holds the node's log from ``first`` to ``last`` (its own sequence
numbers, gap-free) and the latest state of every record those entries name.
It is applied in one transaction with the node's row locked:

- entries at or below the node's acknowledged mark were applied already and
  are skipped, so a batch resent after a cut connection changes nothing;
- a batch that starts past the mark is refused: nothing may be skipped;
- every record must belong to the node's centre (a ward writes only its own
  dossiers, tickets and ratings, and only dossiers it owns), every file must
  already be in the blob store, or nothing is applied.

A ticket the ward's kiosk issued for a booking names the booking: the hub
then counts that booking as used. The ward takes its centre's bookings from
:func:`bookings_batch`, numbered by the hub's change count of that centre.

Applicants are shared by every centre: a node's version replaces the hub's
only when the node changed the version the hub has; otherwise both go to the
conflict list and the hub's stays until a manager chooses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from dossiers.models import Applicant, DigitisedPaper, Dossier, DossierComponent, DossierEvent
from portal.models import Rating
from queueing.models import Appointment, Slot, Ticket
from queueing.services import appointment_record_check_in
from sync import counting, rows
from sync.blobs import blob_missing
from sync.models import ApplicantAlias, Conflict, ConflictState, Node, translated
from sync.ownership import served_units
from sync.wire import digest, files_of, snapshot


class BatchRefusedError(Exception):
    """The batch cannot be applied; ``status`` is the HTTP answer to give.

    ``message`` is kept untranslated with its ``params``: the node is answered
    in the request's language, the hub's page later shows it in its reader's.
    """

    def __init__(
        self, status: int, message: str, params: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.params = params
        self.extra = extra

    def __str__(self) -> str:
        return translated(self.message, self.params)


@dataclass
class Applied:
    acked: int
    applied: int = 0
    skipped: int = 0


# -- applying a batch ---------------------------------------------------------------------------


def batch_apply(node: Node, batch: dict[str, Any]) -> Applied:
    """Apply ``batch`` from ``node`` once; answers the mark the node may forget up to."""
    try:
        first, last = int(batch["first"]), int(batch["last"])
        entries = sorted(
            [("event", e) for e in batch.get("events", [])]
            + [("change", c) for c in batch.get("changes", [])],
            key=lambda pair: int(pair[1]["seq"]),
        )
        records: dict[str, list[dict[str, Any]]] = batch.get("records", {})
    except (KeyError, TypeError, ValueError) as error:
        raise BatchRefusedError(
            400, gettext_noop("The batch is malformed: %(error)s"), {"error": str(error)}
        ) from None
    try:
        with transaction.atomic():
            locked = Node.objects.select_for_update().get(pk=node.pk)
            result = _apply_locked(locked, first, last, entries, records, batch)
    except IntegrityError as error:
        raise BatchRefusedError(
            409,
            gettext_noop("The batch does not fit the hub's data: %(error)s"),
            {"error": str(error)},
        ) from None
    return result


@contextlib.contextmanager
def _pipelined() -> Iterator[None]:
    """On PostgreSQL, the statements of the block are sent without waiting for each
    answer (psycopg's pipeline mode), so the server inserts while Python goes on.

    Foreign keys are checked at each statement instead of all at COMMIT, where
    nothing else could run beside them. A statement's error surfaces when the
    block ends, as Django's own error. Inside the block nothing may rely on a
    statement's row count (a model's ``save()`` does).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def _apply_locked(
    node: Node,
    first: int,
    last: int,
    entries: list[tuple[str, dict[str, Any]]],
    records: dict[str, list[dict[str, Any]]],
    batch: dict[str, Any],
) -> Applied:
    now = timezone.now()
    mark = node.acked_seq
    node.last_contact_at = now
    node.backlog = int(batch.get("backlog", node.backlog) or 0)
    if last <= mark:
        node.save(update_fields=["last_contact_at", "backlog"])
        return Applied(acked=mark, skipped=len(entries))
    if first > mark + 1:
        raise BatchRefusedError(
            409,
            gettext_noop("The batch starts at %(first)s but the hub has applied up to %(mark)s."),
            {"first": str(first), "mark": str(mark)},
            acked=mark,
        )
    fresh = [(kind, e) for kind, e in entries if int(e["seq"]) > mark]
    seqs = [int(e["seq"]) for _kind, e in fresh]
    if seqs != list(range(mark + 1, last + 1)):
        raise BatchRefusedError(
            400, gettext_noop("The batch has gaps or repeats in its sequence numbers.")
        )
    for _kind, entry in fresh:
        if entry.get("node_id", node.node_id) != node.node_id:
            raise BatchRefusedError(403, gettext_noop("A node may send only its own log."))

    units = served_units(node.unit)
    missing = blob_missing(
        f["sha256"] for snaps in records.values() for s in snaps for f in files_of(s)
    )
    if missing:
        raise BatchRefusedError(
            409, gettext_noop("Some files have not arrived yet."), missing=missing
        )

    events = [e for kind, e in fresh if kind == "event"]
    dossiers = records.get("dossier", [])
    touched = {str(e["dossier_id"]) for e in events}
    owners = {
        str(pk): owner
        for pk, owner in Dossier.objects.filter(
            pk__in=touched | {str(d["id"]) for d in dossiers}
        ).values_list("pk", "owner_node")
    }
    had = {uuid.UUID(pk) for pk in touched if pk in owners}
    before = counting.lives_before(had)

    aliases = _applicants_apply(node, records.get("applicant", []))
    _dossiers_check(node, units, dossiers, aliases, owners)
    # The dossiers of the batch are the centre's: their components and ratings need no query.
    vouched = {str(d["id"]) for d in dossiers}
    papers = _papers_kept(records.get("paper", []), aliases)
    for event in events:
        event["node_id"] = node.node_id
    writes: list[tuple[type[models.Model], list[dict[str, Any]], bool]] = [
        (Dossier, dossiers, True),
        (DigitisedPaper, papers, True),
        (
            DossierComponent,
            _rows_check(
                records.get("component", []), units, dossier_key="dossier_id", vouched=vouched
            ),
            True,
        ),
        (DossierEvent, events, False),
        (Ticket, _rows_check(records.get("ticket", []), units, unit_key="center_id"), True),
        (
            Rating,
            _rows_check(
                records.get("rating", []), units, dossier_key="dossier_id", vouched=vouched
            ),
            True,
        ),
    ]
    arriving = {Dossier: vouched, DigitisedPaper: {str(p["id"]) for p in papers}}
    for model, snaps, _update in writes:
        links_clean(snaps, model, arriving)
    arrived = list(
        counting.lives_in_batch(
            (d for d in dossiers if str(d["id"]) in touched and str(d["id"]) not in owners),
            events,
            records.get("component", []),
        )
    )
    named = counting.units_named(arrived)
    # Every read the writes depend on is done: on PostgreSQL they go out in a pipeline, and
    # the counting is worked out while the server inserts.
    with _pipelined():
        for model, snaps, update in writes:
            rows.write(model, snaps, update=update)
        counting.book_difference(before, had, arrived, named)
    _check_ins_apply(node, records.get("ticket", []))

    node.acked_seq = last
    node.last_batch_at = now
    node.events_applied += len(events)
    node.last_error = ""
    node.last_error_params = None
    node.save()
    return Applied(acked=last, applied=len(fresh), skipped=len(entries) - len(fresh))


def links_clean(
    snaps: list[dict[str, Any]],
    model: type[models.Model],
    arriving: Mapping[type[models.Model], Collection[str]] | None = None,
) -> None:
    """A nullable link to a row this side does not have (a node's local account, a paper
    of an older dossier) is dropped; names kept beside the link (actor_name) remain.
    ``arriving`` names rows of the same batch, not written yet, that links may point to."""
    for f in model._meta.concrete_fields:
        if not (isinstance(f, models.ForeignKey) and f.null):
            continue
        ids = {str(s[f.attname]) for s in snaps if s.get(f.attname)}
        if not ids:
            continue
        target = f.related_model
        assert not isinstance(target, str)
        have = set((arriving or {}).get(target, ())) & ids
        have |= {
            str(pk)
            for pk in target._default_manager.filter(pk__in=ids - have).values_list("pk", flat=True)
        }
        for snap in snaps:
            if snap.get(f.attname) and str(snap[f.attname]) not in have:
                snap[f.attname] = None


def records_upsert(model: type[models.Model], snaps: list[dict[str, Any]]) -> None:
    """Insert or overwrite rows as the snapshots have them, a few hundred per statement."""
    if not snaps:
        return
    links_clean(snaps, model)
    rows.write(model, snaps, update=True)


def _applicants_apply(node: Node, snaps: list[dict[str, Any]]) -> dict[str, str]:
    """Insert new applicants, update changed ones, list conflicting ones; answers id aliases."""
    aliases: dict[str, str] = {
        str(a.node_applicant_id): str(a.applicant_id)
        for a in ApplicantAlias.objects.filter(node_applicant_id__in=[s["id"] for s in snaps])
    }
    ids = [aliases.get(s["id"], s["id"]) for s in snaps]
    ours = {str(a.pk): a for a in Applicant.objects.filter(pk__in=ids)}
    by_number = {
        (a.kind, a.id_number): a
        for a in Applicant.objects.filter(
            id_number__in=[s["id_number"] for s in snaps if s.get("id_number")]
        )
    }
    writes: list[dict[str, Any]] = []
    for snap in snaps:
        base = snap.pop("_base", "")
        hub_id = aliases.get(snap["id"], snap["id"])
        current = ours.get(hub_id)
        if current is None and snap.get("id_number"):
            current = by_number.get((snap["kind"], snap["id_number"]))
            if current is not None and str(current.pk) != snap["id"]:
                ApplicantAlias.objects.get_or_create(
                    node_applicant_id=snap["id"], defaults={"applicant": current}
                )
                aliases[snap["id"]] = str(current.pk)
        if current is None:
            writes.append(snap)
            continue
        mine = snapshot(current)
        theirs = {**snap, "id": str(current.pk), "user_id": mine.get("user_id")}
        if digest(mine) == digest(theirs):
            continue
        if base and base == digest(mine):
            writes.append(theirs)  # the node changed the version the hub has
        elif not base and str(current.pk) == snap["id"]:
            writes.append(theirs)  # created on the node: the hub has it from that node
        elif base == digest(snap):
            continue  # the node did not change it: the hub's is newer
        else:
            Conflict.objects.create(
                node=node,
                model="applicant",
                object_id=current.pk,
                label=f"{current.full_name} ({current.masked_id})",
                ours=mine,
                theirs=theirs,
            )
    records_upsert(Applicant, writes)
    return aliases


def _dossiers_check(
    node: Node,
    units: set[uuid.UUID],
    snaps: list[dict[str, Any]],
    aliases: dict[str, str],
    owners: dict[str, str],
) -> None:
    """Refuse dossiers the node may not write (``owners`` has the owner node of those the
    hub has); point the others at the hub's applicants."""
    centre = {str(pk) for pk in units}
    for snap in snaps:
        owner = owners.get(str(snap["id"]))
        # A dossier's receiving unit never changes: one the node owns stays its centre's too.
        if str(snap["receiving_unit_id"]) not in centre:
            raise BatchRefusedError(
                403, gettext_noop("A node may send only dossiers its center received.")
            )
        if owner is not None and owner != node.node_id:
            raise BatchRefusedError(
                403,
                gettext_noop("Dossier %(code)s is owned by %(owner)s, not by this node."),
                {"code": str(snap.get("code")), "owner": str(owner)},
            )
        snap["applicant_id"] = aliases.get(snap["applicant_id"], snap["applicant_id"])


def _rows_check(
    snaps: list[dict[str, Any]],
    units: set[uuid.UUID],
    *,
    dossier_key: str = "",
    unit_key: str = "",
    vouched: Collection[str] = (),
) -> list[dict[str, Any]]:
    """``snaps``, if they are rows of the node's centre; a row's dossier in ``vouched`` was
    checked already."""
    if not snaps:
        return snaps
    centre = {str(pk) for pk in units}
    if unit_key and any(str(s[unit_key]) not in centre for s in snaps):
        raise BatchRefusedError(403, gettext_noop("A node may send only its own center's records."))
    if dossier_key:
        ids = {str(s[dossier_key]) for s in snaps}.difference(vouched)
        owned = (
            Dossier.objects.filter(pk__in=ids, receiving_unit_id__in=units).count() if ids else 0
        )
        if owned != len(ids):
            raise BatchRefusedError(
                403, gettext_noop("A node may send only its own center's records.")
            )
    return snaps


def _check_ins_apply(node: Node, tickets: list[dict[str, Any]]) -> None:
    """The bookings the node's tickets name are used; only its own center's bookings.

    Runs after the tickets are written (a booking the hub does not know was
    dropped from them there) and last, since it takes the center's booking count.
    """
    ids = {t["appointment_id"] for t in tickets if t.get("appointment_id")}
    if not ids:
        return
    if Appointment.objects.filter(pk__in=ids).exclude(area__center_id=node.unit_id).exists():
        raise BatchRefusedError(
            403, gettext_noop("A node may check in only its own center's bookings.")
        )
    appointment_record_check_in(appointment_ids=ids)


def _papers_kept(snaps: list[dict[str, Any]], aliases: dict[str, str]) -> list[dict[str, Any]]:
    for snap in snaps:
        snap["applicant_id"] = aliases.get(snap["applicant_id"], snap["applicant_id"])
    # The same paper may reach the hub from two nodes under two ids: keep the first.
    have = set(
        DigitisedPaper.objects.filter(
            applicant_id__in={s["applicant_id"] for s in snaps}
        ).values_list("applicant_id", "sha256", "id")
    )
    taken = {(str(a), s): str(i) for a, s, i in have}
    return [s for s in snaps if taken.get((s["applicant_id"], s["sha256"]), s["id"]) == s["id"]]


# -- settling a conflict ------------------------------------------------------------------------


def conflict_settle(conflict: Conflict, *, take_theirs: bool, user: Any) -> Conflict:
    """Keep the hub's version or take the node's; either way the conflict is closed."""
    with transaction.atomic():
        conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.state != ConflictState.OPEN:
            return conflict
        if take_theirs and conflict.model == "applicant":
            records_upsert(Applicant, [dict(conflict.theirs)])
        conflict.state = ConflictState.TAKEN if take_theirs else ConflictState.KEPT
        conflict.settled_at = timezone.now()
        conflict.settled_by = user
        conflict.save()
    return conflict


# -- what a node pulls --------------------------------------------------------------------------


def pull_batch(node: Node, after: int, limit: int) -> dict[str, Any]:
    """The hub's own events on dossiers the node's center received, after ``after``."""
    units = served_units(node.unit)
    # Read first: every event numbered up to here has committed (numbers are
    # taken under a row lock held to commit), so none can be passed over.
    newest = (
        DossierEvent.objects.filter(node_id=settings.HUB_NODE_ID)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    events = rows.snapshots(
        DossierEvent.objects.filter(
            node_id=settings.HUB_NODE_ID, seq__gt=after, dossier__receiving_unit_id__in=units
        ).order_by("seq")[:limit]
    )
    dossier_ids = {e["dossier_id"] for e in events}
    dossiers = Dossier.objects.filter(pk__in=dossier_ids)
    components = DossierComponent.objects.filter(dossier_id__in=dossier_ids)
    papers = DigitisedPaper.objects.filter(source_id__in=dossier_ids)
    return {
        **_page(after, [e["seq"] for e in events], limit, newest),
        "events": events,
        "records": {
            "dossier": rows.snapshots(dossiers),
            "component": rows.snapshots(components),
            "paper": rows.snapshots(papers),
        },
    }


def _page(after: int, numbers: list[int], limit: int, newest: int | None) -> dict[str, Any]:
    """Where a page of changes after ``after`` leaves the node's mark: at its last change,
    or, when nothing more is coming for the node, past every newer number the hub has
    (changes that are not the node's, or that it does not need)."""
    last = numbers[-1] if numbers else after
    if len(numbers) < limit:
        last = max(last, newest or 0)
    return {"after": after, "last": last, "more": len(numbers) == limit}


def bookings_batch(
    node: Node, after: int, limit: int, *, at: dt.datetime | None = None
) -> dict[str, Any]:
    """The bookings of the node's center changed after ``after``, with their slots.

    Cancellations come as bookings whose status says so. Bookings for a day
    already past are left out: no kiosk checks them in any more.
    """
    bookings = Appointment.objects.filter(area__center_id=node.unit_id)
    # Read first: every number up to here has committed (see _revision in
    # queueing.services.bookings), so the mark may move past the center's numbers that
    # the day filter leaves out.
    newest = bookings.order_by("-revision").values_list("revision", flat=True).first()
    coming = bookings.filter(revision__gt=after, day__gte=timezone.localdate(at))
    changed = rows.snapshots(coming.order_by("revision")[:limit])
    slots = Slot.objects.filter(pk__in={b["slot_id"] for b in changed}).order_by("pk")
    return {
        **_page(after, [b["revision"] for b in changed], limit, newest),
        "slots": rows.snapshots(slots),
        "appointments": changed,
    }
