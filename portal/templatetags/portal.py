from django import template

from core.models import in_language
from portal.checklist import opening_hours
from portal.life_events import LifeEvent, events_for_procedure, life_events
from units.models import Unit

register = template.Library()


@register.simple_tag
def all_life_events() -> tuple[LifeEvent, ...]:
    """The life events, for the home page and the procedure list."""
    return life_events()


@register.filter
def in_lang(obj: object, name: str) -> str:
    """``obj.<name>_en`` on English pages when filled in, else ``obj.<name>_vi``."""
    return in_language(getattr(obj, f"{name}_vi", ""), getattr(obj, f"{name}_en", ""))


@register.simple_tag
def life_events_for(code: str) -> list[LifeEvent]:
    return events_for_procedure(code)


@register.filter
def hours(unit: Unit) -> str:
    """A unit's opening hours, as the sign on its door says them."""
    return opening_hours(unit)
