from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.rebuild import tallies_rebuild, tallies_verify


class Command(BaseCommand):
    help = (
        "Rebuild the report counters from the dossier event log. Writers wait while it runs. "
        "With --check, only compare them (as reports_verify)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 on any difference"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            report_result(self, tallies_verify())
            return
        result = tallies_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Counters rebuilt: {result.rows} rows for {result.units} units.")
        )


def report_result(command: BaseCommand, result: Any, shown: int = 20) -> None:
    for mismatch in result.mismatches[:shown]:
        grain, day, unit, version, tag = mismatch.key
        command.stdout.write(
            f"{grain} {day} unit {unit} version {version} {tag}: "
            f"stored {mismatch.stored} but the log gives {mismatch.expected}"
        )
    if result.mismatches:
        raise CommandError(
            f"{len(result.mismatches)} counter rows differ from the event log "
            f"({result.rows} rows expected for {result.units} units). "
            "Run manage.py reports_rebuild."
        )
    command.stdout.write(
        command.style.SUCCESS(
            f"Counters match the event log: {result.rows} rows for {result.units} units."
        )
    )
