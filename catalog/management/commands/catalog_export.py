from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from catalog.io import catalog_dumps, catalog_export
from catalog.models import Procedure


class Command(BaseCommand):
    help = "Write the current versions of the catalog to a file (or - for standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write; - for standard output")
        parser.add_argument(
            "--code",
            action="append",
            dest="codes",
            metavar="CODE",
            help="export only this procedure (may be repeated)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        procedures = None
        if options["codes"]:
            procedures = list(Procedure.objects.filter(code__in=options["codes"]))
            unknown = set(options["codes"]) - {procedure.code for procedure in procedures}
            if unknown:
                raise CommandError(
                    _("No procedure with code %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
                )
        text = catalog_dumps(catalog_export(procedures=procedures))
        if options["file"] == "-":
            # Straight to the byte stream: the terminal's own encoding might
            # not be UTF-8, and the format says UTF-8.
            buffer = getattr(self.stdout, "buffer", None)
            if buffer is not None:
                buffer.write(text.encode())
                buffer.flush()
            else:
                self.stdout.write(text, ending="")
            return
        try:
            Path(options["file"]).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s")
                % {"file": options["file"], "reason": exc.strerror or exc}
            ) from exc
