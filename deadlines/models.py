"""The working-day calendar an administrator keeps year by year."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class DayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class DaySource(models.TextChoices):
    LIBRARY = "library", _("Calendar library")
    DECISION = "decision", _("Government announcement")
    MANUAL = "manual", _("Entered by an administrator")


class CalendarDay(TimeStampedModel):
    """An exception to the Monday-to-Friday week.

    A day off on a weekday, or a working Saturday that makes up for a
    bridged day. Rows without a unit apply to every unit; a unit's own row
    for the same date wins (a local holiday, say).
    """

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_days",
        help_text=_("Leave empty for a day that applies to every unit."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=DaySource.choices, default=DaySource.MANUAL
    )

    class Meta:
        verbose_name = _("day off or make-up day")
        verbose_name_plural = _("days off and make-up days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(unit__isnull=True), name="one_general_day"
            ),
            models.UniqueConstraint(
                fields=["date", "unit"],
                condition=models.Q(unit__isnull=False),
                name="one_unit_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
