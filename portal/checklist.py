"""What a person must bring, and where and when they can bring it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalog.models import Case, Component, OnlineLevel
from units.models import Unit


def to_bring(case: Case) -> list[Component]:
    """Items that still go to the desk in person when a procedure is only partly online."""
    return [c for c in case.components.all() if c.brought_to_desk(OnlineLevel.PARTIAL)]


def opening_hours(unit: Unit) -> str:
    """The unit's working periods, as a sign on the door would say them."""
    periods = ", ".join(f"{start:%H:%M}\u2013{end:%H:%M}" for start, end in unit.periods())
    return _("Monday to Friday, %(periods)s") % {"periods": periods}


def centers_for(unit: Unit) -> list[Unit]:
    """The centers of the province a dossier filed at ``unit`` may also be brought to."""
    province = unit.province_id or unit.pk
    return list(
        Unit.objects.active().centers().filter(province_id=province).order_by("level", "name_vi")
    )
