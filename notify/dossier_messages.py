"""What the applicant is told when something happens to their dossier.

``messages_for_event`` is called by the dossier services for every event
they append, in the same transaction: a rolled-back action sends nothing,
and each event's messages are keyed by the event, so they go out once.
Texts are in Vietnamese whatever the language of the officer's page, and
carry the dossier code and the public lookup address.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dossiers.models import Action, ResultOutcome
from notify.models import Message, MessageChannel
from notify.outbox import enqueue_many

if TYPE_CHECKING:
    from dossiers.models import Dossier, DossierEvent

# The events the applicant hears about, and the name their messages' keys use.
KINDS: dict[str, str] = {
    Action.RECEIVE: "received",
    Action.REQUEST_SUPPLEMENT: "supplement",
    Action.REQUEST_FEES: "fees",
    Action.RESOLVE: "result",
    Action.EXTEND: "apology",
    Action.RETURN: "returned",
}
# An SMS listing many missing papers is cut here; the lookup page has them all.
SMS_ITEMS = 3


def lookup_link(dossier: Dossier) -> str:
    """The public lookup page with the code and the receipt's secret filled in."""
    query = urlencode({"code": dossier.code or "", "secret": dossier.lookup_secret})
    return f"{settings.PUBLIC_BASE_URL}{reverse('portal:lookup')}?{query}"


def moment_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} {local:%d/%m/%Y}"


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _items(event: DossierEvent, limit: int | None = None) -> str:
    items = [str(i) for i in (event.data or {}).get("items", [])]
    shown = items if limit is None else items[:limit]
    text = "; ".join(shown)
    return text + ("…" if len(shown) < len(items) else "")


def _amount(event: DossierEvent) -> str:
    return f"{int((event.data or {}).get('amount', 0)):,}".replace(",", ".")


def texts(kind: str, dossier: Dossier, event: DossierEvent) -> tuple[str, str, str]:
    """(SMS text, e-mail subject, e-mail body) for one event, in the active language."""
    center = dossier.receiving_unit.name_vi
    facts = {
        "code": dossier.code,
        "center": center,
        "procedure": dossier.procedure_version.name_vi,
        "due": moment_text(dossier.due_at),
        "link": lookup_link(dossier),
    }
    if kind == "received":
        sms = _("%(center)s received dossier %(code)s. Result due %(due)s. Track it: %(link)s")
        title = _("Dossier %(code)s received")
    elif kind == "supplement":
        facts["items"] = _items(event, SMS_ITEMS)
        sms = _(
            "Dossier %(code)s needs more papers: %(items)s. Please bring them to %(center)s. "
            "Track it: %(link)s"
        )
        title = _("Dossier %(code)s: papers to add")
    elif kind == "fees":
        facts["amount"] = _amount(event)
        sms = _(
            "Dossier %(code)s: please pay %(amount)s VND of fees at %(center)s. Track it: %(link)s"
        )
        title = _("Dossier %(code)s: fees to pay")
    elif kind == "result":
        refused = (event.data or {}).get("outcome") == ResultOutcome.REFUSED
        sms = (
            _("Dossier %(code)s has an answer with reasons; collect it at %(center)s. %(link)s")
            if refused
            else _("The result of dossier %(code)s is ready; collect it at %(center)s. %(link)s")
        )
        title = _("Dossier %(code)s: result ready")
    elif kind == "apology":
        facts["new_due"] = moment_text(_when((event.data or {}).get("new_due")))
        facts["agency"] = event.unit.name_vi if event.unit else dossier.competent_unit.name_vi
        sms = _(
            "%(agency)s apologises: dossier %(code)s is late. New date for the result: "
            "%(new_due)s. Track it: %(link)s"
        )
        title = _("Dossier %(code)s: apology and new date")
    else:
        facts["date"] = moment_text(event.at)
        sms = _("The result of dossier %(code)s was handed over on %(date)s. Thank you. %(link)s")
        title = _("Dossier %(code)s: result handed over")
    # The e-mail has room for every missing paper and the officer's note.
    full = {**facts, "items": _items(event)} if kind == "supplement" else facts
    body = _("Procedure: %(procedure)s") % facts + "\n\n" + sms % full
    if event.note.strip() and kind in {"supplement", "fees", "result", "apology"}:
        body += "\n\n" + _("Note: %(note)s") % {"note": event.note.strip()}
    return sms % facts, title % facts, body


def messages_for_event(dossier: Dossier, event: DossierEvent) -> None:
    """Queue the SMS and e-mail an applicant gets for ``event``, if any."""
    kind = KINDS.get(event.action)
    if kind is None or not dossier.code:
        return
    applicant = dossier.applicant
    phone = applicant.phone or dossier.authorised_phone
    email = applicant.email
    if not phone and not email:
        return
    with translation.override("vi"):
        sms, subject, body = texts(kind, dossier, event)
    key = f"dossier:{dossier.code}:{kind}:{event.node_id}-{event.seq}"
    rows = []
    if phone:
        rows.append(
            Message(
                key=f"{key}:sms", channel=MessageChannel.SMS, to=phone, body=sms, dossier=dossier
            )
        )
    if email:
        rows.append(
            Message(
                key=f"{key}:email",
                channel=MessageChannel.EMAIL,
                to=email,
                subject=f"[MotCua] {subject}",
                body=body,
                dossier=dossier,
            )
        )
    enqueue_many(rows)
