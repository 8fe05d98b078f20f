"""The back office: the work queue, the processing page, and the center's overview."""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from catalog.models import Procedure
from core.http import HtmxHttpRequest
from deadlines.calendar import calendar_default, calendar_for_unit
from dossiers import services
from dossiers.access import dossier_for_staff, dossiers_for_staff
from dossiers.audit import access_record
from dossiers.models import (
    AccessRecord,
    Action,
    DigitisedPaper,
    Dossier,
    DossierComponent,
    Status,
)
from dossiers.services import DossierInputError
from dossiers.workflow import TransitionError, allowed_actions, check
from units.models import Unit
from work import center as overview
from work.apology import apology_approve, apology_dismiss, apology_preview_pdf, may_decide
from work.failed import failed_keep, failed_take
from work.forms import (
    ApologyForm,
    ApproveForm,
    AssignForm,
    DossierForm,
    FeesForm,
    ForwardForm,
    ProposeForm,
    ReasonForm,
    StopForm,
    SupplementForm,
)
from work.models import ApologyDraft, DraftState
from work.queue import (
    OPEN_STATUSES,
    TIMING_LABELS,
    Filters,
    counts,
    filtered,
    known_count,
    open_dossiers,
    rows_for,
    scope_of,
    soon_limit,
    timing_of,
)
from work.steps import step_report

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


# -- the work queue --------------------------------------------------------------------------


def _filters(request: HttpRequest) -> Filters:
    get = request.GET
    return Filters(
        who=get.get("who", ""),
        procedure=get.get("procedure", "") if _is_uuid(get.get("procedure", "")) else "",
        status=get.get("status", ""),
        timing=get.get("timing", ""),
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    scope = scope_of(user)
    if not scope:
        raise PermissionDenied
    now = timezone.now()
    soon = soon_limit(calendar_default(), now)
    filters = _filters(request)
    base = open_dossiers(scope)
    # Only the ids are sorted and cut to a page, so the partial index on
    # (agency, due moment) answers it; the page's rows are read after.
    ordered = filtered(base, filters, user, now, soon).order_by("due_at", "pk")
    paginator = Paginator(ordered.values_list("pk", flat=True), PAGE_SIZE)
    totals = counts(base, user, now, soon)
    known = known_count(filters, totals)
    if known is not None:
        paginator.count = known  # already counted: spare the second count
    page = paginator.get_page(request.GET.get("page"))
    dossiers = Dossier.objects.select_related(
        "procedure_version", "case", "applicant", "assignee", "receiving_unit", "competent_unit"
    ).in_bulk(list(page.object_list))
    context = {
        "page": page,
        "rows": rows_for([dossiers[pk] for pk in page.object_list if pk in dossiers], now),
        "totals": totals,
        "filters": filters,
        "procedures": _procedures(scope.agencies),
        "statuses": [(s, Status(s).label) for s in OPEN_STATUSES],
        "timings": list(TIMING_LABELS.items()),
        "query": _query_without_page(request),
    }
    template = "work/index.html#queue" if request.htmx else "work/index.html"
    return render(request, template, context)


def _procedures(agencies: frozenset[Any]) -> list[Procedure]:
    procedures = Procedure.objects.published().select_related("current_version")
    if agencies:
        kinds = set(Unit.objects.filter(pk__in=agencies).values_list("kind", flat=True))
        procedures = procedures.filter(current_version__agency__in=kinds)
    return list(procedures.order_by("code"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# -- the processing page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One action of the processing page: who may, which form, which service."""

    action: str
    form: type[DossierForm]
    run: Callable[[User, Dossier, dict[str, Any]], Any]
    done: Promise
    label: Promise


def _run_forward(user: User, dossier: Dossier, data: dict[str, Any]) -> Any:
    return services.dossier_forward(
        actor=user,
        dossier=dossier,
        to_unit=data["to_unit"],
        same_step=data["target"] == "same",
        note=data["note"],
    )


def _run_propose(user: User, dossier: Dossier, data: dict[str, Any]) -> Any:
    return services.dossier_propose(
        actor=user,
        dossier=dossier,
        outcome=data["outcome"],
        number=data["number"],
        signer=data["signer"],
        signed_on=data["signed_on"],
        note=data["note"],
        document=data["document"],
    )


ACTIONS: dict[str, Step] = {
    step.action: step
    for step in [
        Step(
            "assign",
            AssignForm,
            lambda u, d, f: services.dossier_assign(actor=u, dossier=d, assignee=f["assignee"]),
            _("The dossier is assigned."),
            _("Assign"),
        ),
        Step("forward", ForwardForm, _run_forward, _("The dossier was handed on."), _("Hand on")),
        Step(
            "request_supplement",
            SupplementForm,
            lambda u, d, f: services.dossier_request_supplement(
                actor=u, dossier=d, items=f["items"], note=f["note"]
            ),
            _("Supplement requested: the clock is stopped until the desk receives the papers."),
            _("Request a supplement"),
        ),
        Step(
            "request_fees",
            FeesForm,
            lambda u, d, f: services.dossier_request_fees(
                actor=u, dossier=d, amount=f["amount"], note=f["note"]
            ),
            _("Fees requested: the clock is stopped until they are paid at the desk."),
            _("Request fees"),
        ),
        Step(
            "propose",
            ProposeForm,
            _run_propose,
            _("The result was sent for approval."),
            _("Propose the result"),
        ),
        Step(
            "approve",
            ApproveForm,
            lambda u, d, f: services.dossier_approve(actor=u, dossier=d),
            _("Approved: the result is ready at the desk."),
            _("Approve the result"),
        ),
        Step(
            "send_back",
            ReasonForm,
            lambda u, d, f: services.dossier_send_back(actor=u, dossier=d, reason=f["reason"]),
            _("The proposed result was sent back."),
            _("Send back"),
        ),
        Step(
            "stop",
            StopForm,
            lambda u, d, f: services.dossier_stop(actor=u, dossier=d, reason=f["reason"]),
            _("Processing stopped (form 05)."),
            _("Stop processing"),
        ),
    ]
}
# The page's actions under the transition each one performs.
TRANSITION_OF = {
    "assign": Action.ASSIGN,
    "forward": Action.FORWARD,
    "request_supplement": Action.REQUEST_SUPPLEMENT,
    "request_fees": Action.REQUEST_FEES,
    "propose": Action.PROPOSE,
    "approve": Action.RESOLVE,
    "send_back": Action.SEND_BACK,
    "stop": Action.STOP,
}


def _page_actions(user: User, dossier: Dossier) -> list[str]:
    allowed = set(allowed_actions(user, dossier))
    names = [name for name, action in TRANSITION_OF.items() if action in allowed]
    if dossier.result_proposed_at is None and "approve" in names:
        names.remove("approve")  # approval needs a proposal; RESOLVE alone is the API's
    return names


def _action_form(name: str, dossier: Dossier, *data: Any) -> DossierForm:
    # Several action forms share a page: their ids carry the action, so labels stay theirs.
    return ACTIONS[name].form(*data, dossier=dossier, auto_id=f"id_{name}_%s")


def _refusal(user: User, dossier: Dossier, name: str) -> str | None:
    """Why the page does not offer the action ``name`` to ``user`` now; None if it does."""
    if name in _page_actions(user, dossier):
        return None
    try:
        check(user, TRANSITION_OF[name], dossier)
    except TransitionError as exc:
        return str(exc.message)
    # Allowed by the table, yet left off the page: approval while nothing is proposed.
    return str(_("No result has been proposed for this dossier."))


def _dossier_context(
    request: HttpRequest, dossier: Dossier, bound: dict[str, DossierForm] | None = None
) -> dict[str, Any]:
    user = _user(request)
    events = list(dossier.events.select_related("unit", "actor").order_by("at", "seq"))
    names = _page_actions(user, dossier)
    forms = {name: _action_form(name, dossier) for name in names}
    forms.update(bound or {})
    drafts = [
        d
        for d in dossier.apology_drafts.select_related("unit").filter(state=DraftState.DRAFT)
        if may_decide(user, d)
    ]
    proposals = [e for e in events if e.action == Action.PROPOSE]
    return {
        "dossier": dossier,
        "events": events,
        "proposal": proposals[-1] if proposals and dossier.result_proposed_at else None,
        "proposal_signed_on": _signed_on(proposals[-1]) if proposals else None,
        "report": step_report(dossier, events),
        "paused_left": _paused_left(dossier),
        "actions": [(name, ACTIONS[name], forms[name]) for name in names],
        "drafts": [(d, _apology_form(request, d)) for d in drafts],
        "result_paper": DigitisedPaper.objects.filter(source=dossier, is_result=True).first(),
        "now": timezone.now(),
    }


def _apology_form(request: HttpRequest, draft: ApologyDraft) -> ApologyForm:
    """The draft's form: as the watch drafted it, or as it was sent back when it failed."""
    failed = failed_take(request, _apology_key(draft))
    if failed is not None:
        form: ApologyForm = failed.bound(ApologyForm)
        return form
    return ApologyForm(initial={"new_due": draft.new_due, "reason": draft.reason})


def _apology_key(draft: ApologyDraft) -> str:
    return f"apology:{draft.pk}"


def _dossier_key(dossier: Dossier) -> str:
    return f"dossier:{dossier.pk}"


def _focused(request: HtmxHttpRequest, response: HttpResponse, anchor: str) -> HttpResponse:
    """Scroll the swapped page to a form sent back with its errors, as the address's anchor
    does when the page is read without JavaScript."""
    if request.htmx and anchor:
        response["HX-Reswap"] = f"outerHTML show:#{anchor}:top"
    return response


def _paused_left(dossier: Dossier) -> float | None:
    """Working minutes that were left when the clock stopped; None while it runs."""
    if not dossier.is_paused:
        return None
    _timing, left = timing_of(dossier, calendar_for_unit(dossier.receiving_unit), timezone.now())
    return left


def _signed_on(proposal: Any) -> dt.date | None:
    value = (proposal.data or {}).get("signed_on")
    return dt.date.fromisoformat(value) if value else None


@login_required
def dossier_page(request: HtmxHttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    dossier = dossier_for_staff(user, code, read=AccessRecord.Kind.PAGE)
    failed = failed_take(request, _dossier_key(dossier))
    bound: dict[str, DossierForm] = {}
    refused = ""
    name = failed.action if failed is not None else ""
    if failed is not None and failed.refused:
        refused = failed.refused
    elif failed is not None and name in ACTIONS:
        # Sent back from a failed action: the form again, open, with its errors.
        if name in _page_actions(user, dossier):
            bound[name] = failed.bound(ACTIONS[name].form, dossier=dossier, auto_id=f"id_{name}_%s")
        else:
            refused = _refusal(user, dossier, name) or ""
    context = _dossier_context(request, dossier, bound)
    context["refused"] = refused
    context["open_action"] = name if name in bound else ""
    drafts = [d for d, form in context["drafts"] if form.is_bound]
    anchor = f"action-{name}" if name in bound else "refused" if refused else ""
    if drafts:
        anchor = f"apology-{drafts[0].pk}"
    return _focused(request, render(request, "work/dossier.html", context), anchor)


@login_required
@require_POST
def act(request: HtmxHttpRequest, code: str, name: str) -> HttpResponse:
    user = _user(request)
    dossier = dossier_for_staff(user, code)
    spec = ACTIONS.get(name)
    if spec is None:
        raise Http404
    page = reverse("work:dossier", kwargs={"code": dossier.code})
    refusal = _refusal(user, dossier, name)
    if refusal is not None:
        # Not on this user's page now: its form is not shown, so the page says why above
        # the actions.
        failed_keep(request, _dossier_key(dossier), action=name, refused=refusal)
        return redirect(f"{page}#refused")
    form = _action_form(name, dossier, request.POST, request.FILES)
    errors: list[tuple[str | None, str]] = []
    if form.is_valid():
        try:
            spec.run(user, dossier, form.cleaned_data)
        except DossierInputError as exc:
            errors.append((exc.field, str(exc.message)))
        except TransitionError as exc:
            errors.append((None, str(exc.message)))
        else:
            messages.success(request, str(spec.done))
            return redirect(page)
    # Back to the dossier's page, where the form opens again with what was typed and why
    # it failed: the address stays the page's, so a refresh re-sends nothing.
    failed_keep(request, _dossier_key(dossier), action=name, errors=errors)
    return redirect(f"{page}#action-{name}")


def _file_response(file: Any, content_type: str = "") -> FileResponse:
    if not file:
        raise Http404
    guessed = content_type or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(file.open("rb"), content_type=guessed)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def paper(request: HttpRequest, code: str, pk: str) -> FileResponse:
    """A scan of the dossier, opened in the browser; only for staff who may see the dossier."""
    user = _user(request)
    dossier = dossier_for_staff(user, code)
    component = get_object_or_404(
        DossierComponent.objects.select_related("paper"), dossier=dossier, pk=pk
    )
    access_record(user=user, kind=AccessRecord.Kind.FILE, dossier=dossier, detail=component.name)
    if component.file:
        return _file_response(component.file)
    if component.paper is not None:
        return _file_response(component.paper.file, component.paper.content_type)
    raise Http404


@login_required
def result_document(request: HttpRequest, code: str) -> FileResponse:
    dossier = dossier_for_staff(_user(request), code, read=AccessRecord.Kind.FILE, detail="result")
    return _file_response(dossier.result_file)


# -- the center ------------------------------------------------------------------------------


@login_required
def center(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    centers = overview.centers_for(user)
    if not centers:
        raise PermissionDenied
    chosen = next((c for c in centers if str(c.pk) == request.GET.get("center")), centers[0])
    now = timezone.now()
    drafts = list(
        ApologyDraft.objects.filter(dossier__receiving_unit=chosen, state=DraftState.DRAFT)
        .select_related("dossier", "unit")
        .order_by("created_at")
    )
    late = overview.overdue(chosen, now)
    # A province administrator watches every center but opens only the dossiers the
    # access rules give them; the others are listed without a link to a page they cannot see.
    listed = {row.dossier.pk for row in late} | {d.dossier_id for d in drafts}
    readable = set(dossiers_for_staff(user).filter(pk__in=listed).values_list("pk", flat=True))
    context = {
        "centers": centers,
        "center": chosen,
        "by_agency": overview.by_agency(chosen, now),
        "overdue": late,
        "readable": readable,
        "load": overview.staff_load(chosen, now),
        "drafts": [(d, _apology_form(request, d)) for d in drafts],
    }
    return render(request, "work/center.html", context)


@login_required
@require_POST
def apology(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    draft = get_object_or_404(ApologyDraft.objects.select_related("dossier", "unit"), pk=pk)
    if not may_decide(user, draft):
        raise PermissionDenied
    form = ApologyForm(request.POST)
    back = _back(request)
    errors: list[tuple[str | None, str]] = []
    try:
        if "dismiss" in request.POST:
            apology_dismiss(actor=user, draft=draft)
            messages.success(request, _("The apology was dismissed."))
            return redirect(back)
        if form.is_valid():
            apology_approve(actor=user, draft=draft, **form.cleaned_data)
            messages.success(request, _("The apology was sent and the new date recorded."))
            return redirect(back)
    except DossierInputError as exc:
        if exc.field == "state":  # decided meanwhile: its form is no longer shown
            messages.error(request, exc.message)
            return redirect(back)
        errors.append((exc.field, str(exc.message)))
    except TransitionError as exc:
        errors.append((None, str(exc.message)))
    # Back to the page the form was on, with the errors beside the fields and the typed
    # date and reason kept; a refresh there re-sends nothing.
    failed_keep(request, _apology_key(draft), errors=errors)
    return redirect(f"{back.split('#')[0]}#apology-{draft.pk}")


def _back(request: HttpRequest) -> str:
    back = request.POST.get("back", "")
    return back if back.startswith("/work/") else "/work/center/"


@login_required
def apology_preview(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    draft = get_object_or_404(ApologyDraft.objects.select_related("dossier", "unit"), pk=pk)
    if not may_decide(user, draft) or draft.state != DraftState.DRAFT:
        raise Http404
    try:
        pdf = apology_preview_pdf(actor=user, draft=draft)
    except (DossierInputError, TransitionError) as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{draft.dossier.code}-mau-04-du-thao.pdf"'
    return response
