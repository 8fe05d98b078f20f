"""A signed-in citizen's dossiers: the list, one dossier, papers asked for, result, rating."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from catalog.models import OnlineLevel
from core.http import HtmxHttpRequest
from core.uploads import UploadRejectedError
from dossiers.models import Dossier, Status
from dossiers.services import (
    DossierInputError,
    dossier_supplement_upload,
    electronic_result,
    supplement_uploads,
)
from dossiers.workflow import TransitionError
from portal.access import dossier_for_citizen, dossiers_for_citizen
from portal.checklist import opening_hours, to_bring
from portal.forms import DeliveryForm, RatingForm
from portal.models import Delivery, Profile, Rating
from portal.plain import history, next_step, supplement_items
from portal.services import DELIVERY_OPEN, delivery_choose, rating_give
from portal.slots import booked, open_slots, slot_book
from portal.views.common import citizen, citizen_required, file_response
from queueing.services import QueueError

RESULT_READY = frozenset({Status.RESOLVED, Status.RETURNED})


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    """Every dossier of the person, newest first, drafts included."""
    dossiers = (
        dossiers_for_citizen(citizen(request))
        .select_related("procedure_version", "receiving_unit")
        .order_by("-created_at")
    )
    return render(request, "portal/mine.html", {"dossiers": dossiers})


def _result(dossier: Dossier) -> object | None:
    """The electronic result: the document on the dossier, or the result paper digitised from it."""
    if dossier.status not in RESULT_READY:
        return None
    return electronic_result(dossier)


@citizen_required
def dossier_detail(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Where the dossier stands, in plain words, and what the person can do next."""
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    delivery = Delivery.objects.filter(dossier=dossier).first()
    online = dossier.procedure_version.online_level == "full"
    rated = Rating.objects.filter(dossier=dossier).first()
    waiting = dossier.status == Status.SUPPLEMENT_REQUESTED
    sent = supplement_uploads(dossier) if waiting else []
    sent_names = {row.name for row in sent}
    context = {
        "dossier": dossier,
        "events": history(dossier, private=True),
        "next_step": next_step(dossier, sent=len(sent)),
        "asked": [(item, item in sent_names) for item in supplement_items(dossier)]
        if waiting
        else [],
        "supplements": [c for c in dossier.components.all() if c.supplement],
        "has_result": _result(dossier) is not None,
        "delivery": delivery,
        "delivery_form": DeliveryForm(
            online=online,
            initial={"delivery": delivery.channel, "address": delivery.address}
            if delivery
            else {"address": dossier.applicant.address},
        )
        if dossier.status in DELIVERY_OPEN and dossier.status != Status.DRAFT
        else None,
        "rating": rated,
        "rating_form": RatingForm()
        if dossier.status == Status.RETURNED and rated is None
        else None,
        **visit_context(citizen(request), dossier),
    }
    return render(request, "portal/dossier.html", context)


@citizen_required
@require_POST
def dossier_supplement(request: HtmxHttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Send papers the agency asked for; the desk sees them and resumes the clock."""
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    uploads = request.FILES.getlist("file")
    error = "" if uploads else _("Choose a file to upload.")
    for upload in uploads:
        try:
            dossier_supplement_upload(
                actor=citizen(request),
                dossier=dossier,
                upload=upload,
                name=request.POST.get("name", ""),
            )
        except (DossierInputError, UploadRejectedError, TransitionError) as exc:
            error = str(getattr(exc, "message", exc))
            break
    if request.htmx:
        return supplement_answer(error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Sent. The desk will check the papers and resume the clock."))
    return redirect("portal:dossier", dossier.pk)


def supplement_answer(error: str) -> HttpResponse:
    """What the page's script shows by a paper sent: the refusal, or that it arrived."""
    return HttpResponse(error or _("Sent. The desk will check it."), status=400 if error else 200)


@citizen_required
def result_download(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponseBase:
    """The electronic result, for the dossier's own applicant only."""
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    result = _result(dossier)
    if result is None:
        raise Http404
    extension = str(getattr(result, "name", "")).rsplit(".", 1)[-1] or "pdf"
    return file_response(result, f"{dossier.code}-ket-qua.{extension}")


def visit_context(user: User, dossier: Dossier) -> dict[str, object]:
    """For a partly-online dossier: what to bring, where, and the open times to book."""
    # Once the desk has received the dossier, the originals are there: nothing to bring.
    if (
        dossier.procedure_version.online_level != OnlineLevel.PARTIAL
        or dossier.status != Status.SUBMITTED
    ):
        return {}
    appointment = booked(user, dossier)
    profile = Profile.objects.filter(user=user).first()
    return {
        "to_bring": to_bring(dossier.case),
        "center_hours": opening_hours(dossier.receiving_unit),
        "appointment": appointment,
        "slots": [] if appointment else open_slots(dossier),
        "book_phone": (profile.phone if profile else "") or dossier.applicant.phone,
    }


@citizen_required
@require_POST
def dossier_book(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    """Book a time at the desk to bring the originals."""
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    try:
        appointment = slot_book(
            user=citizen(request),
            dossier=dossier,
            slot_id=request.POST.get("slot", ""),
            phone=request.POST.get("phone", ""),
        )
    except QueueError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Booked for %(time)s on %(day)s. Your code is %(code)s.")
            % {
                "time": f"{appointment.slot.starts_at:%H:%M}",
                "day": f"{appointment.day:%d/%m/%Y}",
                "code": appointment.code,
            },
        )
    return redirect("portal:dossier", dossier.pk)


@citizen_required
@require_POST
def dossier_delivery(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    form = DeliveryForm(request.POST, online=dossier.procedure_version.online_level == "full")
    if form.is_valid():
        try:
            delivery_choose(
                actor=citizen(request),
                dossier=dossier,
                channel=form.cleaned_data["delivery"],
                address=form.cleaned_data["address"],
            )
            messages.success(request, _("Your choice was saved."))
        except DossierInputError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose how to receive the result."))
    return redirect("portal:dossier", dossier.pk)


@citizen_required
@require_POST
def dossier_rate(request: HttpRequest, dossier_id: uuid.UUID) -> HttpResponse:
    dossier = dossier_for_citizen(citizen(request), dossier_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rating_give(
                dossier=dossier,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                by=citizen(request),
            )
            messages.success(request, _("Thank you for rating the service."))
        except DossierInputError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose how satisfied you are."))
    return redirect("portal:dossier", dossier.pk)
