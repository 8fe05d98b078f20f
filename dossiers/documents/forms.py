"""What each printed form says, gathered from a dossier and its event log.

Every form is one template under ``dossiers/documents/`` fed by one builder
here. A builder reads only facts already recorded (the dossier's projection,
its papers and its events) and raises :class:`FormNotAvailable` when the
event the form documents never happened.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deadlines.calendar import calendar_for_unit
from deadlines.engine import classify
from dossiers.documents import wording as vi
from dossiers.documents.fonts import font_urls
from dossiers.models import Action, Dossier, DossierComponent, DossierEvent, Status
from units.models import Unit

FORMS: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}

# Where the citizen portal answers lookups; printed as a QR code on form 01.
LOOKUP_PATH = "/tra-cuu/"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class FormNotAvailable(ValueError):  # noqa: N818 - the public name of this API
    """The form does not apply to this dossier (or there is no such form)."""

    def __init__(self, number: str, message: str | Promise) -> None:
        super().__init__(message)
        self.number = number
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


_NOT_AVAILABLE: dict[str, Promise] = {
    "01": _("The dossier has not been accepted at the desk, so there is no receipt yet."),
    "02": _("No supplement was requested for this dossier."),
    "03": _("The dossier was not refused at reception."),
    "04": _("The deadline of this dossier was never extended."),
    "05": _("Processing of this dossier was not stopped."),
    "06": _("The dossier has not been accepted at the desk, so it has no control slip yet."),
}


# -- shared facts ----------------------------------------------------------------------------


def lookup_page() -> str:
    """The public lookup page of this installation."""
    base = getattr(settings, "PUBLIC_BASE_URL", "") or DEFAULT_BASE_URL
    return f"{str(base).rstrip('/')}{LOOKUP_PATH}"


def lookup_url(dossier: Dossier) -> str:
    """The public lookup address with the dossier's code and secret filled in."""
    query = urlencode({"code": dossier.code or "", "secret": dossier.lookup_secret})
    return f"{lookup_page()}?{query}"


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a data URI: one image, no file, no network.

    Four pixels per module: small enough to embed, big enough that a decoder
    reading the embedded image back out of the PDF finds every module.
    """
    return str(segno.make_qr(text, error="m").png_data_uri(scale=4, border=4))


# Where a long unit name is broken in the top-left corner: before the locality,
# so that "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" stays whole on the first line.
_LOCALITY_BREAK = re.compile(r" (?=(?:PHƯỜNG|XÃ(?! HỘI)|THỊ TRẤN|ĐẶC KHU|TỈNH|THÀNH PHỐ) )")
_ONE_LINE = 30  # capitals that fit the column on one line


def heading_lines(name: str) -> list[str]:
    """A unit's name in capitals, as the lines it is printed on in the header."""
    name = " ".join(name.split()).upper()
    breaks = [m.start() for m in _LOCALITY_BREAK.finditer(name)]
    if len(name) <= _ONE_LINE or not breaks:
        return [name] if name else []
    return [name[: breaks[-1]], name[breaks[-1] + 1 :]]


def _issuer(unit: Unit) -> dict[str, list[str]]:
    """The lines in the top-left corner: the governing body, then the unit."""
    parent = unit.parent
    return {
        "parent": heading_lines(parent.name_vi) if parent is not None else [],
        "name": heading_lines(unit.name_vi),
    }


def _applicant(dossier: Dossier) -> dict[str, str]:
    applicant = dossier.applicant
    return {
        "name": applicant.full_name,
        "honorific": vi.honorific(applicant),
        "id_label": vi.id_label(applicant),
        "id_number": applicant.id_number,
        "address": applicant.address,
        "phone": applicant.phone,
        "email": applicant.email,
        "representative": applicant.representative,
        "authorised_name": dossier.authorised_name,
        "authorised_id_number": dossier.authorised_id_number,
        "authorised_phone": dossier.authorised_phone,
    }


def _request(dossier: Dossier) -> dict[str, str]:
    """What the applicant asked for: the procedure and the case within it."""
    return {
        "procedure": dossier.procedure_version.name_vi,
        "case": dossier.case.name_vi,
        "time_limit": vi.time_limit(dossier.case),
    }


def _last(events: list[DossierEvent], action: str) -> DossierEvent | None:
    found = [e for e in events if e.action == action]
    return found[-1] if found else None


def _first(events: list[DossierEvent], action: str) -> DossierEvent | None:
    return next((e for e in events if e.action == action), None)


def _moment(value: dt.datetime | None) -> dict[str, str]:
    return {"time": vi.time_vn(value), "date": vi.date_vn(value)}


def _iso(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _actor(event: DossierEvent | None) -> str:
    if event is None:
        return ""
    if event.actor_name:
        return event.actor_name
    return event.actor.get_full_name() if event.actor is not None else ""


def _base(dossier: Dossier, number: str, issuer: Unit, dated: dt.datetime | None) -> dict[str, Any]:
    return {
        "number": number,
        "title": FORMS[number],
        "code": dossier.code or "",
        "issuer": _issuer(issuer),
        "issuer_name": issuer.name_vi,
        "date_line": vi.date_line(vi.place_name(issuer), dated) if dated else "",
        "applicant": _applicant(dossier),
        "request": _request(dossier),
        "received": _moment(dossier.received_at),
        "receiving_unit": dossier.receiving_unit.name_vi,
        "competent_unit": dossier.competent_unit.name_vi,
    }


# -- one builder per form --------------------------------------------------------------------


def _receipt(
    dossier: Dossier, events: list[DossierEvent], papers: list[DossierComponent]
) -> dict[str, Any]:
    receive = _first(events, Action.RECEIVE)
    if receive is None or dossier.received_at is None:
        raise FormNotAvailable("01", _NOT_AVAILABLE["01"])
    url = lookup_url(dossier)
    return {
        **_base(dossier, "01", dossier.receiving_unit, dossier.received_at),
        # A receipt printed again after a supplement lists every paper the
        # desk holds and, like the appointment below, is up to date.
        "papers": [
            {
                "name": p.name,
                "originals": p.originals,
                "copies": p.copies,
                "reused": p.reused,
                # Not dated: DossierComponent.received_at is the clock time of
                # the insert, not the moment the service recorded.
                "supplement": p.supplement,
            }
            for p in papers
        ],
        "sets": 1,
        "due": _moment(dossier.due_at),
        "channel": vi.CHANNELS.get(dossier.channel, ""),
        "return_channel": vi.RETURN_CHANNELS.get(
            dossier.return_channel or "direct", vi.RETURN_CHANNELS["direct"]
        ),
        "receiving_address": dossier.receiving_unit.address,
        "secret": dossier.lookup_secret,
        "lookup_url": url,
        "lookup_page": lookup_page(),
        "qr": qr_data_uri(url),
        "officer": _actor(receive),
    }


def _supplement(
    dossier: Dossier, events: list[DossierEvent], papers: list[DossierComponent]
) -> dict[str, Any]:
    event = _last(events, Action.REQUEST_SUPPLEMENT)
    if event is None:
        raise FormNotAvailable("02", _NOT_AVAILABLE["02"])
    unit = event.unit or dossier.receiving_unit
    items = event.data.get("items") or []
    return {
        **_base(dossier, "02", unit, event.at),
        "asked_at": _moment(event.at),
        "items": [str(item) for item in items],
        "reason": event.note.strip(),
        "asked_by": _actor(event),
        "asking_unit": unit.name_vi,
        "asking_phone": unit.phone,
    }


def _refusal(
    dossier: Dossier, events: list[DossierEvent], papers: list[DossierComponent]
) -> dict[str, Any]:
    event = _last(events, Action.REFUSE)
    if event is None:
        raise FormNotAvailable("03", _NOT_AVAILABLE["03"])
    reasons = event.data.get("reasons") or [line for line in event.note.splitlines() if line]
    submitted = _first(events, Action.SUBMIT)
    return {
        **_base(dossier, "03", event.unit or dossier.receiving_unit, event.at),
        "refused_at": _moment(event.at),
        "submitted": _moment(submitted.at if submitted else None),
        "reasons": [str(reason) for reason in reasons],
        "officer": _actor(event),
    }


def _apology(
    dossier: Dossier, events: list[DossierEvent], papers: list[DossierComponent]
) -> dict[str, Any]:
    event = _last(events, Action.EXTEND)
    if event is None:
        raise FormNotAvailable("04", _NOT_AVAILABLE["04"])
    receive = _first(events, Action.RECEIVE)
    old_due = _iso(event.data.get("old_due")) or (
        _iso(receive.data.get("due_at")) if receive else None
    )
    unit = event.unit or dossier.competent_unit
    return {
        **_base(dossier, "04", unit, event.at),
        "old_due": _moment(old_due),
        "new_due": _moment(_iso(event.data.get("new_due"))),
        "reason": event.note.strip(),
        "signer": _actor(event),
    }


def _stop(
    dossier: Dossier, events: list[DossierEvent], papers: list[DossierComponent]
) -> dict[str, Any]:
    event = _last(events, Action.STOP)
    if event is None:
        raise FormNotAvailable("05", _NOT_AVAILABLE["05"])
    unit = event.unit or dossier.competent_unit
    return {
        **_base(dossier, "05", unit, event.at),
        "stopped_at": _moment(event.at),
        "reason": event.note.strip(),
        "signer": _actor(event),
    }


def _event_note(event: DossierEvent) -> str:
    """The details worth a line on the control slip, besides the free note."""
    data = event.data or {}
    parts = [event.note.strip()] if event.note.strip() else []
    if event.action == Action.REQUEST_SUPPLEMENT and data.get("items"):
        parts.insert(0, "Cần bổ sung: " + "; ".join(str(i) for i in data["items"]))
    elif event.action == Action.RECEIVE_SUPPLEMENT and data.get("papers"):
        parts.append("Đã nhận: " + "; ".join(str(p) for p in data["papers"]))
    elif event.action == Action.ASSIGN and data.get("assignee"):
        parts.append(f"Giao cho: {data['assignee']}")
    elif event.action in {Action.REQUEST_FEES, Action.RECORD_PAYMENT} and data.get("amount"):
        parts.append(f"Số tiền: {int(data['amount']):,} đồng".replace(",", "."))
    elif event.action == Action.EXTEND and data.get("new_due"):
        parts.append(f"Hẹn lại: {vi.moment_vn(_iso(data['new_due']))}")
    elif event.action == Action.RESOLVE and data.get("number"):
        parts.append(f"Số văn bản: {data['number']}")
    elif event.action == Action.RETURN and data.get("collected_by"):
        parts.append(f"Người nhận: {data['collected_by']}")
    return ". ".join(parts)


def _result(dossier: Dossier) -> dict[str, str]:
    """The outcome line of the control slip."""
    if dossier.status in {Status.RESOLVED, Status.RETURNED} and dossier.due_at:
        finished = dossier.finished_at
        timing = classify(
            dossier.due_at, calendar_for_unit(dossier.receiving_unit), finished_at=finished
        )
        parts = [vi.RESULTS.get(dossier.result_outcome, "Đã có kết quả")]
        if dossier.result_number:
            parts.append(f"số {dossier.result_number}")
        if dossier.result_signed_on:
            parts.append(f"ngày {vi.date_vn(dossier.result_signed_on)}")
        return {"text": ", ".join(parts), "timing": vi.OUTCOMES[timing]}
    closed = {
        Status.STOPPED: "Dừng giải quyết",
        Status.WITHDRAWN: "Người nộp đã rút hồ sơ",
        Status.NOT_ACCEPTED: "Không tiếp nhận",
    }
    return {"text": closed.get(Status(dossier.status), "Đang giải quyết"), "timing": ""}


def _paused(dossier: Dossier) -> dict[str, str] | None:
    """While the clock stands still there is no due date to print, only since when and why.

    The working time that was left when it stopped runs again when the papers or the
    payment arrive; the new date is worked out then.
    """
    if not dossier.is_paused or dossier.paused_at is None:
        return None
    why, until = vi.PAUSES.get(dossier.status, ("", ""))
    left = ""
    if dossier.due_at is not None:
        calendar = calendar_for_unit(dossier.receiving_unit)
        minutes = calendar.working_minutes_between(dossier.paused_at, dossier.due_at)
        if minutes > 0:
            left = vi.working_time_vn(minutes, calendar.day_minutes)
    return {**_moment(dossier.paused_at), "why": why, "until": until, "left": left}


def _control_slip(
    dossier: Dossier, events: list[DossierEvent], papers: list[DossierComponent]
) -> dict[str, Any]:
    if dossier.received_at is None:
        raise FormNotAvailable("06", _NOT_AVAILABLE["06"])
    rows = [
        {
            "step": index,
            "unit": event.unit.name_vi if event.unit else "",
            "actor": _actor(event),
            "at": _moment(event.at),
            "action": vi.ACTIONS.get(event.action, event.action),
            "note": _event_note(event),
        }
        for index, event in enumerate(events, start=1)
    ]
    return {
        **_base(dossier, "06", dossier.receiving_unit, None),
        "rows": rows,
        "due": _moment(dossier.due_at),
        "paused": _paused(dossier),
        "result": _result(dossier),
        "returned": _moment(dossier.returned_at),
    }


_BUILDERS: dict[
    str,
    Callable[[Dossier, list[DossierEvent], list[DossierComponent]], dict[str, Any]],
] = {
    "01": _receipt,
    "02": _supplement,
    "03": _refusal,
    "04": _apology,
    "05": _stop,
    "06": _control_slip,
}


def _form_number(number: str) -> str:
    key = str(number).strip().zfill(2)
    if key not in FORMS:
        raise FormNotAvailable(str(number), _("There is no such form."))
    return key


def form_context(dossier: Dossier, number: str) -> dict[str, Any]:
    """Everything a form's template prints, read fresh from the database."""
    key = _form_number(number)
    fresh = Dossier.objects.select_related(
        "applicant",
        "case",
        "procedure_version",
        "receiving_unit__parent",
        "receiving_unit__province",
        "competent_unit__parent",
        "competent_unit__province",
    ).get(pk=dossier.pk)
    events = list(
        fresh.events.select_related("unit__parent", "unit__province", "actor").order_by("at", "seq")
    )
    papers = list(fresh.components.order_by("received_at", "id"))
    context = _BUILDERS[key](fresh, events, papers)
    context["fonts"] = font_urls()
    return context


def render_form_html(dossier: Dossier, number: str) -> str:
    """The form as an HTML document ready for WeasyPrint, always in Vietnamese."""
    context = form_context(dossier, number)
    with translation.override("vi"):
        return render_to_string(f"dossiers/documents/form_{context['number']}.html", context)
