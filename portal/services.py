"""What a citizen changes through the portal: profile, online drafts, result choice, rating.

Each function runs in one transaction and locks the dossier it changes. The
status of a dossier is still changed only by ``dossiers.services``; drafts
are changed here only while they are drafts and only by the person filing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Case, Component
from dossiers.idcard import IdCard
from dossiers.models import (
    Action,
    Applicant,
    ApplicantKind,
    Channel,
    DigitisedPaper,
    Dossier,
    DossierComponent,
    Status,
)
from dossiers.papers import paper_digitise
from dossiers.services import DossierInputError, dossier_create, dossier_submit
from notify.outbox import enqueue
from portal.models import (
    ContactChannel,
    Delivery,
    DeliveryChoice,
    Profile,
    Rating,
    Satisfaction,
)
from units.models import Unit, UnitKind

PROFILE_FIELDS = [
    "full_name",
    "id_number",
    "birth_date",
    "sex",
    "address",
    "phone",
    "email",
    "ward",
]


def profile_initial_from_card(card: IdCard) -> dict[str, Any]:
    """The profile fields an ID card's QR fills in; the person checks them before saving."""
    return {
        "full_name": card.full_name,
        "id_number": card.number,
        "birth_date": card.birth_date,
        "sex": card.sex,
        "address": card.address,
    }


@transaction.atomic
def profile_save(*, profile: Profile, data: dict[str, Any]) -> Profile:
    """Save what the person typed; their account name and own applicant record follow."""
    # Compared with the stored row: a bound ModelForm has already copied the
    # new values onto the instance the caller holds.
    stored = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    changed = [
        name for name in PROFILE_FIELDS if name in data and getattr(stored, name) != data[name]
    ]
    for name in changed:
        setattr(stored, name, data[name])
    if changed:
        stored.save(update_fields=[*changed, "updated_at"])
    user = stored.user
    if stored.full_name and user.full_name != stored.full_name:
        user.full_name = stored.full_name
        user.save(update_fields=["full_name"])
    applicant = Applicant.objects.filter(user=user, kind=ApplicantKind.CITIZEN).first()
    if applicant is None:
        earlier_applicant_link(profile=stored)
    else:
        fields = ["full_name", "birth_date", "sex", "address", "phone", "email"]
        for name in fields:
            setattr(applicant, name, getattr(stored, name) or getattr(applicant, name))
        applicant.save(update_fields=[*fields, "updated_at"])
    return stored


# What a desk record fills in on a profile that left it empty.
FILLED_FROM_DESK = ["full_name", "id_number", "birth_date", "sex", "address"]


@transaction.atomic
def earlier_applicant_link(*, profile: Profile) -> Applicant | None:
    """Tie the applicant record a desk made for this person to their account.

    Only a record that carries the phone or email just proved with a code, and
    only when one record fits: several people may share a family phone, and
    then the ID number in the profile chooses among them. The profile's empty
    details are filled from the record, so the person does not type them again.
    """
    user = profile.user
    if Applicant.objects.filter(user=user, kind=ApplicantKind.CITIZEN).exists():
        return None
    candidates = Applicant.objects.select_for_update().filter(
        kind=ApplicantKind.CITIZEN, user__isnull=True
    )
    if profile.channel == ContactChannel.SMS:
        candidates = candidates.filter(phone=profile.contact)
    else:
        candidates = candidates.filter(email__iexact=profile.contact)
    if profile.id_number:
        candidates = candidates.filter(id_number=profile.id_number)
    found = list(candidates[:2])
    if len(found) != 1:
        return None
    applicant = found[0]
    applicant.user = user
    applicant.save(update_fields=["user", "updated_at"])
    empty = [name for name in FILLED_FROM_DESK if not getattr(profile, name)]
    for name in empty:
        setattr(profile, name, getattr(applicant, name))
    if empty:
        profile.save(update_fields=[*empty, "updated_at"])
    if applicant.full_name and user.full_name != applicant.full_name and "full_name" in empty:
        user.full_name = applicant.full_name
        user.save(update_fields=["full_name"])
    return applicant


def _contact_matches(applicant: Applicant, profile: Profile) -> bool:
    if profile.channel == ContactChannel.SMS:
        return bool(applicant.phone) and applicant.phone == profile.contact
    return bool(applicant.email) and applicant.email.lower() == profile.contact


def applicant_for(*, profile: Profile) -> Applicant:
    """The applicant record of the signed-in person, linked to their account.

    A record the desk made earlier with the same ID number is linked only when
    it carries the phone or email the person has just proved with a code: the
    ID number alone is printed on a card anyone may have seen.
    """
    user = profile.user
    if not profile.is_complete:
        raise DossierInputError(
            "profile", _("Fill in your name, ID number, birth date and address.")
        )
    mine = Applicant.objects.filter(user=user, kind=ApplicantKind.CITIZEN).first()
    if mine is not None:
        if mine.id_number != profile.id_number:
            raise DossierInputError(
                "id_number",
                _("Your account is tied to another ID number. Ask a center to correct it."),
            )
        return mine
    existing = (
        Applicant.objects.select_for_update()
        .filter(kind=ApplicantKind.CITIZEN, id_number=profile.id_number)
        .first()
    )
    if existing is not None:
        if existing.user_id is None and _contact_matches(existing, profile):
            existing.user = user
            existing.save(update_fields=["user", "updated_at"])
            return existing
        raise DossierInputError(
            "id_number",
            _(
                "This ID number is already on file with other contact details. Sign in with "
                "the phone or email you gave at the desk, or file at a center."
            ),
        )
    return Applicant.objects.create(
        kind=ApplicantKind.CITIZEN,
        full_name=profile.full_name,
        id_number=profile.id_number,
        birth_date=profile.birth_date,
        sex=profile.sex,
        address=profile.address,
        phone=profile.phone,
        email=profile.email,
        user=user,
    )


def _check_place(case: Case, center: Unit, ward: Unit | None) -> Unit:
    """The competent agency for filing ``case`` at ``center``, or DossierInputError."""
    if center.kind != UnitKind.CENTER or not center.is_active:
        raise DossierInputError("center", _("Choose a service center."))
    if ward is not None and (
        ward.kind != UnitKind.WARD_COMMITTEE or ward.province_id != center.province_id
    ):
        raise DossierInputError("ward", _("Choose a ward or commune of this province."))
    version = case.version
    unit = center.competent_unit(version.agency, version.level, ward=ward)
    if unit is None:
        raise DossierInputError(
            "ward",
            _("No %(agency)s is set up for this place; choose the ward where you live.")
            % {"agency": version.agency_name},
        )
    return unit


@transaction.atomic
def draft_start(*, actor: User, case: Case, center: Unit, ward: Unit | None) -> Dossier:
    """A new online draft for the signed-in person."""
    profile = Profile.objects.select_for_update().get(user=actor)
    _check_place(case, center, ward)
    applicant = applicant_for(profile=profile)
    return dossier_create(
        actor=actor, case=case, applicant=applicant, unit=center, channel=Channel.ONLINE, ward=ward
    )


def draft_locked(actor: User, dossier: Dossier) -> Dossier:
    locked = Dossier.objects.select_for_update().select_related("case").get(pk=dossier.pk)
    if locked.created_by_id != actor.pk or locked.channel != Channel.ONLINE:
        raise DossierInputError("dossier", _("This draft is not yours."))
    if locked.status != Status.DRAFT:
        raise DossierInputError("dossier", _("This dossier was already submitted."))
    return locked


@transaction.atomic
def draft_place_update(
    *, actor: User, dossier: Dossier, center: Unit, ward: Unit | None
) -> Dossier:
    """Move a draft to another center or ward before it is submitted."""
    dossier = draft_locked(actor, dossier)
    competent = _check_place(dossier.case, center, ward)
    dossier.receiving_unit = center
    dossier.ward = ward
    dossier.competent_unit = competent
    dossier.save(update_fields=["receiving_unit", "ward", "competent_unit"])
    return dossier


def component_of(dossier: Dossier, component_id: uuid.UUID | str) -> Component:
    component = Component.objects.filter(case_id=dossier.case_id, pk=component_id).first()
    if component is None:
        raise DossierInputError("component", _("This paper is not on the checklist of this case."))
    return component


@transaction.atomic
def draft_paper_upload(
    *, actor: User, dossier: Dossier, component_id: uuid.UUID | str, upload: UploadedFile
) -> DossierComponent:
    """Keep one uploaded scan for a checklist item; the same file sent again is kept once.

    The scan goes to the person's papers (stored once per sha256) and the
    dossier points at it, so a retried upload on a weak line adds nothing.
    Raises ``core.uploads.UploadRejectedError`` for a file that is not a scan.
    """
    dossier = draft_locked(actor, dossier)
    component = component_of(dossier, component_id)
    paper = paper_digitise(
        applicant=dossier.applicant, name=component.name_vi, upload=upload, source=dossier
    )
    return _attach(dossier, component, paper, reused=False)


@transaction.atomic
def draft_paper_reuse(
    *, actor: User, dossier: Dossier, component_id: uuid.UUID | str, paper_id: uuid.UUID | str
) -> DossierComponent:
    """Use a paper already digitised for the person instead of uploading it again."""
    dossier = draft_locked(actor, dossier)
    component = component_of(dossier, component_id)
    paper = DigitisedPaper.objects.filter(applicant=dossier.applicant, pk=paper_id).first()
    if paper is None:
        raise DossierInputError("paper", _("This paper is not in your papers."))
    return _attach(dossier, component, paper, reused=True)


def _attach(
    dossier: Dossier, component: Component, paper: DigitisedPaper, *, reused: bool
) -> DossierComponent:
    existing = dossier.components.filter(component=component, sha256=paper.sha256).first()
    if existing is not None:
        return existing
    return DossierComponent.objects.create(
        dossier=dossier,
        component=component,
        name=component.name_vi,
        originals=component.originals,
        copies=component.copies,
        file=paper.file.name,
        sha256=paper.sha256,
        reused=reused,
        paper=paper,
        received_at=timezone.now(),
    )


@transaction.atomic
def draft_paper_remove(*, actor: User, dossier: Dossier, row_id: uuid.UUID | str) -> None:
    """Take a paper off the draft; it stays in the person's papers."""
    dossier = draft_locked(actor, dossier)
    dossier.components.filter(pk=row_id).delete()


def _delivery_set(dossier: Dossier, actor: User | None, channel: str, address: str) -> Delivery:
    if channel not in DeliveryChoice.values:
        raise DossierInputError("delivery", _("Choose how to receive the result."))
    online_ok = dossier.procedure_version.online_level == "full"
    if channel == DeliveryChoice.ONLINE and not online_ok:
        raise DossierInputError("delivery", _("This procedure has no electronic result."))
    address = " ".join(address.split())
    if channel == DeliveryChoice.POST and not address:
        raise DossierInputError("address", _("Write the address to send the result to."))
    delivery, _created = Delivery.objects.update_or_create(
        dossier=dossier,
        defaults={
            "channel": channel,
            "address": address if channel == DeliveryChoice.POST else "",
            "chosen_by": actor,
        },
    )
    return delivery


@transaction.atomic
def filing_submit(
    *,
    actor: User,
    dossier: Dossier,
    delivery: str,
    address: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Submit an online draft: the result choice is kept, the code issued, a message queued."""
    locked = draft_locked(actor, dossier)
    _delivery_set(locked, actor, delivery, address)
    submitted = dossier_submit(actor=actor, dossier=locked, at=at)
    profile = Profile.objects.filter(user=actor).first()
    if profile is not None:
        enqueue(
            key=f"dossier:{submitted.code}:submitted",
            channel=profile.channel,
            to=profile.contact,
            subject=_("Dossier %(code)s filed") % {"code": submitted.code},
            body=_(
                "Your dossier %(code)s was filed online. Lookup secret: %(secret)s. "
                "The desk will check it and tell you."
            )
            % {"code": submitted.code, "secret": submitted.lookup_secret},
            dossier=submitted,
        )
    return submitted


# Statuses in which the applicant may still say how the result should reach them.
DELIVERY_OPEN = frozenset(
    {
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.FEES_REQUESTED,
        Status.RESOLVED,
    }
)


@transaction.atomic
def delivery_choose(*, actor: User, dossier: Dossier, channel: str, address: str = "") -> Delivery:
    """The applicant's choice of collecting at the desk, by post or online, until the return."""
    locked = (
        Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
    )
    if locked.status not in DELIVERY_OPEN:
        raise DossierInputError("delivery", _("The result was already handed over."))
    return _delivery_set(locked, actor, channel, address)


def _actor_of(dossier: Dossier, action: str) -> User | None:
    event = (
        dossier.events.filter(action=action).order_by("-at", "-seq").select_related("actor").first()
    )
    return event.actor if event else None


def rating_give(
    *, dossier: Dossier, level: str, comment: str = "", by: User | None = None
) -> Rating:
    """Rate the service once the result was handed over; a second rating is refused."""
    if level not in Satisfaction.values:
        raise DossierInputError("level", _("Choose how satisfied you are."))
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if locked.status != Status.RETURNED:
                raise DossierInputError(
                    "level", _("You can rate the service once the result is handed over.")
                )
            return Rating.objects.create(
                dossier=locked,
                level=level,
                comment=comment.strip()[:2000],
                received_by=_actor_of(locked, Action.RECEIVE),
                returned_by=_actor_of(locked, Action.RETURN),
                center_id=locked.receiving_unit_id,
                agency_id=locked.competent_unit_id,
                rated_by=by if by is not None and by.is_authenticated else None,
            )
    except IntegrityError as exc:
        raise DossierInputError(
            "level", _("This dossier has already been rated. Thank you.")
        ) from exc
