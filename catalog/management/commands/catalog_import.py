import sys
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from catalog.io import CatalogFileError, ImportReport, catalog_import
from catalog.spec import ProcedureSpec


class Command(BaseCommand):
    help = "Import a procedure catalog file (see docs/catalog-format.md); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="catalog JSON file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but save nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        # The bar goes to the real terminal only: in a pipe or a log file its
        # carriage returns are noise.
        show_bar = not options["no_progress"] and sys.stderr.isatty()

        def progress(items: Sequence[ProcedureSpec]) -> Iterable[ProcedureSpec]:
            return tqdm(items, desc=_("Procedures"), unit="", file=sys.stderr, disable=not show_bar)

        try:
            report = catalog_import(
                path=options["file"], dry_run=options["dry_run"], progress=progress
            )
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s")
                % {"file": options["file"], "reason": exc.strerror or exc}
            ) from exc
        except CatalogFileError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            count = len(exc.problems)
            raise CommandError(
                ngettext(
                    "%(file)s was refused (%(count)d problem); nothing was imported.",
                    "%(file)s was refused (%(count)d problems); nothing was imported.",
                    count,
                )
                % {"file": options["file"], "count": count}
            ) from exc
        self.stdout.write(describe(report))


def describe(report: ImportReport) -> str:
    lines = [
        _("Fields: %(created)d created, %(renamed)d renamed.")
        % {"created": report.fields_created, "renamed": report.fields_renamed},
        _("Procedures: %(created)d created, %(new)d with a new version, %(same)d unchanged.")
        % {"created": report.created, "new": report.new_versions, "same": report.unchanged},
    ]
    if report.dry_run:
        lines.append(_("Dry run: nothing was saved."))
    return "\n".join(lines)
