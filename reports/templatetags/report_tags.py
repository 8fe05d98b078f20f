"""Numbers as reports print them: grouped thousands, shares as percentages, signed changes."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, 2, use_l10n=True, force_grouping=True)
    return number_format(int(value), 0, use_l10n=True, force_grouping=True)  # type: ignore[call-overload]


@register.filter
def pct(value: float | None) -> str:
    """A share (0-1) as a percentage with two decimals; a dash when there was nothing to divide."""
    if value is None:
        return "—"
    return number_format(value * 100, 2, use_l10n=True) + "\u00a0%"  # no break before %


@register.filter
def signed(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    text = pct(abs(value)) if percent else num(abs(value))
    if percent:
        text = text.replace("\u00a0%", "\u00a0pp")  # percentage points
    minus = "\u2212"  # the typographic minus sign
    return ("+" if value > 0 else minus if value < 0 else "±") + text
