"""Who may read which dossier: the one place the scoping rules live."""

import hmac
import uuid

from django.db.models import Prefetch
from django.http import Http404

from accounts.models import User
from dossiers.audit import access_record
from dossiers.codes import SECRET_LENGTH
from dossiers.models import AccessRecord, Action, Dossier, DossierComponent, DossierQuerySet


def dossiers_for_staff(user: User) -> DossierQuerySet:
    """Dossiers received at, or decided by, a unit where the user holds a role."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    unit_ids = {a.unit_id for a in user.assignments.all()}
    if not unit_ids:
        return Dossier.objects.none()
    return Dossier.objects.for_units(unit_ids)


def _by_ref(queryset: DossierQuerySet, ref: str) -> DossierQuerySet:
    """A dossier by its code, or by its id while it is a draft without a code."""
    try:
        return queryset.filter(pk=uuid.UUID(ref))
    except ValueError:
        return queryset.filter(code=ref)


def dossier_for_staff(
    user: User, ref: str, *, read: AccessRecord.Kind | None = None, detail: str = ""
) -> Dossier:
    """The dossier ``ref`` if the user may see it; 404 otherwise, so codes do not leak.

    ``read`` (with its ``detail``) records that the user read it, for a page
    or a file the caller shows; actions leave it out, their event says it.
    """
    dossier = (
        _by_ref(dossiers_for_staff(user), ref)
        .select_related(
            "procedure_version__procedure",
            "case",
            "applicant",
            "receiving_unit",
            "competent_unit",
            "ward",
            "assignee",
        )
        .prefetch_related(
            Prefetch(
                "components",
                # The checklist item gives the paper's English name on English pages.
                queryset=DossierComponent.objects.select_related("component").order_by(
                    "received_at", "id"
                ),
            )
        )
        .first()
    )
    if dossier is None:
        raise Http404
    if read is not None:
        access_record(user=user, kind=read, dossier=dossier, detail=detail)
    return dossier


# Compared against when the code is unknown, so both misses cost the same.
_NO_SECRET = b"\x00" * SECRET_LENGTH


# What the public lookup leaves out of a dossier's history: the draft's creation (a
# step of filling in the form) and the agency's own review of a draft result.
NOT_PUBLIC = frozenset({Action.CREATE, Action.PROPOSE, Action.SEND_BACK})


def dossier_for_lookup(code: str, secret: str) -> Dossier | None:
    """The dossier whose receipt carries this code and secret, or None.

    An unknown code and a wrong secret take the same path and the same time,
    so the answer does not tell whether a code exists.
    """
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure")
        .filter(code="".join(code.split()).upper())  # as typed on a phone
        .first()
    )
    expected = dossier.lookup_secret.encode() if dossier and dossier.lookup_secret else _NO_SECRET
    matches = hmac.compare_digest(secret.strip().upper().encode(), expected)
    if dossier is None or expected is _NO_SECRET or not matches:
        return None
    return dossier
