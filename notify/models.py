from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ids import uuid7


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class MessageState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Gave up")


class Message(models.Model):
    """One message in the durable outbox: written in the transaction that caused it.

    ``key`` names what the message is about (``dossier:<code>:received``,
    ``otp:<phone>:<n>``...); a second enqueue with the same key is the same
    message, so whatever runs twice sends once. ``notify.delivery`` sends it.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A worker takes a message by moving it from pending to sending with its
    # own claim token in one conditional UPDATE; no two workers hold the same row.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim = models.CharField(_("claimed by"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "send_after"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sending")
                | (models.Q(claimed_at__isnull=False) & ~models.Q(claim="")),
                name="message_sending_is_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to}: {self.subject or self.body[:40]}"
