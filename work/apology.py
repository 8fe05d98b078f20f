"""Deciding on the apologies (form 04) the deadline watch drafts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from dossiers.documents import render_form_html
from dossiers.documents.pdf import html_to_pdf
from dossiers.models import Action
from dossiers.services import DossierInputError, dossier_extend
from dossiers.workflow import TRANSITIONS, TransitionError, may_act
from work.models import ApologyDraft, DraftState


def may_decide(user: User, draft: ApologyDraft) -> bool:
    """Whoever may extend the dossier's deadline: the center manager or the agency's approver."""
    return may_act(user, TRANSITIONS[Action.EXTEND], draft.dossier)


def _locked_draft(draft: ApologyDraft) -> ApologyDraft:
    locked = (
        ApologyDraft.objects.select_for_update().select_related("dossier", "unit").get(pk=draft.pk)
    )
    if locked.state != DraftState.DRAFT:
        raise DossierInputError("state", _("This apology was already decided."))
    return locked


@transaction.atomic
def apology_approve(
    *,
    actor: User,
    draft: ApologyDraft,
    new_due: dt.datetime,
    reason: str,
    at: dt.datetime | None = None,
) -> ApologyDraft:
    """Send the apology: the new date is recorded and the applicant is told (form 04)."""
    at = at or timezone.now()
    draft = _locked_draft(draft)
    dossier_extend(
        actor=actor, dossier=draft.dossier, new_due=new_due, reason=reason, unit=draft.unit, at=at
    )
    draft.state = DraftState.APPROVED
    draft.new_due = new_due
    draft.reason = reason.strip()
    draft.decided_by = actor
    draft.decided_at = at
    draft.save(update_fields=["state", "new_due", "reason", "decided_by", "decided_at"])
    return draft


@transaction.atomic
def apology_dismiss(
    *, actor: User, draft: ApologyDraft, at: dt.datetime | None = None
) -> ApologyDraft:
    """Not needed after all (the result came in time, say): nothing goes out."""
    draft = _locked_draft(draft)
    if not may_decide(actor, draft):
        raise TransitionError(
            _("You do not hold a role that may do this for this dossier's unit."), []
        )
    draft.state = DraftState.DISMISSED
    draft.decided_by = actor
    draft.decided_at = at or timezone.now()
    draft.save(update_fields=["state", "decided_by", "decided_at"])
    return draft


class _Preview(Exception):  # noqa: N818 - control flow, never seen outside this module
    def __init__(self, html: str) -> None:
        self.html = html


def apology_preview_pdf(
    *, actor: User, draft: ApologyDraft, at: dt.datetime | None = None
) -> bytes:
    """Form 04 as it would go out, without sending anything.

    The form is built from the event log, so the extension is recorded in a
    transaction that is then rolled back: the printed letter is exactly the
    one approval would produce, and nothing of it stays.
    """
    try:
        with transaction.atomic():
            extended = dossier_extend(
                actor=actor,
                dossier=draft.dossier,
                new_due=draft.new_due,
                reason=draft.reason,
                unit=draft.unit,
                at=at,
            )
            raise _Preview(render_form_html(extended, "04"))
    except _Preview as preview:
        return html_to_pdf(preview.html)
