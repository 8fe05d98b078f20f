from typing import Any

from django.core.management.base import BaseCommand

from reports.management.commands.reports_rebuild import report_result
from reports.rebuild import tallies_verify


class Command(BaseCommand):
    help = "Check the report counters against the dossier event log; exit 1 on any difference."

    def handle(self, *args: Any, **options: Any) -> None:
        report_result(self, tallies_verify())
