"""A dossier's history and next step in words a citizen reads without a glossary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dossiers.access import NOT_PUBLIC
from dossiers.models import Action, Channel, Dossier, DossierEvent, Status

SAID: dict[str, Promise] = {
    Action.CREATE: _("The dossier was started."),
    Action.SUBMIT: _("The dossier was filed online. The desk will check the papers."),
    Action.RECEIVE: _(
        "The one-stop desk accepted the dossier. The processing time counts in working hours "
        "from its reception, up to the appointment date."
    ),
    Action.REFUSE: _("The desk did not accept the dossier."),
    Action.ROUTE: _("The dossier was sent to the agency that decides."),
    Action.ASSIGN: _("An officer of the agency is working on it."),
    # Steps inside the agency, named by value so the map does not depend on them existing.
    "forward": _("The dossier moved to the next step at the agency."),
    "propose": _("A result was drafted and waits for approval."),
    "send_back": _("The draft result was sent back for another look."),
    Action.REQUEST_SUPPLEMENT: _("Papers are missing. The clock stops until they arrive."),
    Action.RECEIVE_SUPPLEMENT: _("The desk accepted the added papers. The clock runs again."),
    Action.REQUEST_FEES: _("Fees must be paid. The clock stops until they are."),
    Action.RECORD_PAYMENT: _("The payment was recorded. The clock runs again."),
    Action.STOP: _("Processing was stopped."),
    Action.WITHDRAW: _("The dossier was withdrawn at the applicant's request."),
    Action.RESOLVE: _("The agency has decided; the result waits to be handed over."),
    Action.EXTEND: _("The agency needs more time and set a new date, with an apology."),
    Action.RETURN: _("The result was handed over."),
}

NEXT: dict[str, Promise] = {
    Status.DRAFT: _("Finish the form and submit it."),
    Status.SUBMITTED: _(
        "Wait for the one-stop desk to check your dossier; you will get a message when it is "
        "accepted or if something is missing."
    ),
    Status.RECEIVED: _("Nothing to do for now. The dossier is being handled."),
    Status.PROCESSING: _("Nothing to do for now. The agency is working on your dossier."),
    Status.SUPPLEMENT_REQUESTED: _(
        "Add the papers asked for, here or at the desk. The clock waits for them."
    ),
    Status.FEES_REQUESTED: _("Pay the fees asked for at the desk. The clock waits for them."),
    Status.RESOLVED: _("The result is ready: collect it, or download it if it is electronic."),
    Status.RETURNED: _("Done. Tell us how the service was."),
    Status.NOT_ACCEPTED: _("The dossier is closed. You may file again with the papers named."),
    Status.STOPPED: _("The dossier is closed."),
    Status.WITHDRAWN: _("The dossier is closed."),
}


@dataclass(frozen=True)
class Line:
    at: Any
    title: str
    said: str
    details: list[str]


def history(dossier: Dossier, *, private: bool) -> list[Line]:
    """Each event in plain words; ``private`` adds the notes only the applicant may read.

    The draft's creation is shown only to a person who filed online: it is a step of
    the form they filled in, not of the dossier's handling. The public lookup also
    leaves out the agency's review of a draft result.
    """
    lines = []
    events = dossier.events.order_by("at", "seq").only("action", "at", "note", "data")
    if not private:
        events = events.exclude(action__in=NOT_PUBLIC)
    elif dossier.channel != Channel.ONLINE:
        events = events.exclude(action=Action.CREATE)
    for event in events:
        lines.append(
            Line(
                at=event.at,
                title=event.get_action_display(),
                said=str(SAID.get(event.action, "")),
                details=_details(event) if private else [],
            )
        )
    return lines


def _details(event: DossierEvent) -> list[str]:
    data = event.data or {}
    if event.action == Action.REQUEST_SUPPLEMENT:
        return [str(item) for item in data.get("items", [])] + ([event.note] if event.note else [])
    if event.action in {Action.REFUSE, Action.STOP, Action.EXTEND}:
        return [line for line in event.note.splitlines() if line.strip()]
    return []


def next_step(dossier: Dossier, *, sent: int = 0) -> str:
    """What the person does next; ``sent`` counts the papers already sent for a supplement."""
    if dossier.status == Status.SUPPLEMENT_REQUESTED and sent:
        return ngettext(
            "You sent %(n)s paper. The desk will check it and resume the clock; "
            "send more here if something asked for is still missing.",
            "You sent %(n)s papers. The desk will check them and resume the clock; "
            "send more here if something asked for is still missing.",
            sent,
        ) % {"n": sent}
    return str(NEXT.get(dossier.status, ""))


def supplement_items(dossier: Dossier) -> list[str]:
    """The papers asked for by the latest supplement request."""
    data = (
        dossier.events.filter(action=Action.REQUEST_SUPPLEMENT)
        .order_by("-at", "-seq")
        .values_list("data", flat=True)
        .first()
    )
    return [str(item) for item in (data or {}).get("items", [])]
