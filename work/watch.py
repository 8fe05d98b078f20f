"""The deadline watch: warn before a dossier is late, and draft the apology.

Run by ``manage.py worker`` every few minutes (see docs/decisions/0005). For
each dossier being worked on whose due moment is at most one working day
away, or already past, it

* warns the people responsible: the assigned specialist, the approvers of
  the competent agency and the managers of the receiving center;
* drafts form 04 (apology with a new date) for the agency whose step went
  over its budget, for a manager to approve.

Each dossier is handled in its own transaction, and the warning and the
draft are unique per dossier and due moment in the database: a second run
adds nothing, and a run that dies half-way is finished by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from deadlines.calendar import calendar_for_unit
from dossiers.models import Dossier, Status
from notify.dossier_messages import moment_text
from notify.models import Message, MessageChannel
from notify.outbox import enqueue_many
from units.models import Unit
from work.models import ApologyDraft, DeadlineWarning, WarningKind
from work.queue import soon_limit
from work.steps import StepReport, step_report

logger = logging.getLogger(__name__)

WATCHED = [Status.PROCESSING, Status.RECEIVED]


@dataclass
class WatchResult:
    checked: int = 0
    warned: int = 0
    drafted: int = 0


def _candidates(now: dt.datetime) -> Iterator[Any]:
    """Ids of dossiers due within a working day of ``now`` in their center's calendar."""
    centers = Unit.objects.filter(
        pk__in=Dossier.objects.filter(status__in=WATCHED).values("receiving_unit_id")
    )
    for center in centers:
        limit = soon_limit(calendar_for_unit(center), now)
        due = Dossier.objects.filter(
            receiving_unit=center, status__in=WATCHED, due_at__lte=limit
        ).order_by("due_at")
        yield from due.values_list("pk", flat=True)


def deadline_watch(*, now: dt.datetime | None = None) -> WatchResult:
    """Warn and draft for every dossier that needs it; safe to run again at any time."""
    now = now or timezone.now()
    result = WatchResult()
    for pk in list(_candidates(now)):
        with transaction.atomic():
            watch_dossier(pk, now, result)
    return result


def watch_dossier(pk: Any, now: dt.datetime, result: WatchResult) -> None:
    dossier = (
        Dossier.objects.select_related(
            "case", "receiving_unit", "competent_unit", "assignee", "procedure_version"
        )
        .filter(pk=pk, status__in=WATCHED)
        .first()
    )
    if dossier is None or dossier.due_at is None:
        return
    result.checked += 1
    kind = WarningKind.OVERDUE if now > dossier.due_at else WarningKind.DUE_SOON
    report = step_report(dossier, now=now)
    draft = _draft(dossier, report, now)
    if draft is not None:
        result.drafted += 1
    warning, created = DeadlineWarning.objects.get_or_create(
        dossier=dossier,
        kind=kind,
        due_at=dossier.due_at,
        defaults={"unit": report.charged_unit or dossier.competent_unit, "created_at": now},
    )
    if created:
        result.warned += 1
        notify_staff(dossier, warning, report, drafted=draft is not None)


def _new_due(dossier: Dossier, report: StepReport, now: dt.datetime) -> dt.datetime:
    """The date proposed to the applicant: the remaining steps' budgets from now on.

    At least one working day, and never before the current due moment.
    """
    assert dossier.due_at is not None
    calendar = calendar_for_unit(dossier.receiving_unit)
    lines = report.lines
    after = lines.index(report.current) + 1 if report.current in lines else len(lines)
    remaining = sum(line.budget for line in lines[after:])
    start = max(now, dossier.due_at)
    return calendar.add_working_minutes(start, max(remaining, calendar.day_minutes))


def _draft(dossier: Dossier, report: StepReport, now: dt.datetime) -> ApologyDraft | None:
    """Form 04 for the agency over its step budget, once per due moment; None if not new."""
    if report.charged is None or report.charged_unit is None:
        return None
    assert dossier.due_at is not None
    unit = report.charged_unit
    with translation.override("vi"):
        reason = _("The step “%(step)s” at %(unit)s needed more time than planned.") % {
            "step": report.charged.name,
            "unit": unit.name_vi,
        }
    draft, created = ApologyDraft.objects.get_or_create(
        dossier=dossier,
        due_at=dossier.due_at,
        defaults={
            "unit": unit,
            "step": report.charged.position,
            "step_name": report.charged.name,
            "new_due": _new_due(dossier, report, now),
            "reason": reason,
            "created_at": now,
        },
    )
    return draft if created else None


def responsible(dossier: Dossier) -> list[User]:
    """The assignee, the competent agency's approvers and the receiving center's managers."""
    people = User.objects.filter(is_active=True).filter(
        Q(assignments__unit=dossier.competent_unit, assignments__role=Role.APPROVER)
        | Q(assignments__unit=dossier.receiving_unit, assignments__role=Role.MANAGER)
    )
    found = {user.pk: user for user in people.distinct()}
    if dossier.assignee is not None and dossier.assignee.is_active:
        found.setdefault(dossier.assignee.pk, dossier.assignee)
    return sorted(found.values(), key=lambda user: user.username)


def _staff_text(
    dossier: Dossier, warning: DeadlineWarning, report: StepReport, drafted: bool
) -> str:
    code = dossier.code or ""
    facts = {
        "code": code,
        "procedure": dossier.procedure_version.name_vi,
        "due": moment_text(dossier.due_at),
        "link": settings.PUBLIC_BASE_URL + reverse("work:dossier", args=[code]),
    }
    if warning.kind == WarningKind.OVERDUE:
        text = _("Dossier %(code)s (%(procedure)s) is overdue since %(due)s.") % facts
    else:
        text = _("Dossier %(code)s (%(procedure)s) is due at %(due)s, in less than a working day.")
        text = text % facts
    if report.charged is not None and report.charged_unit is not None:
        text += " " + _("Step over its time limit: “%(step)s” at %(unit)s.") % {
            "step": report.charged.name,
            "unit": report.charged_unit.name_vi,
        }
    if drafted:
        text += " " + _("An apology with a new date (form 04) waits for approval.")
    return text + " " + facts["link"]


def notify_staff(
    dossier: Dossier, warning: DeadlineWarning, report: StepReport, *, drafted: bool
) -> None:
    """One message per person and channel, keyed by the warning: sent once."""
    with translation.override("vi"):
        text = _staff_text(dossier, warning, report, drafted)
        subject = (
            _("Overdue: dossier %(code)s")
            if warning.kind == WarningKind.OVERDUE
            else _("Due soon: dossier %(code)s")
        ) % {"code": dossier.code}
    rows = []
    for person in responsible(dossier):
        key = f"deadline:{warning.pk}:{person.pk}"
        if person.email:
            rows.append(
                Message(
                    key=f"{key}:email",
                    channel=MessageChannel.EMAIL,
                    to=person.email,
                    subject=f"[MotCua] {subject}",
                    body=text,
                    dossier=dossier,
                )
            )
        if person.phone:
            rows.append(
                Message(
                    key=f"{key}:sms",
                    channel=MessageChannel.SMS,
                    to=person.phone,
                    body=text,
                    dossier=dossier,
                )
            )
    enqueue_many(rows)
