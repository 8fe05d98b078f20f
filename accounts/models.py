"""People: staff scoped to a unit by role, and citizens."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import uuid7


class Role(models.TextChoices):
    GUIDE = "guide", _("Guide")
    DESK_OFFICER = "desk_officer", _("Front-desk officer")
    SPECIALIST = "specialist", _("Specialist")
    APPROVER = "approver", _("Approver")
    MANAGER = "manager", _("Center manager")
    ADMIN = "admin", _("Provincial administrator")


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def roles_in(self, unit_id: object) -> set[str]:
        return {a.role for a in self.assignments.all() if a.unit_id == unit_id}

    def has_role(self, role: str, unit_id: object | None = None) -> bool:
        return any(
            a.role == role and (unit_id is None or a.unit_id == unit_id)
            for a in self.assignments.all()
        )

    @property
    def is_staff_member(self) -> bool:
        return self.assignments.exists()


class Assignment(models.Model):
    """One role a staff member holds in one unit; a person may hold several."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="one_role_per_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit.code}"


class ApiToken(models.Model):
    """A bearer token for API clients of one staff member.

    Only a SHA-256 hash of the key is kept, so a copy of the database does
    not hand out working tokens; the short prefix lets a person tell their
    tokens apart without revealing them.
    """

    PREFIX_LENGTH = 8

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
