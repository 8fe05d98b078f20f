"""The front desk: workspace, receiving at the counter, checking online filings, returns."""

from __future__ import annotations

import json
import mimetypes
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog.models import Procedure
from core.http import HtmxHttpRequest
from core.uploads import UploadRejectedError
from desk import services
from desk.access import (
    desk_required,
    desk_unit_ids,
    desk_units,
    dossier_for_desk,
    guide_sheet_required,
)
from desk.checking import AcceptForm, RefuseForm, SupplementForm
from desk.guide import guide_sheet, guide_sheet_pdf
from desk.handover import ReturnForm, code_from_scan
from desk.models import StagedScan
from desk.queries import SEARCH_LIMIT, search_dossiers, worklists
from desk.receive import Receive, receive_check, receive_read
from desk.supplement import supplement_lines
from desk.ticket import current_ticket, ticket_link
from dossiers.audit import access_record
from dossiers.documents import FormNotAvailable, render_form_pdf
from dossiers.models import AccessRecord, Action, DigitisedPaper, Dossier, Status
from dossiers.services import DossierInputError
from dossiers.workflow import TransitionError


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _file(field: Any, name: str) -> FileResponse:
    """A stored scan, shown in the browser (never as a page of this site: no sniffing)."""
    if not field:
        raise Http404
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    response = FileResponse(field.open("rb"), content_type=content_type, filename=name)
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# -- workspace -------------------------------------------------------------------------------


@desk_required
@require_GET
def index(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    ids = desk_unit_ids(user)
    context = {
        "desk_page": "index",
        "units": desk_units(user),
        "worklists": worklists(ids),
        "ticket": current_ticket(user),
        "query": "",
        "now": timezone.now(),
    }
    return render(request, "desk/index.html", context)


@desk_required
@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {
        "desk_page": "index",
        "query": query,
        "results": search_dossiers(desk_unit_ids(user), query),
        "limit": SEARCH_LIMIT,
    }
    if request.htmx:
        return render(request, "desk/index.html#results", context)
    ids = desk_unit_ids(user)
    context |= {"units": desk_units(user), "worklists": worklists(ids), "ticket": None}
    context["now"] = timezone.now()
    return render(request, "desk/index.html", context)


@desk_required
@require_POST
def route_all(request: HttpRequest) -> HttpResponse:
    """Send the received dossiers the workspace listed, each on its own."""
    user = _user(request)
    until = parse_datetime(request.POST.get("until", ""))
    if until is None or timezone.is_naive(until):
        until = timezone.now()
    done = services.desk_route_all(actor=user, unit_ids=desk_unit_ids(user), until=until)
    if done.sent:
        count = len(done.sent)
        text = ngettext(
            "%(count)d dossier was sent to its agency.",
            "%(count)d dossiers were sent to their agencies.",
            count,
        )
        messages.success(request, text % {"count": count})
    for refused, reason in done.refused:
        text = _("%(code)s was not sent: %(reason)s")
        messages.error(request, text % {"code": refused.code, "reason": reason})
    if not done.sent and not done.refused:
        messages.info(request, _("No received dossier was waiting to be sent."))
    return redirect("desk:index")


# -- receiving at the counter ----------------------------------------------------------------


def _stage_uploads(request: HttpRequest, token: str) -> dict[str, str]:
    """Keep every scan sent with the form; what was refused, by checklist line."""
    user, errors = _user(request), {}
    drop = request.POST.get("drop", "")
    if drop.startswith(("c-", "s-")):
        services.scan_discard(user=user, token=token, target=drop)
    for name in request.FILES:
        target = name.removesuffix("-scan")
        if not name.endswith("-scan") or not target.startswith(("c-", "s-")):
            continue
        try:
            upload = request.FILES.getlist(name)[-1]
            services.scan_stage(user=user, token=token, target=target, upload=upload)
        except UploadRejectedError as error:
            errors[target] = str(error)
    return errors


def _receive_partial(request: HtmxHttpRequest, state: Receive) -> HttpResponse | None:
    """The fragment an htmx request asked for, by the id of its target."""
    target = request.htmx.target or ""
    context = {"r": state, "max_mb": settings.MAX_UPLOAD_MB}
    if target == "applicant":
        response = render(request, "desk/receive.html#applicant", context)
        response["HX-Trigger"] = "desk-applicant"
        if state.card_read:
            # Next, what the card does not say: the phone, or else the procedure.
            phone = state.form["phone"].value()
            focus = "#procedure_q" if phone else "#id_a-phone"
            response["HX-Trigger-After-Settle"] = json.dumps({"desk-focus": focus})
        return response
    if target == "procedure-results":
        return render(request, "desk/receive.html#procedure_results", context)
    if target == "case-panel":
        return render(request, "desk/receive_case.html", context)
    line = next((li for li in state.lines if target == f"line-{li.component.pk}"), None)
    if line is not None:
        return render(request, "desk/receive.html#line", {**context, "line": line})
    return None


def _receive_confirm(request: HttpRequest, state: Receive) -> HttpResponse | None:
    """Receive the dossier, or leave what to fix in the state and return None."""
    if not receive_check(state):
        return None
    assert state.case is not None
    form = state.form
    try:
        done = services.desk_intake(
            actor=_user(request),
            token=state.token,
            unit=state.unit,
            case=state.case,
            applicant=form.applicant_in(),
            lines=[line.paper_line() for line in state.lines],
            ward=state.ward if state.wards else None,
            authorised_name=form.cleaned_data["authorised_name"],
            authorised_id_number=form.cleaned_data["authorised_id_number"],
            authorised_phone=form.cleaned_data["authorised_phone"],
        )
    except (DossierInputError, TransitionError) as error:
        state.errors.append(str(error.message))
        return None
    if done.again:
        messages.info(request, _("This form was already confirmed: here is the dossier it made."))
    else:
        ticket_link(_user(request), done.dossier)
    return redirect(done.url)


@desk_required
@require_http_methods(["GET", "POST"])
def receive(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    data = request.POST if request.method == "POST" else None
    token = services.form_token(data.get("token") if data else None)
    action = data.get("action", "update") if data else ""
    errors = _stage_uploads(request, token) if data else {}
    read_card = action == "read_qr" or (data is not None and not request.htmx)
    state = receive_read(
        user, desk_units(user), data, token=token, read_card=read_card, upload_errors=errors
    )
    if request.htmx and (partial := _receive_partial(request, state)) is not None:
        return partial
    if action == "confirm" and (done := _receive_confirm(request, state)) is not None:
        return done
    context = {"r": state, "desk_page": "receive", "max_mb": settings.MAX_UPLOAD_MB}
    context["ticket"] = current_ticket(user)
    return render(request, "desk/receive.html", context, status=422 if state.errors else 200)


@desk_required
@require_GET
def staged_scan(request: HttpRequest, pk: str) -> HttpResponseBase:
    scan = get_object_or_404(StagedScan, pk=pk, uploaded_by=_user(request))
    return _file(scan.file, scan.name)


@desk_required
@require_GET
def received(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_for_desk(_user(request), code)
    if dossier.received_at is None:
        return redirect("desk:dossier", code=code)
    return render(request, "desk/received.html", {"dossier": dossier, "desk_page": "receive"})


@desk_required
@require_GET
@xframe_options_sameorigin
def receipt_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Form 01, framed on the received page so it prints from there."""
    found = dossier_for_desk(_user(request), code, read=AccessRecord.Kind.FORM, detail="01")
    try:
        pdf = render_form_pdf(found, "01")
    except FormNotAvailable as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-mau-01.pdf"'
    return response


# -- one dossier -----------------------------------------------------------------------------


def _dossier_page(
    request: HttpRequest, found: Dossier, *, error: str = "", status: int = 200
) -> HttpResponse:
    events = list(found.events.order_by("at", "seq"))
    asked = any(e.action == Action.REQUEST_SUPPLEMENT for e in events)
    context = {"dossier": found, "events": events, "supplement_asked": asked, "error": error}
    context |= {"printed": request.GET.get("printed", ""), "sent": request.GET.get("sent", "")}
    return render(request, "desk/dossier.html", {**context, "desk_page": "index"}, status=status)


@desk_required
@require_GET
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    found = dossier_for_desk(_user(request), code, read=AccessRecord.Kind.PAGE)
    return _dossier_page(request, found)


@desk_required
@require_POST
def route(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    found = dossier_for_desk(user, code)
    try:
        services.desk_route(actor=user, dossier=found)
    except (DossierInputError, TransitionError) as exc:
        return _dossier_page(request, found, error=str(exc.message), status=409)
    return redirect(reverse("desk:dossier", args=[code]) + "?sent=1")


@desk_required
@require_GET
def paper(request: HttpRequest, pk: str) -> HttpResponseBase:
    """A digitised paper, for the desk that offers it for reuse.

    Any desk of the province finds a returning applicant by id number and is
    offered their papers instead of asking again, so it may open them too.
    """
    found = get_object_or_404(DigitisedPaper, pk=pk)
    access_record(
        user=_user(request),
        kind=AccessRecord.Kind.PAPER,
        applicant=found.applicant,
        detail=found.name,
    )
    return _file(found.file, found.name)


@desk_required
@require_GET
def dossier_paper(request: HttpRequest, code: str, pk: str) -> HttpResponseBase:
    user = _user(request)
    found = dossier_for_desk(user, code)
    component = next((c for c in found.components.all() if str(c.pk) == str(pk)), None)
    if component is None:
        raise Http404
    access_record(user=user, kind=AccessRecord.Kind.FILE, dossier=found, detail=component.name)
    return _file(component.file, component.name)


def _check_action(request: HttpRequest, found: Dossier, forms: dict[str, Any]) -> Any:
    """Run the action posted from the check page; the service's answer, or None."""
    action, user = request.POST.get("action"), _user(request)
    token = services.form_token(request.POST.get("token"))
    form = forms.get(action or "")
    if form is None or not form.is_valid():
        return None
    if action == "accept":
        note = form.cleaned_data["note"]
        return services.desk_accept(actor=user, token=token, dossier=found, note=note)
    if action == "supplement":
        items, note = form.item_names(), form.cleaned_data["note"]
        return services.desk_request_supplement(
            actor=user, token=token, dossier=found, items=items, note=note
        )
    reasons = form.reason_texts()
    return services.desk_refuse(actor=user, token=token, dossier=found, reasons=reasons)


@desk_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, code: str) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    found = dossier_for_desk(
        _user(request), code, read=AccessRecord.Kind.PAGE if data is None else None
    )
    action = data.get("action") if data else None
    forms: dict[str, Any] = {
        "accept": AcceptForm(data if action == "accept" else None),
        "supplement": SupplementForm(data if action == "supplement" else None, dossier=found),
        "refuse": RefuseForm(data if action == "refuse" else None),
    }
    error = ""
    if data is not None:
        try:
            if (done := _check_action(request, found, forms)) is not None:
                return redirect(done.url)
        except (DossierInputError, TransitionError) as exc:
            error = str(exc.message)
    elif found.status != Status.SUBMITTED:
        return redirect("desk:dossier", code=code)
    token = services.form_token(data.get("token") if data else None)
    context = {"dossier": found, "forms": forms, "error": error, "token": token}
    return render(request, "desk/check.html", context, status=422 if data else 200)


@desk_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    data = request.POST if request.method == "POST" else None
    found = dossier_for_desk(user, code, read=AccessRecord.Kind.PAGE if data is None else None)
    token = services.form_token(data.get("token") if data else None)
    errors = _stage_uploads(request, token) if data else {}
    lines = supplement_lines(found, data, user=user, token=token, errors=errors)
    error = ""
    ready = not any(line.error for line in lines)
    action = data.get("action") if data is not None else None
    # Papers asked for and not handed in: the officer confirms before the clock runs again.
    missing = [li for li in lines if not li.extra and not li.paper.provided]
    if action == "confirm" and ready and missing:
        context = {"dossier": found, "lines": lines, "token": token, "missing": missing}
        context |= {"desk_page": "index", "max_mb": settings.MAX_UPLOAD_MB}
        return render(request, "desk/supplement.html", context, status=422)
    if action in ("confirm", "confirm_missing") and ready:
        try:
            done = services.desk_receive_supplement(
                actor=user, token=token, dossier=found, lines=[li.paper for li in lines]
            )
            return redirect(done.url)
        except (DossierInputError, TransitionError) as exc:
            error = str(exc.message)
    context = {"dossier": found, "lines": lines, "token": token, "error": error}
    context |= {"desk_page": "index", "max_mb": settings.MAX_UPLOAD_MB}
    return render(request, "desk/supplement.html", context, status=422 if error else 200)


# -- returning results -----------------------------------------------------------------------


def _return_lookup(user: User, scanned: str) -> tuple[Dossier | None, str]:
    """The dossier a code or a receipt QR names, among the user's desks; or what went wrong."""
    code = code_from_scan(scanned)
    if not code:
        return None, ""
    try:
        return dossier_for_desk(user, code), ""
    except Http404:
        message = _(
            "No dossier of your desk has the code “%(code)s”. Check the code on the receipt."
        )
        return None, message % {"code": code}


@desk_required
@require_GET
def return_find(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scanned = request.GET.get("q", "").strip()[:500]
    found, error = _return_lookup(user, scanned)
    form = ReturnForm(dossier=found) if found is not None else None
    context = {"q": scanned, "dossier": found, "form": form, "error": error}
    context |= {"token": services.form_token_new(), "desk_page": "return"}
    return render(request, "desk/return.html", context, status=404 if error else 200)


@desk_required
@require_POST
def return_dossier(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    found = dossier_for_desk(user, code)
    form = ReturnForm(request.POST, dossier=found)
    token = services.form_token(request.POST.get("token"))
    error = ""
    if form.is_valid():
        try:
            done = services.desk_return(
                actor=user,
                token=token,
                dossier=found,
                channel=form.cleaned_data["channel"],
                collected_by=form.cleaned_data["collected_by"],
                collector_id_number=form.cleaned_data["collector_id_number"],
                originals_returned=form.originals_returned(),
                note=form.service_note(),
            )
            return redirect(done.url)
        except DossierInputError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                error = str(exc.message)
        except TransitionError as exc:
            error = str(exc.message)
    context = {"q": code, "dossier": found, "form": form, "error": error, "token": token}
    return render(request, "desk/return.html", {**context, "desk_page": "return"}, status=422)


# -- guide sheets ----------------------------------------------------------------------------


@guide_sheet_required
@require_GET
def guide_index(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found = Procedure.objects.published().select_related("current_version")
    procedures = list(found.search(query).order_by("code")[:50]) if query else []
    context = {"q": query, "procedures": procedures, "desk_page": "guide"}
    template = "desk/guide_index.html#results" if request.htmx else "desk/guide_index.html"
    return render(request, template, context)


@guide_sheet_required
@require_GET
def guide(request: HttpRequest, code: str) -> HttpResponse:
    sheet = guide_sheet(_user(request), code)
    return render(request, "desk/guide_sheet.html", {"sheet": sheet, "desk_page": "guide"})


@guide_sheet_required
@require_GET
def guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    sheet = guide_sheet(_user(request), code)
    response = HttpResponse(guide_sheet_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="huong-dan-{code}.pdf"'
    return response
