"""Who read which dossier: the access records personal data law asks for.

Pages call :func:`access_record` when they show a staff member a dossier, a
form printed from it, one of its files, or an applicant's digitised paper.
Pages that refresh themselves would write a row each time; a read repeated
by the same person, of the same thing, within :data:`QUIET_FOR` is not
written again.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from dossiers.models import AccessRecord, Applicant, Dossier

QUIET_FOR = dt.timedelta(minutes=10)


def access_record(
    *,
    user: User,
    kind: AccessRecord.Kind,
    dossier: Dossier | None = None,
    applicant: Applicant | None = None,
    detail: str = "",
) -> AccessRecord | None:
    """Record that ``user`` read ``dossier`` (or ``applicant``'s paper); None when just done."""
    now = timezone.now()
    recent = AccessRecord.objects.filter(
        user=user,
        kind=kind,
        dossier=dossier,
        applicant=applicant,
        detail=detail[:200],
        at__gt=now - QUIET_FOR,
    )
    if recent.exists():
        return None
    return AccessRecord.objects.create(
        at=now,
        user=user,
        username=user.get_username(),
        kind=kind,
        dossier=dossier,
        applicant=applicant,
        detail=detail[:200],
    )
