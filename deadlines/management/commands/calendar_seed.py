"""manage.py calendar_seed --years 2024-2027"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from deadlines.seed import calendar_seed


def parse_years(text: str) -> list[int]:
    """``2025``, ``2024-2027`` or ``2024,2026``."""
    years: set[int] = set()
    try:
        for part in text.split(","):
            first, _sep, last = part.strip().partition("-")
            low = int(first)
            high = int(last) if last else low
            if not 1900 <= low <= high <= 2200:
                raise ValueError(part)
            years.update(range(low, high + 1))
    except ValueError:
        raise CommandError(
            _("Write the years as 2025, 2024-2027 or 2024,2026 (got %(text)s).") % {"text": text}
        ) from None
    return sorted(years)


class Command(BaseCommand):
    # Marked here, translated when the parser is built (argparse needs a str).
    help = gettext_noop(
        "Fill the shared holiday table from the calendar library and the government's "
        "announced days off. Safe to run again; rows entered by hand are kept."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = _(self.help)
        parser.add_argument(
            "--years",
            help=_("Years to seed, e.g. 2024-2027 (default: last year to next year)."),
        )

    def handle(self, *args: Any, years: str | None = None, **options: Any) -> None:
        if years:
            chosen = parse_years(years)
        else:
            this_year = timezone.localdate().year
            chosen = [this_year - 1, this_year, this_year + 1]
        result = calendar_seed(years=chosen)
        self.stdout.write(
            _(
                "Calendar %(first)d-%(last)d: %(created)d added, %(updated)d updated, "
                "%(removed)d removed, %(unchanged)d unchanged, %(manual)d kept as entered by hand."
            )
            % {
                "first": chosen[0],
                "last": chosen[-1],
                "created": result.created,
                "updated": result.updated,
                "removed": result.removed,
                "unchanged": result.unchanged,
                "manual": result.manual,
            }
        )
