"""manage.py demo_history [--days 365] [--seed 1] [--until YYYY-MM-DD] [--volume 0.1]"""

import datetime as dt
import sys
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dossiers.history import DEFAULT_VOLUME, HistoryError, history_simulate


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"write the date as YYYY-MM-DD (got {text!r})") from None


def _volume(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 2:
        raise ArgumentTypeError(f"the volume is a share between 0 and 2 (got {text!r})")
    return value


class Command(BaseCommand):
    help = (
        "Fill the demo province with a year of dossiers by driving the real services "
        "day by day through simulated time. Safe to run again: days already simulated "
        "are skipped."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=365, help="days to simulate (365)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--until", type=_date, default=None, help="last simulated day (today)")
        parser.add_argument(
            "--volume",
            type=_volume,
            default=DEFAULT_VOLUME,
            help=(
                "share of realistic daily arrivals (a ward center 15-40, the provincial "
                f"center 60-120); default {DEFAULT_VOLUME}, 1.0 takes about half an hour"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        show = options["verbosity"] >= 1 and sys.stderr.isatty()

        def progress(day: dt.date) -> None:
            if show:
                sys.stderr.write(f"\rSimulating {day:%d/%m/%Y}")
                sys.stderr.flush()

        try:
            result = history_simulate(
                days=options["days"],
                seed=options["seed"],
                until=options["until"],
                volume=options["volume"],
                progress=progress,
            )
        except HistoryError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if show:
                sys.stderr.write("\r\033[K")
        if options["verbosity"] >= 1:
            self.stdout.write(result.summary())
