import datetime as dt
from argparse import ArgumentParser
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from core import demo
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Load the demo province (units, staff logins, calendar, catalog) and a year of "
        "dossiers. Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-history", action="store_true", help="do not simulate past dossiers"
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=365,
            help="days of dossiers to simulate up to today (365); see manage.py demo_history",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        history = not options["no_history"] and options["history_days"] > 0
        units = demo.load_units()
        logins = demo.load_logins(units)
        today = timezone.localdate()
        first = today - dt.timedelta(days=options["history_days"]) if history else today
        years = f"{min(2024, first.year)}-{max(2027, today.year + 1)}"
        call_command("calendar_seed", years=years, verbosity=0)
        catalog = Path(settings.BASE_DIR) / "catalog" / "fixtures" / "catalog.json"
        call_command("catalog_import", str(catalog), no_progress=True, verbosity=0)
        summary = StringIO()
        if history:
            call_command("demo_history", days=options["history_days"], stdout=summary)

        write = self.stdout.write
        write("")
        if history:
            write(summary.getvalue().strip())
        write(self.style.SUCCESS(f"Demo province ready: {Unit.objects.count()} units."))
        write("Open http://127.0.0.1:8000 and sign in with one of these logins")
        write(f"(password for all: {demo.DEMO_PASSWORD}):")
        write("")
        width = max(len(login.username) for login in logins)
        for login in logins:
            unit = units[login.unit_code]
            write(f"  {login.username:<{width}}  {login.role:<13} {unit.name_vi}")
        write("")
        if history:
            write("Every other center and agency has desk.*, specialist.* and approver.*")
            write("logins with the same password (see the admin's user list).")
            write("")
