from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core import demo
from units.models import Unit


class Command(BaseCommand):
    help = "Load the demo province (units, staff logins, calendar, catalog). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        units = demo.load_units()
        logins = demo.load_logins(units)
        call_command("calendar_seed", years="2024-2027", verbosity=0)
        catalog = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "catalog.json"
        call_command("catalog_import", str(catalog), no_progress=True, verbosity=0)

        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(f"Demo province ready: {Unit.objects.count()} units."))
        write("Open http://127.0.0.1:8000 and sign in with one of these logins")
        write(f"(password for all: {demo.DEMO_PASSWORD}):")
        write("")
        width = max(len(login.username) for login in logins)
        for login in logins:
            unit = units[login.unit_code]
            write(f"  {login.username:<{width}}  {login.role:<13} {unit.name_vi}")
        write("")
