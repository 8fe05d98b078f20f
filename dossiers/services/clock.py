"""What stops and moves the clock: supplements, fees, extensions with a new date, and the
papers an applicant sends online when a supplement is asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from accounts.models import User
from core.rows import rows_insert
from core.uploads import check_upload
from deadlines.calendar import calendar_for_unit
from dossiers.models import (
    Action,
    Channel,
    Dossier,
    DossierComponent,
    Status,
)
from dossiers.services.common import (
    DossierInputError,
    PaperIn,
    dossier_locked,
    due_moment,
    event_append,
    moment_or_now,
    papers_checked,
    projection_save,
)
from dossiers.workflow import check
from units.models import Unit


def _pause(
    dossier: Dossier,
    action: str,
    target: str,
    actor: User,
    at: dt.datetime,
    note: str,
    data: dict[str, Any],
) -> None:
    dossier.paused_at = at
    acting = (
        dossier.competent_unit if dossier.status == Status.PROCESSING else dossier.receiving_unit
    )
    event_append(
        dossier,
        action=action,
        to_status=target,
        actor=actor,
        at=at,
        unit=acting,
        note=note,
        data={**data, "resume_to": dossier.status},
    )


def _resume(
    dossier: Dossier, action: str, actor: User, at: dt.datetime, data: dict[str, Any]
) -> None:
    last_pause = (
        dossier.events.filter(action__in=[Action.REQUEST_SUPPLEMENT, Action.REQUEST_FEES])
        .order_by("-at", "-seq")
        .values_list("data", flat=True)
        .first()
    )
    target = (last_pause or {}).get("resume_to", Status.PROCESSING)
    event_append(
        dossier,
        action=action,
        to_status=target,
        actor=actor,
        at=at,
        unit=dossier.receiving_unit,
        data=data,
    )
    dossier.paused_at = None
    dossier.due_at = due_moment(dossier)


@transaction.atomic
def dossier_request_supplement(
    *,
    actor: User,
    dossier: Dossier,
    items: Sequence[str],
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Papers are missing (form 02): the clock stops until they arrive."""
    at = moment_or_now(at)
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise DossierInputError("items", _("Name the papers to add."))
    dossier = dossier_locked(dossier)
    check(actor, Action.REQUEST_SUPPLEMENT, dossier)
    _pause(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        Status.SUPPLEMENT_REQUESTED,
        actor,
        at,
        note,
        {"items": items},
    )
    projection_save(dossier, "paused_at")
    return dossier


@transaction.atomic
def dossier_receive_supplement(
    *, actor: User, dossier: Dossier, papers: Sequence[PaperIn], at: dt.datetime | None = None
) -> Dossier:
    """The missing papers arrived: the clock runs again and the due moment moves."""
    at = moment_or_now(at)
    if not papers:
        raise DossierInputError("papers", _("Record the papers handed in."))
    dossier = dossier_locked(dossier)
    check(actor, Action.RECEIVE_SUPPLEMENT, dossier)
    checklist = list(dossier.case.components.all())
    rows = papers_checked(dossier, papers, checklist, supplement=True, at=at)
    rows_insert(_uploads_received(dossier, rows))
    _resume(dossier, Action.RECEIVE_SUPPLEMENT, actor, at, {"papers": [p.name for p in papers]})
    projection_save(dossier, "paused_at", "due_at")
    return dossier


def _uploads_received(dossier: Dossier, rows: list[DossierComponent]) -> list[DossierComponent]:
    """A paper the applicant already sent online is recorded on that upload, not again.

    Matched by name (and by file when the desk attached one); the rows left
    over are papers that came only to the counter.
    """
    waiting = supplement_uploads(dossier)
    fresh = []
    for row in rows:
        name = " ".join(row.name.split())
        upload = next(
            (
                u
                for u in waiting
                if " ".join(u.name.split()) == name and (not row.sha256 or row.sha256 == u.sha256)
            ),
            None,
        )
        if upload is None:
            fresh.append(row)
            continue
        waiting.remove(upload)
        upload.component = row.component
        upload.originals = row.originals
        upload.copies = row.copies
        upload.paper_id = row.paper_id or upload.paper_id
        upload.save(update_fields=["component", "originals", "copies", "paper"])
    return fresh


@transaction.atomic
def dossier_request_fees(
    *, actor: User, dossier: Dossier, amount: int, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    at = moment_or_now(at)
    if amount <= 0:
        raise DossierInputError("amount", _("The amount must be more than 0 đồng."))
    dossier = dossier_locked(dossier)
    check(actor, Action.REQUEST_FEES, dossier)
    dossier.fees_due += amount
    _pause(dossier, Action.REQUEST_FEES, Status.FEES_REQUESTED, actor, at, note, {"amount": amount})
    projection_save(dossier, "paused_at", "fees_due")
    return dossier


@transaction.atomic
def dossier_record_payment(
    *,
    actor: User,
    dossier: Dossier,
    amount: int,
    receipt_number: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    check(actor, Action.RECORD_PAYMENT, dossier)
    owed = dossier.fees_due - dossier.fees_paid
    if amount != owed:
        raise DossierInputError(
            "amount",
            _("The amount owed is %(owed)s đồng.") % {"owed": f"{owed:,}".replace(",", ".")},
        )
    dossier.fees_paid += amount
    _resume(
        dossier, Action.RECORD_PAYMENT, actor, at, {"amount": amount, "receipt": receipt_number}
    )
    projection_save(dossier, "paused_at", "due_at", "fees_paid")
    return dossier


@transaction.atomic
def dossier_extend(
    *,
    actor: User,
    dossier: Dossier,
    new_due: dt.datetime,
    reason: str,
    unit: Unit | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """A new date agreed with an apology (form 04); the status does not change.

    ``unit`` is the agency that apologises (the one whose step ran late), by
    default the competent agency. The new date is a promise to the applicant:
    it must lie after ``at`` (now) and after the current due date, and inside
    the receiving center's working time (a working day, within its hours),
    where the result is handed over. A moment outside working time is refused
    with the end of that working day (or of the next one) as a suggestion.
    """
    at = moment_or_now(at)
    if not reason.strip():
        raise DossierInputError("reason", _("Say why the dossier needs more time."))
    if timezone.is_naive(new_due):
        new_due = timezone.make_aware(new_due)
    dossier = dossier_locked(dossier)
    check(actor, Action.EXTEND, dossier)
    calendar = calendar_for_unit(dossier.receiving_unit)

    def said(moment: dt.datetime) -> dict[str, str]:
        local = moment.astimezone(calendar.tz)
        return {
            "time": f"{local:%H:%M}",
            "date": f"{local:%d/%m/%Y}",
            "weekday": str(WEEKDAYS[local.weekday()]),
        }

    if new_due <= at:
        raise DossierInputError(
            "new_due",
            _("%(time)s on %(date)s has already passed: the new date must be later than now.")
            % said(new_due),
        )
    if dossier.due_at and new_due <= dossier.due_at:
        raise DossierInputError(
            "new_due",
            _("The new date must be later than the current due date, %(time)s on %(date)s.")
            % said(dossier.due_at),
        )
    local = new_due.astimezone(calendar.tz)
    working_day = calendar.is_working_day(local.date())
    clock = local.time()
    # A due moment may fall on the very end of a period (11:30, 17:00), as the engine's do.
    if not working_day or not any(start <= clock <= end for start, end in calendar.periods):

        def day_end(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, calendar.periods[-1][1], tzinfo=calendar.tz)

        if working_day:
            why = _("%(time)s is outside working hours (%(hours)s).") % {
                **said(new_due),
                "hours": ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in calendar.periods),
            }
            suggested = day_end(local.date())
        else:
            if local.date() in calendar.days_off:
                why = _("%(weekday)s %(date)s is a day off.") % said(new_due)
            else:
                why = _("%(weekday)s %(date)s is not a working day.") % said(new_due)
            suggested = day_end(calendar.next_working_start(local).date())
        floor = max(at, dossier.due_at) if dossier.due_at else at
        while suggested <= floor:
            suggested = day_end(calendar.next_working_start(suggested).date())
        raise DossierInputError(
            "new_due",
            " ".join(
                [
                    str(why),
                    _(
                        "Choose a moment in working time, for example %(time)s on "
                        "%(weekday)s %(date)s, the end of that working day."
                    )
                    % said(suggested),
                ]
            ),
        )
    event_append(
        dossier,
        action=Action.EXTEND,
        to_status=dossier.status,
        actor=actor,
        at=at,
        unit=unit or dossier.competent_unit,
        note=reason,
        data={
            "new_due": new_due.isoformat(),
            "old_due": dossier.due_at.isoformat() if dossier.due_at else None,
        },
    )
    dossier.due_at = due_moment(dossier) if dossier.paused_at is None else new_due
    projection_save(dossier, "due_at")
    return dossier


# -- papers the applicant sends online -------------------------------------------------------


def _applicant_owns(actor: User, dossier: Dossier) -> bool:
    filed_online = dossier.channel == Channel.ONLINE and dossier.created_by_id == actor.pk
    return filed_online or dossier.applicant.user_id == actor.pk


@transaction.atomic
def dossier_supplement_upload(
    *, actor: User, dossier: Dossier, upload: Any, name: str = "", at: dt.datetime | None = None
) -> DossierComponent:
    """A requested paper sent online by the applicant, kept for the desk to check.

    The scan is stored as a supplement paper of the dossier, once per sha256,
    so an upload retried on a weak line adds nothing. The status and the clock
    do not change here: the desk checks the papers and records them with
    :func:`dossier_receive_supplement`, which resumes the clock.
    Raises ``core.uploads.UploadRejectedError`` for a file that is not a scan.
    """
    at = moment_or_now(at)
    dossier = dossier_locked(dossier)
    if not _applicant_owns(actor, dossier):
        raise DossierInputError("dossier", _("Only the applicant may add papers to this dossier."))
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise DossierInputError("file", _("No papers are asked for on this dossier now."))
    checked = check_upload(upload)
    existing = dossier.components.filter(supplement=True, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    upload.name = f"{checked.sha256[:16]}.{checked.extension}"
    return DossierComponent.objects.create(
        dossier=dossier,
        name=" ".join(name.split())[:500] or _("Added paper"),
        file=upload,
        sha256=checked.sha256,
        supplement=True,
        received_at=at,
    )


def supplement_uploads(dossier: Dossier) -> list[DossierComponent]:
    """Papers the applicant sent online since the latest supplement request, for the desk."""
    asked = (
        dossier.events.filter(action=Action.REQUEST_SUPPLEMENT)
        .order_by("-at", "-seq")
        .values_list("at", flat=True)
        .first()
    )
    if asked is None:
        return []
    return list(
        dossier.components.filter(supplement=True, received_at__gte=asked)
        .exclude(file="")
        .order_by("received_at")
    )
