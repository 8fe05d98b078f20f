"""Working time as people say it: "2 ngày 3 giờ" / "2 d 3 h"."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def worktime(minutes: float | None, day_minutes: float = 480) -> str:
    """Working minutes as working days, hours and minutes (a day is the unit's working day)."""
    if minutes is None:
        return ""
    total = round(abs(float(minutes)))
    day = round(float(day_minutes or 480))
    days, rest = divmod(total, day)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if mins and not days:
        parts.append(_("%(n)d min") % {"n": mins})
    return " ".join(parts) or _("%(n)d min") % {"n": 0}


@register.filter
def hours(minutes: float | None) -> str:
    """Working minutes as hours with one decimal, for budget tables."""
    if minutes is None:
        return ""
    return f"{float(minutes) / 60:.1f}"
