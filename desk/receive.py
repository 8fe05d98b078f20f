"""The receive form read back from a request: applicant, procedure, case, checklist.

The page is one form that grows as the officer works (card scanned,
procedure picked, papers ticked); every post, by htmx or plain, sends all of
it, and :func:`receive_read` turns it into a :class:`Receive` to render or to
confirm. Nothing here changes data; scans are staged by the view beforehand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.http import QueryDict
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Case, Component, Procedure
from deadlines.calendar import calendar_for_unit
from deadlines.engine import TimeUnit, WorkCalendar, due_at
from deadlines.models import CalendarDay, DayKind
from desk.forms import ApplicantForm, card_data, with_values
from desk.models import StagedScan
from desk.services import PaperLine, staged_scans
from dossiers.idcard import IdCardError, parse_idcard
from dossiers.models import Applicant, ApplicantKind, DigitisedPaper
from dossiers.papers import paper_kind
from units.models import Level, Unit, UnitKind

MATCHES = 8
PAPERS_SHOWN = 30


@dataclass
class Line:
    component: Component
    handed: bool
    originals: int
    copies: int
    scan: StagedScan | None
    papers: list[DigitisedPaper]
    reuse: DigitisedPaper | None
    error: str = ""

    @property
    def key(self) -> str:
        return f"c-{self.component.pk}"

    @property
    def provided(self) -> bool:
        return self.handed or self.scan is not None or self.reuse is not None

    def paper_line(self) -> PaperLine:
        return PaperLine(
            name=self.component.name_vi,
            component=self.component,
            handed=self.handed,
            originals=self.originals,
            copies=self.copies,
            scan=self.scan,
            reuse=self.reuse,
        )


@dataclass
class Receive:
    token: str
    units: list[Unit]
    unit: Unit
    form: ApplicantForm
    qr: str = ""
    qr_error: str = ""
    card_read: bool = False
    known: Applicant | None = None
    known_papers: list[DigitisedPaper] = field(default_factory=list)
    new_applicant: bool = False
    procedure_q: str = ""
    matches: list[Procedure] = field(default_factory=list)
    procedure: Procedure | None = None
    cases: list[Case] = field(default_factory=list)
    case: Case | None = None
    wards: list[Unit] = field(default_factory=list)
    ward: Unit | None = None
    lines: list[Line] = field(default_factory=list)
    due: dt.datetime | None = None
    clock_note: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[Line]:
        return [line for line in self.lines if line.component.mandatory and not line.provided]


def _int(value: Any, default: int) -> int:
    try:
        return max(0, min(99, int(value)))
    except (TypeError, ValueError):
        return default


def _read_card(data: QueryDict, state: Receive) -> QueryDict:
    """Fill the applicant from the scanned QR text, or keep everything and say what is wrong."""
    try:
        card = parse_idcard(state.qr)
    except IdCardError as error:
        state.qr_error = error.message
        return data
    state.qr = ""
    state.card_read = True
    return with_values(data, card_data(card))


def _known_applicant(data: QueryDict, state: Receive) -> QueryDict:
    """Find the applicant by id number; fill in the contact details the desk already has."""
    number = "".join(data.get("a-id_number", "").split())
    kind = data.get("a-kind") or ApplicantKind.CITIZEN
    if not number or (
        kind == ApplicantKind.CITIZEN and not (number.isdigit() and len(number) == 12)
    ):
        return data
    state.known = Applicant.objects.filter(kind=kind, id_number=number).first()
    if state.known is None:
        state.new_applicant = True
        return data
    known = state.known
    state.known_papers = list(known.papers.all()[:PAPERS_SHOWN])
    values = {
        "full_name": known.full_name,
        "birth_date": known.birth_date.strftime("%d/%m/%Y") if known.birth_date else "",
        "sex": known.sex,
        "address": known.address,
        "phone": known.phone,
        "email": known.email,
        "representative": known.representative,
    }
    return with_values(data, {k: v for k, v in values.items() if v}, only_empty=True)


def _procedure(data: QueryDict, state: Receive) -> None:
    state.procedure_q = data.get("procedure_q", "").strip()[:200]
    code = data.get("pick") or data.get("procedure") or ""
    published = Procedure.objects.published().select_related("current_version")
    if state.procedure_q:
        state.matches = list(published.search(state.procedure_q).order_by("code")[:MATCHES])
    if code:
        state.procedure = (
            next((p for p in state.matches if p.code == code), None)
            or published.filter(code=code).first()
        )
    if state.procedure is None:
        return
    version = state.procedure.current_version
    assert version is not None
    state.cases = list(version.cases.order_by("position"))
    chosen = data.get("case", "")
    state.case = next((c for c in state.cases if str(c.pk) == chosen), None)
    if state.case is None and len(state.cases) == 1:
        state.case = state.cases[0]
    if version.level == Level.WARD:
        _ward(data, state)


def _ward(data: QueryDict, state: Receive) -> None:
    province = state.unit.province_id or state.unit.pk
    state.wards = list(
        Unit.objects.active()
        .filter(province_id=province, kind=UnitKind.WARD_COMMITTEE)
        .order_by("name_vi")
    )
    chosen = data.get("ward", "")
    state.ward = next((w for w in state.wards if str(w.pk) == chosen), None)
    if state.ward is None:
        own = state.unit.ward_committee()
        state.ward = next((w for w in state.wards if own and w.pk == own.pk), None)


def _lines(data: QueryDict, state: Receive, user: User, upload_errors: dict[str, str]) -> None:
    if state.case is None:
        return
    components = list(state.case.components.order_by("position"))
    fresh = data.get("checklist_case") != str(state.case.pk)
    scans = staged_scans(user, state.token)
    by_kind: dict[str, list[DigitisedPaper]] = {}
    if state.known is not None:
        kinds = {paper_kind(c.name_vi) for c in components}
        for paper in DigitisedPaper.objects.filter(applicant=state.known, kind__in=kinds):
            by_kind.setdefault(paper.kind, []).append(paper)
    for component in components:
        key = f"c-{component.pk}"
        papers = by_kind.get(paper_kind(component.name_vi), [])
        chosen = data.get(f"{key}-reuse", "")
        state.lines.append(
            Line(
                component=component,
                handed=not fresh and data.get(f"{key}-handed") == "on",
                originals=_int(data.get(f"{key}-originals"), component.originals),
                copies=_int(data.get(f"{key}-copies"), component.copies),
                scan=scans.get(key),
                papers=papers,
                reuse=next((p for p in papers if str(p.pk) == chosen), None),
                error=upload_errors.get(key, ""),
            )
        )


def receive_read(
    user: User,
    units: list[Unit],
    data: QueryDict | None,
    *,
    token: str,
    read_card: bool = False,
    upload_errors: dict[str, str] | None = None,
) -> Receive:
    """The whole form as posted (or empty for a new dossier)."""
    data = data if data is not None else QueryDict()
    chosen = data.get("unit", "")
    unit = next((u for u in units if str(u.pk) == chosen), units[0])
    state = Receive(token=token, units=units, unit=unit, form=ApplicantForm())
    state.qr = data.get("qr", "").strip()
    if state.qr and read_card:
        data = _read_card(data, state)
    data = _known_applicant(data, state)
    if data.get("a-full_name") is not None:
        state.form = ApplicantForm(data)
    _procedure(data, state)
    _lines(data, state, user, upload_errors or {})
    if state.case is not None:
        calendar, now = calendar_for_unit(unit), timezone.now()
        state.due = due_at(now, state.case.time_value, state.case.time_unit, calendar)
        state.clock_note = clock_note(unit, calendar, now, state.case)
    return state


def clock_note(unit: Unit, calendar: WorkCalendar, now: dt.datetime, case: Case) -> str:
    """Why a dossier of ``case`` received ``now`` is due later than it seems; "" when not.

    Officers otherwise wonder why a same-day procedure taken in on a holiday,
    or late in the afternoon, is due on another day.
    """
    start = calendar.next_working_start(now)
    if start == now:
        cutoff = calendar.same_day_cutoff
        if case.time_unit == TimeUnit.SAME_DAY and timezone.localtime(now).time() > cutoff:
            return _(
                "Received after %(cutoff)s: a same-day procedure is then due at the end of "
                "the next working day."
            ) % {"cutoff": cutoff.strftime("%H:%M")}
        return ""
    when = dateformat.format(timezone.localtime(start), "H:i, l d/m/Y")
    today = timezone.localtime(now, calendar.tz).date()
    if calendar.is_working_day(today):
        return _("Received outside working hours: the time counts from %(start)s.") % {
            "start": when
        }
    day = (
        CalendarDay.objects.filter(Q(unit=unit) | Q(unit__isnull=True), date=today)
        .filter(kind=DayKind.DAY_OFF)
        .order_by(F("unit").asc(nulls_last=True))  # the unit's own row wins
        .first()
    )
    if day is None:
        return _("Today is not a working day: the time counts from %(start)s.") % {"start": when}
    text = _("Today is a day off in the calendar (%(name)s): the time counts from %(start)s.")
    return text % {"name": day.name, "start": when}


def receive_check(state: Receive) -> bool:
    """Whether the form can be confirmed; what to fix goes into the state's errors."""
    valid = state.form.is_bound and state.form.is_valid()
    if not state.form.is_bound:
        state.errors.append(_("Scan the ID card or fill in the applicant."))
    elif not valid:
        state.errors.append(_("Check the applicant's details marked below."))
    if state.case is None:
        state.errors.append(
            _("Choose the procedure and its case.")
            if state.procedure is None
            else _("Choose the case of this procedure.")
        )
    if state.procedure is not None and state.wards and state.ward is None:
        state.errors.append(_("Choose the applicant's ward or commune."))
    for line in state.missing:
        line.error = line.error or _(
            "Required: tick it when handed over, attach a scan or reuse a digitised copy."
        )
    if state.missing:
        state.errors.append(
            _(
                "Papers still missing: %(names)s. Print the guide sheet for the citizen "
                "to come back with them."
            )
            % {"names": "; ".join(line.component.name for line in state.missing)}
        )
    if state.qr_error:
        state.errors.append(_("The ID card could not be read; see the message under the scan."))
    if any(line.error for line in state.lines if line.provided or not line.component.mandatory):
        state.errors.append(_("A scan was not kept; see the message in the checklist."))
    return valid and not state.errors
