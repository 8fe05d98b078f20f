"""Which dossiers a signed-in citizen may see: the ones they filed online, and their own."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, Q
from django.http import Http404

from accounts.models import User
from dossiers.models import Channel, Dossier, DossierComponent, DossierQuerySet


def dossiers_for_citizen(user: User) -> DossierQuerySet:
    """Dossiers the person filed online, and dossiers of the applicant record tied to them.

    Desk officers create the dossiers they take in, so "created by" alone would
    hand a desk officer every dossier of the counter; only online filings count.
    """
    if not user.is_authenticated:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        Q(created_by=user, channel=Channel.ONLINE) | Q(applicant__user=user)
    )


def dossier_for_citizen(user: User, dossier_id: uuid.UUID) -> Dossier:
    """One of the person's dossiers, or 404 so that ids of others do not leak."""
    dossier = (
        dossiers_for_citizen(user)
        .filter(pk=dossier_id)
        .select_related(
            "procedure_version__procedure",
            "case",
            "applicant",
            "receiving_unit",
            "competent_unit",
            "ward",
        )
        .prefetch_related(
            Prefetch(
                "components",
                queryset=DossierComponent.objects.select_related("component", "paper").order_by(
                    "received_at", "id"
                ),
            )
        )
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier
