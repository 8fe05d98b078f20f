"""What the portal keeps about citizens: profiles, sign-in codes, return choices, ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel, UUIDModel


class ContactChannel(models.TextChoices):
    SMS = "sms", _("Phone (SMS)")
    EMAIL = "email", _("Email")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Profile(TimeStampedModel):
    """A citizen's own details, typed once or read from the ID card's QR, reused in every form.

    ``contact`` is the phone number or email address the person proved with a
    one-time code; it is how they sign in again.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="portal_profile",
    )
    contact = models.CharField(_("sign-in phone or email"), max_length=254, unique=True)
    channel = models.CharField(_("sign-in channel"), max_length=10, choices=ContactChannel.choices)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    id_number = models.CharField(_("personal ID number"), max_length=12, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    address = models.CharField(_("permanent address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    ward = models.ForeignKey(
        "units.Unit",
        verbose_name=_("ward or commune where you live"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")

    def __str__(self) -> str:
        return self.full_name or self.contact

    @property
    def is_complete(self) -> bool:
        return bool(self.full_name and self.id_number and self.birth_date and self.address)


class OneTimeCode(UUIDModel):
    """A sign-in code sent to a phone or an email address; only its keyed hash is kept."""

    contact = models.CharField(_("phone or email"), max_length=254)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="otp_expires_after_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} {self.created_at:%Y-%m-%d %H:%M}"


class DeliveryChoice(models.TextChoices):
    DIRECT = "direct", _("Collect at the desk")
    POST = "post", _("Send by post")
    ONLINE = "online", _("Download the electronic result")


class Delivery(TimeStampedModel):
    """How the applicant wants the result: at the desk, by post, or online."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="delivery",
    )
    channel = models.CharField(
        _("how to receive the result"), max_length=10, choices=DeliveryChoice.choices
    )
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("result delivery")
        verbose_name_plural = _("result deliveries")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="post") | ~models.Q(address=""),
                name="delivery_post_has_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.channel}"


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Rating(UUIDModel):
    """How the applicant rated the service for one dossier, given once after the return."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    level = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    center = models.ForeignKey(
        "units.Unit",
        verbose_name=_("receiving center"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "units.Unit",
        verbose_name=_("competent agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=["very_satisfied", "satisfied", "dissatisfied"]),
                name="rating_level_known",
            ),
        ]
        indexes = [models.Index(fields=["agency", "created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.level}"


class UploadPurpose(models.TextChoices):
    PAPER = "paper", _("Paper of a draft")
    SUPPLEMENT = "supplement", _("Paper asked for")


class UploadSession(UUIDModel):
    """A file arriving in pieces over a weak line, for one paper of one person's dossier.

    The bytes received so far wait in a staging file; ``received`` is how many
    of them are safely kept, so a cut connection resumes there. Once the last
    piece arrives the file is checked and attached like a file sent whole; the
    row stays (without its staging file) so a lost answer can be given again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=UploadPurpose.choices)
    component = models.ForeignKey(
        "catalog.Component",
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    paper_name = models.CharField(_("paper"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, blank=True)
    received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    touched_at = models.DateTimeField(_("last piece at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("refusal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("upload in progress")
        verbose_name_plural = _("uploads in progress")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0) & models.Q(received__lte=models.F("size")),
                name="upload_received_within_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} {self.received}/{self.size}"
