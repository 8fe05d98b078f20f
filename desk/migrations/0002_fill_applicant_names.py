"""Index the names of applicants who were there before the desk app."""

import unicodedata

from django.db import migrations

_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def _fold(text):
    # A copy of catalog.text.fold as it was when this migration was written.
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())


def fill(apps, schema_editor):
    Applicant = apps.get_model("dossiers", "Applicant")
    ApplicantName = apps.get_model("desk", "ApplicantName")
    batch = []
    for pk, name in Applicant.objects.values_list("pk", "full_name").iterator(chunk_size=2000):
        batch.append(ApplicantName(applicant_id=pk, folded=_fold(name)[:200]))
        if len(batch) >= 2000:
            ApplicantName.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ApplicantName.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
