"""Filing online, step by step: your details and where, the papers, review and submit.

The draft is a dossier in status draft, saved at every step, so a person on a
weak line who loses the page finds everything again under "My dossiers".
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalog.models import Case, Component, OnlineLevel
from core.http import HtmxHttpRequest
from core.uploads import UploadRejectedError
from dossiers.models import Dossier, DossierComponent, Status
from dossiers.papers import papers_for
from dossiers.services import DossierInputError
from portal.access import dossier_for_citizen
from portal.checklist import centers_for, opening_hours, to_bring
from portal.forms import ConfirmForm, PlaceForm, ProfileForm
from portal.models import Delivery, DeliveryChoice, Profile
from portal.services import (
    delivery_choose,
    draft_paper_remove,
    draft_paper_reuse,
    draft_paper_upload,
    draft_place_update,
    draft_start,
    filing_submit,
    profile_save,
)
from portal.views.common import citizen, citizen_required, form_error, profile_of
from portal.views.mine import visit_context
from units.models import Level, Unit


def _online_case(case_id: uuid.UUID) -> Case:
    case = (
        Case.objects.select_related("version__procedure")
        .filter(pk=case_id, version__procedure__is_active=True)
        .first()
    )
    if (
        case is None
        or case.version.procedure.current_version_id != case.version_id
        or case.version.online_level == OnlineLevel.NONE
    ):
        raise Http404
    return case


def draft_for(request: HttpRequest, dossier_id: uuid.UUID) -> Dossier:
    """The signed-in person's own online draft (or the dossier it became), else 404."""
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    if dossier.created_by_id != request.user.pk:
        raise Http404
    return dossier


def _place_initial(profile: Profile, dossier: Dossier | None) -> dict[str, Any]:
    if dossier is not None:
        return {"center": dossier.receiving_unit, "deciding_ward": dossier.ward}
    center = Unit.objects.active().centers().filter(parent=profile.ward_id).first()
    return {"center": center, "deciding_ward": profile.ward}


def _details_page(
    request: HttpRequest, case: Case, dossier: Dossier | None
) -> tuple[ProfileForm, PlaceForm, bool]:
    """Bind the two forms of step 1; True when both are valid and the profile was saved."""
    mine = profile_of(request)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=mine)
    place = PlaceForm(
        data,
        ward_level=case.version.level == Level.WARD,
        initial=_place_initial(mine, dossier),
    )
    if data is None or not (form.is_valid() and place.is_valid()):
        return form, place, False
    profile_save(profile=mine, data=form.cleaned_data)
    return form, place, True


def _place_error(form: ProfileForm, place: PlaceForm, exc: DossierInputError) -> None:
    """Show a service's refusal beside the field it names, on whichever form has it."""
    field = "deciding_ward" if exc.field == "ward" else exc.field
    form_error(place if field in place.fields else form, field, exc.message)


def _render_details(
    request: HttpRequest, case: Case, dossier: Dossier | None, form: ProfileForm, place: PlaceForm
) -> HttpResponse:
    context = {
        "case": case,
        "version": case.version,
        "dossier": dossier,
        "form": form,
        "place": place,
        "step": 1,
    }
    return render(request, "portal/file_details.html", context)


@citizen_required
def file_start(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Step 1 of a new filing: the person's details (prefilled) and where to file."""
    case = _online_case(case_id)
    form, place, valid = _details_page(request, case, None)
    if valid:
        try:
            dossier = draft_start(
                actor=citizen(request),
                case=case,
                center=place.cleaned_data["center"],
                ward=place.cleaned_data.get("deciding_ward"),
            )
        except DossierInputError as exc:
            _place_error(form, place, exc)
        else:
            return redirect("portal:file_papers", dossier.pk)
    return _render_details(request, case, None, form, place)


@citizen_required
def file_details(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Step 1 again, for a draft already saved."""
    dossier = draft_for(request, dossier_id)
    if dossier.status != Status.DRAFT:
        return redirect("portal:dossier", dossier.pk)
    form, place, valid = _details_page(request, dossier.case, dossier)
    if valid:
        try:
            draft_place_update(
                actor=citizen(request),
                dossier=dossier,
                center=place.cleaned_data["center"],
                ward=place.cleaned_data.get("deciding_ward"),
            )
        except DossierInputError as exc:
            _place_error(form, place, exc)
        else:
            return redirect("portal:file_papers", dossier.pk)
    return _render_details(request, dossier.case, dossier, form, place)


def _items(dossier: Dossier, errors: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per checklist item: the papers attached, and wallet papers that fit."""
    attached: dict[Any, list[DossierComponent]] = {}
    for row in dossier.components.all():
        attached.setdefault(row.component_id, []).append(row)
    items = []
    level = dossier.procedure_version.online_level
    for component in dossier.case.components.all():
        rows = attached.get(component.pk, [])
        used = {row.sha256 for row in rows}
        items.append(
            {
                "component": component,
                "rows": rows,
                "wallet": [
                    p
                    for p in papers_for(dossier.applicant, component.name_vi)
                    if p.sha256 not in used
                ],
                "error": errors.get(str(component.pk), ""),
                "required": component.scan_required_online(level),
                "at_desk": component.brought_to_desk(level),
            }
        )
    return items


def _paper_action(request: HttpRequest, dossier: Dossier) -> tuple[str, str]:
    """Apply one POST of the papers step; the component it was about and an error, if any."""
    component_id = request.POST.get("component", "")
    action = request.POST.get("action", "upload")
    actor = citizen(request)
    try:
        if action == "remove":
            row = dossier.components.filter(pk=request.POST.get("row", "")).first()
            component_id = str(row.component_id) if row else component_id
            draft_paper_remove(actor=actor, dossier=dossier, row_id=request.POST.get("row", ""))
        elif action == "reuse":
            draft_paper_reuse(
                actor=actor,
                dossier=dossier,
                component_id=component_id,
                paper_id=request.POST.get("paper", ""),
            )
        else:
            uploads = request.FILES.getlist("file")
            if not uploads:
                return component_id, _("Choose a file to upload.")
            for upload in uploads:
                draft_paper_upload(
                    actor=actor, dossier=dossier, component_id=component_id, upload=upload
                )
    except (DossierInputError, UploadRejectedError, forms.ValidationError) as exc:
        return component_id, getattr(exc, "message", str(exc))
    return component_id, ""


def paper_fragment(
    request: HttpRequest, dossier_id: uuid.UUID, component_id: str, error: str
) -> HttpResponse:
    """One item of the papers step, as the page's script asks for it after an upload."""
    dossier = draft_for(request, dossier_id)  # read again: the papers just changed
    items = [
        i for i in _items(dossier, {component_id: error}) if str(i["component"].pk) == component_id
    ]
    if not items:
        raise Http404
    context = {"dossier": dossier, "item": items[0]}
    return render(request, "portal/file_papers.html#item", context, status=400 if error else 200)


@citizen_required
def file_papers(request: HtmxHttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Step 2: a scan (or a paper from the wallet) for each item of the checklist.

    The page's script sends each file on its own, in pieces it resumes after
    a cut (``portal.views.uploads``), and gets the one item's fragment back.
    Without the script the same form posts the whole page.
    """
    dossier = draft_for(request, dossier_id)
    if dossier.status != Status.DRAFT:
        return redirect("portal:dossier", dossier.pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        component_id, error = _paper_action(request, dossier)
        if request.htmx:
            return paper_fragment(request, dossier_id, component_id, error)
        if not error:
            return redirect("portal:file_papers", dossier.pk)
        errors[component_id] = error
    context = {"dossier": dossier, "items": _items(dossier, errors), "step": 2}
    return render(request, "portal/file_papers.html", context, status=400 if errors else 200)


@citizen_required
def file_review(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Step 3: everything on one page, what to bring, how to get the result; then submit."""
    dossier = draft_for(request, dossier_id)
    if dossier.status != Status.DRAFT:
        return redirect("portal:dossier", dossier.pk)
    version = dossier.procedure_version
    online = version.online_level == OnlineLevel.FULL
    chosen = Delivery.objects.filter(dossier=dossier).first()
    initial = {
        "delivery": chosen.channel if chosen else DeliveryChoice.DIRECT,
        "address": chosen.address if chosen else dossier.applicant.address,
    }
    form = ConfirmForm(request.POST or None, online=online, initial=initial)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data
        try:
            # Kept first and on its own, so a refused submission keeps the choice.
            delivery_choose(
                actor=citizen(request),
                dossier=dossier,
                channel=choice["delivery"],
                address=choice["address"],
            )
            filing_submit(
                actor=citizen(request),
                dossier=dossier,
                delivery=choice["delivery"],
                address=choice["address"],
            )
        except DossierInputError as exc:
            form_error(form, exc.field, exc.message)
        else:
            return redirect("portal:file_done", dossier.pk)
    missing = _missing(dossier)
    attached: dict[Any, int] = {}
    for row in dossier.components.all():
        attached[row.component_id] = attached.get(row.component_id, 0) + 1
    papers = [
        {
            "component": c,
            "attached": attached.get(c.pk, 0),
            "missing": c in missing,
            "at_desk": c.brought_to_desk(version.online_level),
        }
        for c in dossier.case.components.all()
    ]
    context = {
        "dossier": dossier,
        "version": version,
        "form": form,
        "missing": missing,
        "papers": papers,
        "to_bring": to_bring(dossier.case) if version.online_level == OnlineLevel.PARTIAL else [],
        "center_hours": opening_hours(dossier.receiving_unit),
        "centers": centers_for(dossier.receiving_unit)
        if version.online_level == OnlineLevel.PARTIAL
        else [],
        "step": 3,
        "before_submit": True,
    }
    return render(request, "portal/file_review.html", context, status=400 if form.errors else 200)


def _missing(dossier: Dossier) -> list[Component]:
    """Papers whose scan the filing still needs (what goes to the desk is not asked for)."""
    handed = {row.component_id for row in dossier.components.all()}
    level = dossier.procedure_version.online_level
    return [
        c
        for c in dossier.case.components.all()
        if c.scan_required_online(level) and c.pk not in handed
    ]


@citizen_required
def file_done(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """The code and lookup secret, as on a receipt."""
    dossier = draft_for(request, dossier_id)
    if dossier.status == Status.DRAFT:
        messages.info(request, _("This dossier has not been submitted yet."))
        return redirect("portal:file_review", dossier.pk)
    context = {"dossier": dossier, **visit_context(citizen(request), dossier)}
    return render(request, "portal/file_done.html", context)
