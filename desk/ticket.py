"""The queue ticket an officer is serving, shown at the top of the desk pages.

The queue lives in the ``queueing`` app; the desk only reads the officer's
current ticket and, once a dossier is received for its holder, links the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.urls import reverse

from accounts.models import User
from dossiers.models import Dossier
from queueing import services as queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CurrentTicket:
    number: str
    service: str
    counter: str
    url: str


def current_ticket(user: User) -> CurrentTicket | None:
    """The ticket called to, or served at, this officer's counter; None when there is none."""
    ticket = queue.current_ticket(user)
    if ticket is None:
        return None
    return CurrentTicket(
        number=str(ticket.number),
        service=ticket.area.name if ticket.area_id else "",
        counter=str(ticket.counter.number) if ticket.counter else "",
        url=reverse("queueing:counter"),
    )


def ticket_link(user: User, dossier: Dossier) -> None:
    """Link the ticket being served to the dossier received for its holder, when there is one."""
    ticket = queue.current_ticket(user)
    if ticket is None or ticket.dossier_id is not None:
        return
    try:
        queue.ticket_link_dossier(ticket=ticket, dossier=dossier, actor=user)
    except queue.QueueError as error:  # the dossier is received either way
        log.warning("ticket %s not linked to %s: %s", ticket.pk, dossier.code, error)
