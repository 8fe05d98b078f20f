from typing import Any

from django.db import migrations

GROUPS = [
    ("elderly", "Người cao tuổi", "Elderly person", 1),
    ("disabled", "Người khuyết tật", "Person with a disability", 2),
    ("pregnant", "Phụ nữ mang thai", "Pregnant woman", 3),
    ("merit", "Người có công với cách mạng", "Person with merit to the revolution", 4),
]


def seed(apps: Any, schema_editor: Any) -> None:
    from core.ids import uuid7

    group = apps.get_model("queueing", "PriorityGroup")
    for code, name_vi, name_en, position in GROUPS:
        group.objects.get_or_create(
            code=code,
            defaults={"id": uuid7(), "name_vi": name_vi, "name_en": name_en, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("queueing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
