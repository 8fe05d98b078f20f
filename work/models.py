"""What the deadline watch leaves behind: its warnings, and the apologies it drafts.

Both are keyed in the database by the dossier and the due moment they are
about, so the watch can run any number of times (or die half-way and run
again) and still warn once and draft once per due moment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import UUIDModel


class WarningKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due within a working day")
    OVERDUE = "overdue", _("Overdue")


class DeadlineWarning(UUIDModel):
    """The responsible people were told that this dossier is due soon, or overdue."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="deadline_warnings",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=WarningKind.choices)
    due_at = models.DateTimeField(_("due moment warned about"))
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("agency holding the dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("warned at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline warning")
        verbose_name_plural = _("deadline warnings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "due_at"], name="one_warning_per_due_moment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class DraftState(models.TextChoices):
    DRAFT = "draft", _("Waiting for approval")
    APPROVED = "approved", _("Approved and sent")
    DISMISSED = "dismissed", _("Dismissed")


class ApologyDraft(UUIDModel):
    """Form 04 as the deadline watch drafts it for the agency over its step budget.

    It goes out only when a manager (or the agency's approver) approves it:
    then ``dossier_extend`` records the new date and the applicant is told.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="apology_drafts",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("agency charged with the delay"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    step = models.PositiveSmallIntegerField(_("step position"), null=True, blank=True)
    step_name = models.CharField(_("step"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("due moment missed"))
    new_due = models.DateTimeField(_("proposed new due moment"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=DraftState.choices, default=DraftState.DRAFT
    )
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("apology draft (form 04)")
        verbose_name_plural = _("apology drafts (form 04)")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "due_at"], name="one_apology_per_due_moment"
            ),
            models.CheckConstraint(
                condition=models.Q(new_due__gt=models.F("due_at")),
                name="apology_new_due_is_later",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.new_due:%Y-%m-%d %H:%M}"
