"""Signing in with a code, the profile, and the wallet of digitised papers."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from dossiers.idcard import IdCardError, parse_idcard
from dossiers.models import DigitisedPaper
from portal.forms import CardForm, CodeForm, ContactForm, ProfileForm
from portal.models import Profile
from portal.otp import Contact, OtpError, contact_parse, otp_check, otp_send
from portal.services import earlier_applicant_link, profile_initial_from_card, profile_save
from portal.views.common import citizen, citizen_required, client_of, file_response, profile_of

SESSION_KEY = "portal_signin"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("portal:mine")


def signin(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number or email that receives the code (signing up is the same)."""
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_parse(form.cleaned_data["contact"])
            otp_send(contact=contact, client=client_of(request))
        except OtpError as exc:
            form.add_error("contact", exc.message)
        else:
            request.session[SESSION_KEY] = {"value": contact.value, "channel": contact.channel}
            query = urlencode({"next": _next_url(request)})
            return redirect(reverse("portal:signin_code") + "?" + query)
    return render(request, "portal/signin.html", {"form": form, "next": _next_url(request)})


def signin_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code; a right one signs in, creating the account the first time."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return redirect("portal:signin")
    contact = Contact(pending["value"], pending["channel"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            otp_send(contact=contact, client=client_of(request))
            messages.info(request, _("A new code was sent."))
        except OtpError as exc:
            messages.error(request, exc.message)
        form = CodeForm()
    elif request.method == "POST" and form.is_valid():
        try:
            user = otp_check(
                contact=contact, code=form.cleaned_data["code"], client=client_of(request)
            )
        except OtpError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[SESSION_KEY]
            earlier_applicant_link(profile=Profile.objects.select_related("user").get(user=user))
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request))
    context = {"form": form, "contact": contact, "next": _next_url(request)}
    return render(request, "portal/signin_code.html", context)


@citizen_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's details: typed once, or read from the QR code of their ID card."""
    mine = profile_of(request)
    card_form = CardForm(request.POST if request.POST.get("action") == "card" else None)
    form = ProfileForm(instance=mine)
    if request.method == "POST" and request.POST.get("action") == "card":
        if card_form.is_valid():
            try:
                card = parse_idcard(card_form.cleaned_data["qr"])
            except IdCardError as exc:
                card_form.add_error("qr", exc.message)
            else:
                form = ProfileForm(instance=mine, initial=profile_initial_from_card(card))
                messages.info(request, _("Read from the card. Check the details, then save."))
    elif request.method == "POST":
        form = ProfileForm(request.POST, instance=mine)
        if form.is_valid():
            profile_save(profile=mine, data=form.cleaned_data)
            messages.success(request, _("Your details were saved."))
            return redirect(_next_url(request) if request.POST.get("next") else "portal:profile")
    context = {"form": form, "card_form": card_form, "next": request.GET.get("next", "")}
    return render(request, "portal/profile.html", context)


@citizen_required
def wallet(request: HttpRequest) -> HttpResponse:
    """Papers already digitised for the person, reusable in new dossiers."""
    papers = DigitisedPaper.objects.filter(applicant__user=citizen(request)).select_related(
        "source"
    )
    return render(request, "portal/wallet.html", {"papers": papers})


@citizen_required
def paper_download(request: HttpRequest, paper_id: uuid.UUID) -> HttpResponseBase:
    paper = get_object_or_404(DigitisedPaper, pk=paper_id, applicant__user=citizen(request))
    return file_response(paper.file, f"{paper.name[:60]}.{paper.file.name.rsplit('.', 1)[-1]}")
