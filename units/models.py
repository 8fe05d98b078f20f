"""Centers and agencies of a province, each with its electronic unit id."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Bilingual, TimeStampedModel

# Electronic ids follow the dotted style of the national e-id scheme,
# e.g. 000.00.01.H22 (level.level.level.province).
EID_RE = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"

DEFAULT_WORK_PERIODS = [["07:00", "11:30"], ["13:30", "17:00"]]


def default_work_periods() -> list[list[str]]:
    return [list(period) for period in DEFAULT_WORK_PERIODS]


def parse_periods(raw: list[list[str]]) -> list[tuple[dt.time, dt.time]]:
    """Turn [["07:00", "11:30"], ...] into ordered, non-overlapping times."""
    periods: list[tuple[dt.time, dt.time]] = []
    for pair in raw:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValidationError(_("Each working period is a pair of start and end times."))
        try:
            start, end = (dt.time.fromisoformat(str(value)) for value in pair)
        except ValueError as exc:
            raise ValidationError(_("Times are written HH:MM, e.g. 07:00.")) from exc
        if start >= end:
            raise ValidationError(_("A working period must end after it starts."))
        if periods and start < periods[-1][1]:
            raise ValidationError(_("Working periods must be in order and must not overlap."))
        periods.append((start, end))
    if not periods:
        raise ValidationError(_("A unit needs at least one working period."))
    return periods


def validate_work_periods(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Working periods are a list of [start, end] pairs."))
    parse_periods(value)


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    WARD = "ward", _("Ward / commune")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Provincial People's Committee")
    CENTER = "center", _("Public administration service center")
    WARD_COMMITTEE = "ward_committee", _("Ward / commune People's Committee")
    POLICE = "police", _("Police")
    JUSTICE = "justice", _("Department of Justice")
    FINANCE = "finance", _("Department of Finance")
    CONSTRUCTION = "construction", _("Department of Construction")
    AGRI_ENV = "agri_env", _("Department of Agriculture and Environment")
    HEALTH = "health", _("Department of Health")
    EDUCATION = "education", _("Department of Education and Training")
    HOME_AFFAIRS = "home_affairs", _("Department of Home Affairs")
    SOCIAL_INSURANCE = "social_insurance", _("Social Insurance")
    TAX = "tax", _("Tax")


class UnitQuerySet(models.QuerySet["Unit"]):
    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)

    def centers(self) -> "UnitQuerySet":
        return self.filter(kind=UnitKind.CENTER)

    def in_province(self, province: "Unit") -> "UnitQuerySet":
        return self.filter(province=province)


class Unit(Bilingual, TimeStampedModel):
    code = models.CharField(
        _("electronic id"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(EID_RE, _("Write the id as 000.00.00.X00."))],
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="province_units",
        help_text=_("Empty only for the province itself."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    work_periods = models.JSONField(
        _("working periods"),
        default=default_work_periods,
        validators=[validate_work_periods],
        help_text=_('Pairs of start and end times, e.g. [["07:00", "11:30"], ["13:30", "17:00"]].'),
    )
    same_day_cutoff = models.TimeField(
        _("same-day cut-off"),
        default=dt.time(15, 0),
        help_text=_("Same-day procedures received after this time are due the next working day."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="province") | models.Q(province__isnull=False),
                name="unit_belongs_to_a_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def periods(self) -> list[tuple[dt.time, dt.time]]:
        return parse_periods(self.work_periods)

    def clean(self) -> None:
        if self.kind == UnitKind.PROVINCE:
            if self.province_id is not None:
                raise ValidationError({"province": _("A province belongs to no other province.")})
        elif self.province_id is None:
            raise ValidationError({"province": _("Choose the province this unit belongs to.")})
        elif self.province is not None and self.province.kind != UnitKind.PROVINCE:
            raise ValidationError({"province": _("Choose a province, not another kind of unit.")})

    def ward_committee(self) -> "Unit | None":
        if self.kind == UnitKind.WARD_COMMITTEE:
            return self
        if self.parent is not None and self.parent.kind == UnitKind.WARD_COMMITTEE:
            return self.parent
        return None

    def competent_unit(self, agency: str, level: str, ward: "Unit | None" = None) -> "Unit | None":
        """The agency that decides a procedure filed at this unit.

        A dossier may be filed at any center of the province. Ward-level
        procedures go to the ward named (by default the ward the filing center
        serves); province-level ones go to the province's agency of that kind.
        A ward's own agencies (its police, say) hang under its committee.
        """
        province = self if self.kind == UnitKind.PROVINCE else self.province
        units = Unit.objects.active().filter(province=province, kind=agency)
        if level == Level.WARD:
            ward = ward or self.ward_committee()
            if ward is None:
                return None
            if agency == UnitKind.WARD_COMMITTEE:
                return ward
            return units.filter(parent=ward).first()
        return units.filter(level=Level.PROVINCE).order_by("code").first()
