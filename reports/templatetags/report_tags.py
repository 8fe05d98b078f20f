"""Numbers as reports print them: grouped thousands, shares as percentages, signed changes.

Rounding is ``reports.figures``'s, the one the Excel and PDF exports use too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

from reports import figures

register = template.Library()


@register.filter
def num(value: figures.Exact | str | None) -> str:
    """A count as it is; any other figure rounded half up to two decimals (whole: none)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    shown = figures.amount(value)
    assert shown is not None
    places = 0 if isinstance(shown, int) else figures.PLACES
    return number_format(shown, places, use_l10n=True, force_grouping=True)


@register.filter
def pct(value: figures.Exact | None) -> str:
    """A share (0-1) as a percentage with two decimals; a dash when there was nothing to divide."""
    shown = figures.percent(value)
    if shown is None:
        return "—"
    return number_format(shown, figures.PLACES, use_l10n=True) + "\u00a0%"  # no break before %


@register.filter
def signed(value: figures.Exact | None, percent: bool = False) -> str:
    """A change with its sign, rounded as the figures it compares; ± when it shows as nothing."""
    if value is None:
        return "—"
    magnitude: figures.Exact = -value if value < 0 else value
    text = pct(magnitude) if percent else num(magnitude)
    if percent:
        text = text.replace("\u00a0%", "\u00a0pp")  # percentage points
    shown = figures.percent(value) if percent else figures.half_up(value)
    assert shown is not None
    minus = "\u2212"  # the typographic minus sign
    return ("+" if shown > 0 else minus if shown < 0 else "±") + text


@register.filter
def weekday_short(day: dt.date) -> str:
    """The weekday in one short style: T2 … T7, CN in Vietnamese; Mon … Sun in English."""
    return [
        pgettext("weekday", "Mon"), pgettext("weekday", "Tue"), pgettext("weekday", "Wed"),
        pgettext("weekday", "Thu"), pgettext("weekday", "Fri"), pgettext("weekday", "Sat"),
        pgettext("weekday", "Sun"),
    ][day.weekday()]  # fmt: skip


@register.filter
def is_figure(value: object) -> bool:
    """A number (printed right-aligned and rounded), as opposed to text in a sheet's cell."""
    return isinstance(value, int | float | Decimal | Fraction) and not isinstance(value, bool)
