"""Keep the folded-name index of applicants in step with their names."""

from __future__ import annotations

from typing import Any

from catalog.text import fold
from desk.models import ApplicantName
from dossiers.models import Applicant


def applicant_name_index(
    sender: type[Applicant], instance: Applicant, created: bool, **kwargs: Any
) -> None:
    update_fields = kwargs.get("update_fields")
    if not created and update_fields is not None and "full_name" not in update_fields:
        return  # contact details changed; the name did not
    folded = fold(instance.full_name)[:200]
    # A new applicant costs one insert; a renamed one an update (or an insert if
    # the index missed it).
    if created or not ApplicantName.objects.filter(applicant=instance).update(folded=folded):
        ApplicantName.objects.create(applicant=instance, folded=folded)
