"""What a ward node and the provincial hub keep to synchronise.

On a ward node: :class:`Change` numbers the changes that are not dossier
events (applicants, queue tickets, ratings) in the same per-node sequence as
the events, and :class:`NodeState` remembers how far the hub has acknowledged
and how far this node has pulled the hub's events and bookings.

On the hub: :class:`Node` is a registered ward node with its credential,
acknowledged mark and last contact; :class:`Nonce` refuses a replayed
request; :class:`Conflict` holds what two nodes changed differently, for a
manager to settle; :class:`ApplicantAlias` maps a node's applicant to the
hub's when both recorded the same person.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.ids import uuid7


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Change(models.Model):
    """One change of a synchronised record on this node, numbered with the dossier events."""

    node_id = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    model = models.CharField(max_length=40)
    object_id = models.UUIDField()
    # The record's content before this change, as a digest: the hub uses it
    # to tell an update from a conflicting one (see sync.hub).
    base = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node_id", "seq"], name="one_change_per_node_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.node_id}#{self.seq} {self.model} {self.object_id}"


class SyncProblem(models.TextChoices):
    """Why a round stopped, as the status bar says it in the reader's language."""

    NO_HUB = "no_hub", _("No provincial hub is configured.")
    UNREACHABLE = "unreachable", _("The provincial hub cannot be reached.")
    BAD_ANSWER = "bad_answer", _("The provincial hub's answer could not be read.")
    REFUSED = "refused", _("The provincial hub refused the request.")
    LOG_GAP = "log_gap", _("This node's log has a gap: it cannot be sent in order.")


class NodeState(models.Model):
    """This node's side of the link to the hub: one row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    acked_seq = models.PositiveBigIntegerField(_("acknowledged by the hub up to"), default=0)
    pulled_seq = models.PositiveBigIntegerField(_("pulled from the hub up to"), default=0)
    # The hub's change number of this center's bookings (queueing.Appointment.revision).
    bookings_pulled = models.PositiveBigIntegerField(
        _("bookings pulled from the hub up to"), default=0
    )
    reference_digest = models.CharField(max_length=64, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)
    last_problem = models.CharField(
        _("last problem"), max_length=16, choices=SyncProblem.choices, blank=True
    )
    # The technical detail of the last problem: an HTTP status, the hub's words.
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    # Set by "sync now" on a page; the background loop clears it.
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("synchronisation state")

    def __str__(self) -> str:
        return f"acked {self.acked_seq}, pulled {self.pulled_seq}"

    @classmethod
    def get(cls) -> NodeState:
        state, _created = cls.objects.get_or_create(pk=1)
        return state


class Node(models.Model):
    """A ward node registered at the hub: what it serves and how it proves itself."""

    node_id = models.CharField(_("node id"), max_length=40, unique=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("service center"),
        on_delete=models.PROTECT,
        related_name="sync_nodes",
    )
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    acked_seq = models.PositiveBigIntegerField(_("applied up to"), default=0)
    backlog = models.PositiveBigIntegerField(_("events waiting on the node"), default=0)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    last_batch_at = models.DateTimeField(_("last batch applied"), null=True, blank=True)
    # The refusal's untranslated text and what goes into it, shown by last_error_text.
    last_error = models.TextField(_("last error"), blank=True)
    last_error_params = models.JSONField(null=True, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    events_applied = models.PositiveBigIntegerField(_("events applied"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ward node")
        verbose_name_plural = _("ward nodes")
        ordering = ["node_id"]

    def __str__(self) -> str:
        return self.node_id

    @property
    def last_error_text(self) -> str:
        """The last refusal in the reader's language."""
        return translated(self.last_error, self.last_error_params) if self.last_error else ""


def translated(message: str, params: dict[str, str] | None) -> str:
    """``message`` in the active language, with its ``params`` put in."""
    text = gettext(message)
    return text % params if params else text


class Nonce(models.Model):
    """A request id a node used; the same id twice is a replay and is refused."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "value"], name="one_use_per_nonce"),
        ]

    def __str__(self) -> str:
        return self.value


class ConflictState(models.TextChoices):
    OPEN = "open", _("To settle")
    KEPT = "kept", _("Kept the hub's version")
    TAKEN = "taken", _("Took the node's version")


class Conflict(models.Model):
    """Two versions of one record; nothing is overwritten until a manager chooses."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    node = models.ForeignKey(
        Node, verbose_name=_("from node"), on_delete=models.PROTECT, related_name="conflicts"
    )
    model = models.CharField(_("record"), max_length=40)
    object_id = models.UUIDField()
    label = models.CharField(_("what"), max_length=300)
    ours = models.JSONField(_("hub's version"))
    theirs = models.JSONField(_("node's version"))
    state = models.CharField(
        _("state"), max_length=10, choices=ConflictState.choices, default=ConflictState.OPEN
    )
    created_at = models.DateTimeField(_("found at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label


class ApplicantAlias(models.Model):
    """A node's applicant id that the hub already knew under another id."""

    node_applicant_id = models.UUIDField(primary_key=True)
    applicant = models.ForeignKey("dossiers.Applicant", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.node_applicant_id} -> {self.applicant_id}"
