"""The procedure catalog.

A procedure keeps every version it ever had. A version, with its cases,
components, fees and step budgets, is frozen once a dossier is received under
it (``locked_at``); a later edit makes a new version, so dossiers already
received never change under their officers' feet.
"""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Bilingual, TimeStampedModel, UUIDModel, in_language
from units.models import Level, UnitKind

PROCEDURE_CODE_RE = r"^(\d\.\d{6}|MC\.\d{4})$"


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Fully online")
    PARTIAL = "partial", _("Partly online")
    NONE = "none", _("At the desk only")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    SAME_DAY = "same_day", _("same working day")


class StepActor(models.TextChoices):
    DESK = "desk", _("One-stop desk")
    AGENCY = "agency", _("Competent agency")
    APPROVER = "approver", _("Approver")


class VersionLockedError(ValidationError):
    pass


class Field(Bilingual, UUIDModel):
    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[RegexValidator(r"^[A-Z0-9_]{2,20}$")]
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # Both names folded, so that "dat dai" finds every procedure of "Đất đai".
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name_vi"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        from catalog.text import fold

        self.search_text = fold(f"{self.name_vi} {self.name_en}")
        fields = kwargs.get("update_fields")
        if fields is not None and {"name_vi", "name_en"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def published(self) -> "ProcedureQuerySet":
        return self.filter(current_version__isnull=False, is_active=True)

    def search(self, query: str) -> "ProcedureQuerySet":
        """Every word of the query, with or without accents, in the current version
        or in the name of the procedure's field."""
        from catalog.text import fold

        return self.search_words(fold(query).split())

    def search_words(self, words: Sequence[str]) -> "ProcedureQuerySet":
        """:meth:`search` for words already folded."""
        from catalog.text import words_q

        condition = words_q(words, "search_text")
        if not condition:
            return self
        # Matching versions first, then the procedures whose current version
        # matched: a straight scan of the search text, several times quicker on
        # SQLite than the join it plans otherwise (each procedure, then its
        # version looked up by key, then the text).
        matching = ProcedureVersion.objects.filter(condition).values("pk")
        fields = Field.objects.filter(condition).values("pk")
        return self.filter(models.Q(current_version__in=matching) | models.Q(field__in=fields))


class Procedure(UUIDModel):
    """The stable identity of a procedure; its content lives in versions."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(PROCEDURE_CODE_RE, _("Use d.dddddd or MC.nnnn."))],
    )
    field = models.ForeignKey(
        Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="procedures"
    )
    current_version = models.OneToOneField(
        "ProcedureVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        version = self.current_version
        return f"{self.code} {version.name if version else ''}".strip()


class ProcedureVersion(Bilingual, TimeStampedModel):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=400)
    name_en = models.CharField(_("name (English)"), max_length=400, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    agency = models.CharField(_("competent agency kind"), max_length=20, choices=UnitKind.choices)
    agency_name_vi = models.CharField(_("competent agency (Vietnamese)"), max_length=200)
    agency_name_en = models.CharField(_("competent agency (English)"), max_length=200, blank=True)
    online_level = models.CharField(_("online level"), max_length=10, choices=OnlineLevel.choices)
    for_citizens = models.BooleanField(_("for citizens"), default=True)
    for_businesses = models.BooleanField(_("for businesses"), default=False)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    result_vi = models.CharField(_("result (Vietnamese)"), max_length=400, blank=True)
    result_en = models.CharField(_("result (English)"), max_length=400, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    content_hash = models.CharField(max_length=64, editable=False, blank=True)
    locked_at = models.DateTimeField(
        _("frozen at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the first dossier is received under this version."),
    )

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="one_number_per_version"),
            models.CheckConstraint(
                condition=models.Q(for_citizens=True) | models.Q(for_businesses=True),
                name="version_has_a_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} {self.name}"

    @property
    def agency_name(self) -> str:
        return in_language(self.agency_name_vi, self.agency_name_en)

    @property
    def result(self) -> str:
        return in_language(self.result_vi, self.result_en)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def lock(self) -> None:
        """Freeze this version; called when a dossier is received under it."""
        if self.locked_at is None:
            self.locked_at = timezone.now()
            ProcedureVersion.objects.filter(pk=self.pk, locked_at__isnull=True).update(
                locked_at=self.locked_at
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self._state.adding is False and update_fields != ["locked_at"]:
            _refuse_if_locked(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_if_locked(self.pk)
        return super().delete(*args, **kwargs)


def _refuse_if_locked(version_id: uuid.UUID | None) -> None:
    if version_id is None:
        return
    if ProcedureVersion.objects.filter(pk=version_id, locked_at__isnull=False).exists():
        raise VersionLockedError(
            _("This version has dossiers received under it and cannot change; make a new version.")
        )


class VersionPart(UUIDModel):
    """A row that belongs to a version and freezes with it."""

    class Meta:
        abstract = True

    def version_id_for_lock(self) -> uuid.UUID | None:
        raise NotImplementedError

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_locked(self.version_id_for_lock())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_if_locked(self.version_id_for_lock())
        return super().delete(*args, **kwargs)


class Case(Bilingual, VersionPart):
    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="cases"
    )
    code = models.CharField(_("code"), max_length=10)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=400)
    name_en = models.CharField(_("name (English)"), max_length=400, blank=True)
    time_value = models.DecimalField(
        _("processing time"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    time_unit = models.CharField(_("time unit"), max_length=20, choices=TimeUnit.choices)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="one_code_per_case"),
            models.CheckConstraint(
                condition=models.Q(time_unit="same_day") | models.Q(time_value__gt=0),
                name="case_time_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def version_id_for_lock(self) -> uuid.UUID | None:
        return self.version_id

    @property
    def time_label(self) -> str:
        if self.time_unit == TimeUnit.SAME_DAY:
            return str(TimeUnit.SAME_DAY.label)
        value = self.time_value.normalize()
        return f"{value:f} {TimeUnit(self.time_unit).label}"


class CasePart(VersionPart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["case_id", "position"]

    def version_id_for_lock(self) -> uuid.UUID | None:
        return Case.objects.filter(pk=self.case_id).values_list("version_id", flat=True).first()


class Component(Bilingual, CasePart):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="components"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    reusable = models.BooleanField(
        _("digitised copy accepted"),
        default=False,
        help_text=_("An already digitised paper of the applicant can stand in."),
    )
    note_vi = models.CharField(_("note (Vietnamese)"), max_length=500, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=500, blank=True)

    class Meta(CasePart.Meta):
        verbose_name = _("component")
        verbose_name_plural = _("components")

    def __str__(self) -> str:
        return self.name

    @property
    def shown_only(self) -> bool:
        """Shown to the officer for checking and never handed in, such as an ID card."""
        return self.originals == 0 and self.copies == 0

    def brought_to_desk(self, online_level: str) -> bool:
        """Whether a person filing online still brings this paper to the desk.

        Partly online, originals are handed over and papers are shown there; fully
        online, nothing is brought. Papers shown only are never scanned: online, the
        person has proved who they are by signing in.
        """
        if online_level == OnlineLevel.PARTIAL:
            return self.originals > 0 or (self.mandatory and self.shown_only)
        return False

    def scan_required_online(self, online_level: str) -> bool:
        """Whether an online filing at ``online_level`` must carry a scan of this paper."""
        return self.mandatory and not self.shown_only and not self.brought_to_desk(online_level)


class Fee(Bilingual, CasePart):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="fees"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"), default=0)

    class Meta(CasePart.Meta):
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ"


class Step(Bilingual, CasePart):
    """A share of the legal time given to one actor, so reports can say who used it up."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    actor = models.CharField(_("actor"), max_length=10, choices=StepActor.choices)
    days = models.DecimalField(
        _("budget"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("In the case's time unit."),
    )

    class Meta(CasePart.Meta):
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.name} ({self.days})"
