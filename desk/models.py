"""What the front desk keeps besides dossiers: a name index, staged scans, form claims."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import UUIDModel


class ApplicantName(models.Model):
    """An applicant's name without tone marks, so "nguyen van an" finds "Nguyễn Văn An".

    Kept in step with ``Applicant`` by a signal (``desk.signals``); the
    migration that made the table filled it for applicants already there.
    """

    applicant = models.OneToOneField(
        "dossiers.Applicant",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    folded = models.CharField(_("folded name"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("applicant name for search")
        verbose_name_plural = _("applicant names for search")

    def __str__(self) -> str:
        return self.folded


class StagedScan(UUIDModel):
    """A scan attached on a desk form before the dossier exists.

    A re-rendered form cannot refill a file input, so each scan is kept here
    as soon as it arrives and named on the form by its form token and target
    (a checklist item). Confirming the form turns it into the applicant's
    digitised paper and removes it.
    """

    form_token = models.CharField(max_length=40)
    target = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(upload_to="desk/staged/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("staged scan")
        verbose_name_plural = _("staged scans")
        constraints = [
            models.UniqueConstraint(
                fields=["form_token", "target"], name="one_staged_scan_per_target"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FormClaim(models.Model):
    """The one-time key of a desk form: a second click finds what the first one did.

    The key is inserted in the same transaction as the change it guards; a
    second request with the same key waits for the first to commit, fails on
    the unique key and is sent where the first one went.
    """

    key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    redirect_to = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form claim")
        verbose_name_plural = _("form claims")

    def __str__(self) -> str:
        return self.key
