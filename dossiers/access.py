"""Who may read which dossier: the one place the scoping rule lives."""

from django.db.models import Q
from django.http import Http404

from accounts.models import User
from dossiers.models import Dossier, DossierQuerySet


def dossiers_for_staff(user: User) -> DossierQuerySet:
    """Dossiers received at, or decided by, a unit where the user holds a role."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    units = [a.unit_id for a in user.assignments.all()]
    return Dossier.objects.filter(Q(receiving_unit_id__in=units) | Q(competent_unit_id__in=units))


def dossier_for_staff(user: User, code: str) -> Dossier:
    """The dossier with this code if the user may see it; 404 otherwise, so codes do not leak."""
    dossier = (
        dossiers_for_staff(user)
        .select_related(
            "applicant", "case", "procedure_version", "receiving_unit", "competent_unit"
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier
