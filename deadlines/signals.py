"""Keep cached working calendars in step with the rows they were built from."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from units.models import Unit

from .calendar import calendar_cache_clear
from .models import CalendarDay


def calendar_day_changed(sender: type[CalendarDay], instance: CalendarDay, **kwargs: Any) -> None:
    # A shared row touches every unit, so drop everything. Clear now (later
    # reads in this transaction see the change) and again on commit, in case
    # a calendar was rebuilt from uncommitted rows in between.
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear, using=kwargs.get("using"))


def unit_changed(sender: type[Unit], instance: Unit, **kwargs: Any) -> None:
    # Working periods or the same-day cut-off may have changed.
    pk = instance.pk
    calendar_cache_clear(pk)
    transaction.on_commit(lambda: calendar_cache_clear(pk), using=kwargs.get("using"))


def connect() -> None:
    post_save.connect(calendar_day_changed, CalendarDay, dispatch_uid="deadlines.day_saved")
    post_delete.connect(calendar_day_changed, CalendarDay, dispatch_uid="deadlines.day_deleted")
    post_save.connect(unit_changed, Unit, dispatch_uid="deadlines.unit_saved")
    post_delete.connect(unit_changed, Unit, dispatch_uid="deadlines.unit_deleted")
