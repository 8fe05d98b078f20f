"""What the front desk changes: scans staged on a form, and dossier steps behind one-time keys.

Every dossier change goes through ``dossiers.services``; the functions here
add what only the desk needs around it: a form key that makes a second click
find the first click's dossier instead of making another, and scans turned
into the applicant's digitised papers so they are not asked for again.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Case, Component
from core.uploads import check_upload
from desk.models import FormClaim, StagedScan
from dossiers import services
from dossiers.models import Action, Applicant, DigitisedPaper, Dossier, Status
from dossiers.papers import paper_digitise
from dossiers.services import ApplicantIn, DossierInputError, PaperIn
from dossiers.workflow import TransitionError
from units.models import Unit

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
# Scans left on a form nobody confirmed are removed after this long.
STAGED_FOR = dt.timedelta(days=2)


def form_token_new() -> str:
    return secrets.token_urlsafe(18)


def form_token(value: str | None) -> str:
    """The token a form sent back, or a new one when it sent none (or a forged one)."""
    value = (value or "").strip()
    return value if TOKEN_RE.fullmatch(value) else form_token_new()


# -- staged scans ----------------------------------------------------------------------------


def _staged_sweep(now: dt.datetime) -> None:
    stale = list(StagedScan.objects.filter(created_at__lt=now - STAGED_FOR)[:50])
    for scan in stale:
        scan.file.delete(save=False)
        scan.delete()


@transaction.atomic
def scan_stage(*, user: User, token: str, target: str, upload: UploadedFile) -> StagedScan:
    """Keep a scan for a form not yet confirmed; a second scan for the same item replaces it.

    Raises :class:`core.uploads.UploadRejectedError` for a file that is not a
    size-limited PDF, JPEG or PNG, leaving any earlier scan of the item in place.
    """
    checked = check_upload(upload)
    now = timezone.now()
    _staged_sweep(now)
    scan_discard(user=user, token=token, target=target)
    original = (upload.name or "scan")[-200:]
    upload.name = f"{checked.sha256[:16]}.{checked.extension}"
    staged = StagedScan(
        form_token=token,
        target=target,
        uploaded_by=user,
        name=original,
        file=upload,
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=checked.size,
        created_at=now,
    )
    try:
        with transaction.atomic():
            staged.save(force_insert=True)
    except IntegrityError:
        # Another request staged a scan of this item at the same moment (a browser that
        # sent the file twice): that one stands, and this one's stored file goes.
        staged.file.delete(save=False)
        return StagedScan.objects.get(form_token=token, target=target)
    return staged


def scan_discard(*, user: User, token: str, target: str) -> None:
    for scan in StagedScan.objects.filter(form_token=token, target=target, uploaded_by=user):
        scan.file.delete(save=False)
        scan.delete()


def staged_scans(user: User, token: str) -> dict[str, StagedScan]:
    scans = StagedScan.objects.filter(form_token=token, uploaded_by=user)
    return {scan.target: scan for scan in scans}


def _staged_clear(token: str) -> None:
    scans = list(StagedScan.objects.filter(form_token=token))
    StagedScan.objects.filter(form_token=token).delete()
    names = [scan.file.name for scan in scans]
    storage = StagedScan._meta.get_field("file").storage  # type: ignore[attr-defined]

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


# -- form claims -----------------------------------------------------------------------------


def _claim(key: str, user: User) -> FormClaim | None:
    """Take the form's key inside the caller's transaction; the earlier claim if it was taken.

    A concurrent request with the same key blocks on the unique index until
    the first commits (PostgreSQL), or waits for the write lock (SQLite), and
    then finds the finished claim.
    """
    try:
        with transaction.atomic():
            FormClaim.objects.create(key=key, user=user)
    except IntegrityError:
        claim = FormClaim.objects.select_related("dossier").get(key=key)
        if claim.user_id != user.pk:
            raise DossierInputError(
                "token", _("This form was already used. Open the page again.")
            ) from None
        return claim
    return None


def _claimed(key: str, dossier: Dossier, url: str) -> None:
    FormClaim.objects.filter(key=key).update(dossier=dossier, redirect_to=url)


def claims_sweep(*, now: dt.datetime | None = None) -> int:
    """Forget form claims older than any form that could still be sent; how many went.

    A desk form is sent from a signed-in session, so a claim that outlived
    the session cookie can no longer meet its second click.
    """
    now = now if now is not None else timezone.now()
    kept_for = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE) + dt.timedelta(days=1)
    deleted, _by_model = FormClaim.objects.filter(created_at__lt=now - kept_for).delete()
    return deleted


@dataclass(frozen=True)
class Done:
    """Where a desk action left the dossier; ``again`` when an earlier click did the work."""

    dossier: Dossier
    url: str
    again: bool = False


def _again(claim: FormClaim) -> Done:
    assert claim.dossier is not None
    return Done(dossier=claim.dossier, url=claim.redirect_to, again=True)


# -- papers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperLine:
    """One paper on a desk form: handed over, scanned, or an earlier digitised copy reused."""

    name: str
    component: Component | None = None
    handed: bool = False
    originals: int = 0
    copies: int = 0
    scan: StagedScan | None = None
    reuse: DigitisedPaper | None = None

    @property
    def provided(self) -> bool:
        return self.handed or self.scan is not None or self.reuse is not None


def _digitised(applicant: Applicant, line: PaperLine, stack: ExitStack) -> DigitisedPaper:
    assert line.scan is not None
    scan = line.scan
    handle = stack.enter_context(scan.file.open("rb"))
    upload = UploadedFile(
        file=handle, name=scan.name, content_type=scan.content_type, size=scan.size
    )
    return paper_digitise(applicant=applicant, name=line.name, upload=upload)


def _papers_in(applicant: Applicant, lines: Sequence[PaperLine]) -> tuple[list[PaperIn], list[str]]:
    """The rows for the service, and the ids of papers digitised now (their source comes later)."""
    papers: list[PaperIn] = []
    digitised: list[str] = []
    with ExitStack() as stack:
        for line in lines:
            if not line.provided:
                continue
            paper: DigitisedPaper | None = None
            if line.scan is not None:
                paper = _digitised(applicant, line, stack)
                digitised.append(str(paper.pk))
            elif line.reuse is not None:
                if line.reuse.applicant_id != applicant.pk:
                    raise DossierInputError(
                        "papers",
                        _("“%(name)s” is a paper of another applicant; choose another.")
                        % {"name": line.reuse.name},
                    )
                paper = line.reuse
            papers.append(
                PaperIn(
                    name=line.name,
                    component_id=line.component.pk if line.component else None,
                    originals=line.originals if line.handed else 0,
                    copies=line.copies if line.handed else 0,
                    reused=line.scan is None and line.reuse is not None,
                    file=paper.file.name if paper else None,
                    sha256=paper.sha256 if paper else "",
                    paper_id=paper.pk if paper else None,
                )
            )
    return papers, digitised


def _sourced(digitised: list[str], dossier: Dossier) -> None:
    if digitised:
        DigitisedPaper.objects.filter(pk__in=digitised, source__isnull=True).update(source=dossier)


# -- dossier steps at the desk ---------------------------------------------------------------


@transaction.atomic
def desk_intake(
    *,
    actor: User,
    token: str,
    unit: Unit,
    case: Case,
    applicant: ApplicantIn,
    lines: Sequence[PaperLine],
    ward: Unit | None = None,
    authorised_name: str = "",
    authorised_id_number: str = "",
    authorised_phone: str = "",
) -> Done:
    """Receive a dossier handed in at the counter; the scans become the applicant's papers."""
    claim = _claim(token, actor)
    if claim is not None:
        return _again(claim)
    person = services.applicant_find_or_create(data=applicant)
    papers, digitised = _papers_in(person, lines)
    dossier = services.dossier_intake(
        actor=actor,
        unit=unit,
        case=case,
        applicant=person,
        papers=papers,
        ward=ward,
        authorised_name=authorised_name,
        authorised_id_number=authorised_id_number,
        authorised_phone=authorised_phone,
    )
    _sourced(digitised, dossier)
    _staged_clear(token)
    url = reverse("desk:received", args=[dossier.code])
    _claimed(token, dossier, url)
    return Done(dossier=dossier, url=url)


@transaction.atomic
def desk_accept(*, actor: User, token: str, dossier: Dossier, note: str = "") -> Done:
    """Accept an online filing: the clock starts."""
    claim = _claim(token, actor)
    if claim is not None:
        return _again(claim)
    dossier = services.dossier_receive(actor=actor, dossier=dossier, note=note)
    url = reverse("desk:received", args=[dossier.code])
    _claimed(token, dossier, url)
    return Done(dossier=dossier, url=url)


@transaction.atomic
def desk_request_supplement(
    *, actor: User, token: str, dossier: Dossier, items: Sequence[str], note: str = ""
) -> Done:
    """Ask for missing papers (form 02) on an online filing.

    The transition table lets the desk pause only a received dossier, so the
    filing is accepted and paused in the same transaction and at the same
    moment: no working time is counted until the papers arrive.
    """
    if not [item for item in items if item.strip()]:
        raise DossierInputError("items", _("Tick or write at least one paper to add."))
    claim = _claim(token, actor)
    if claim is not None:
        return _again(claim)
    at = timezone.now()
    if dossier.status != "received":
        dossier = services.dossier_receive(actor=actor, dossier=dossier, at=at)
    dossier = services.dossier_request_supplement(
        actor=actor, dossier=dossier, items=items, note=note, at=at
    )
    url = reverse("desk:dossier", args=[dossier.code]) + "?printed=02"
    _claimed(token, dossier, url)
    return Done(dossier=dossier, url=url)


@transaction.atomic
def desk_refuse(*, actor: User, token: str, dossier: Dossier, reasons: Sequence[str]) -> Done:
    """Refuse an online filing with reasons (form 03)."""
    claim = _claim(token, actor)
    if claim is not None:
        return _again(claim)
    dossier = services.dossier_refuse(actor=actor, dossier=dossier, reasons=reasons)
    assert dossier.code is not None
    url = reverse("desk:dossier", args=[dossier.code]) + "?printed=03"
    _claimed(token, dossier, url)
    return Done(dossier=dossier, url=url)


@transaction.atomic
def desk_receive_supplement(
    *, actor: User, token: str, dossier: Dossier, lines: Sequence[PaperLine]
) -> Done:
    """Papers asked for have arrived at the counter: the clock runs again."""
    if not any(line.provided for line in lines):
        raise DossierInputError("papers", _("Tick the papers handed in, or attach their scans."))
    claim = _claim(token, actor)
    if claim is not None:
        return _again(claim)
    papers, digitised = _papers_in(dossier.applicant, lines)
    dossier = services.dossier_receive_supplement(actor=actor, dossier=dossier, papers=papers)
    _sourced(digitised, dossier)
    _staged_clear(token)
    url = reverse("desk:dossier", args=[dossier.code]) + "?printed=01"
    _claimed(token, dossier, url)
    return Done(dossier=dossier, url=url)


@transaction.atomic
def desk_return(
    *,
    actor: User,
    token: str,
    dossier: Dossier,
    channel: str,
    collected_by: str,
    collector_id_number: str,
    originals_returned: Sequence[str],
    note: str = "",
) -> Done:
    """Hand the result over and record to whom, with which originals given back."""
    claim = _claim(token, actor)
    if claim is not None:
        return _again(claim)
    dossier = services.dossier_return(
        actor=actor,
        dossier=dossier,
        channel=channel,
        collected_by=collected_by,
        collector_id_number=collector_id_number,
        originals_returned=originals_returned,
        note=note,
    )
    url = reverse("desk:dossier", args=[dossier.code]) + "?returned=1"
    _claimed(token, dossier, url)
    return Done(dossier=dossier, url=url)


# -- sending to the competent agency ---------------------------------------------------------


def _already_sent(dossier: Dossier) -> str | None:
    """Where and when an earlier click sent the dossier, if one did."""
    status = Dossier.objects.filter(pk=dossier.pk).values_list("status", flat=True).first()
    if status in (None, Status.RECEIVED):
        return None
    sent = dossier.events.filter(action=Action.ROUTE).order_by("-at").first()
    if sent is None:
        return None
    code = sent.data.get("to_unit", "")
    agency = Unit.objects.filter(code=code).first()
    return _("This dossier was already sent to %(agency)s at %(when)s.") % {
        "agency": agency.name if agency else code,
        "when": date_format(timezone.localtime(sent.at), "H:i d/m/Y"),
    }


def desk_route(*, actor: User, dossier: Dossier) -> Dossier:
    """Send a received dossier to the competent agency the catalog names.

    Refuses, as :func:`dossiers.services.dossier_route` does, a dossier that
    may not go; one that an earlier click already sent is refused with words
    that say so, to whom and when.
    """
    try:
        return services.dossier_route(actor=actor, dossier=dossier)
    except TransitionError as error:
        already = _already_sent(dossier)
        if already is None:
            raise
        raise TransitionError(already, error.allowed) from error


@dataclass(frozen=True)
class Routed:
    """What sending a batch did: the dossiers that went, and why each of the others did not."""

    sent: list[Dossier]
    refused: list[tuple[Dossier, str]]


def desk_route_all(*, actor: User, unit_ids: Sequence[Any], until: dt.datetime) -> Routed:
    """Send every dossier received at these desks up to ``until`` (the list the officer saw).

    Not one transaction: each dossier goes in its own, so one that cannot go
    is named and the others are sent all the same.
    """
    waiting = Dossier.objects.filter(
        receiving_unit_id__in=list(unit_ids), status=Status.RECEIVED, received_at__lte=until
    ).order_by("received_at", "code")
    sent: list[Dossier] = []
    refused: list[tuple[Dossier, str]] = []
    for dossier in list(waiting):
        try:
            sent.append(desk_route(actor=actor, dossier=dossier))
        except (DossierInputError, TransitionError) as error:
            refused.append((dossier, str(error.message)))
    return Routed(sent=sent, refused=refused)
