"""Dossiers, their applicants and papers, and the append-only event log.

A dossier's status and dates are a projection of its events: only
``dossiers.services`` writes them, in the same transaction as the event that
changes them, and ``Dossier.replay`` recomputes them from the log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.ids import uuid7
from core.models import TimeStampedModel, UUIDModel


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted online")
    RECEIVED = "received", _("Received")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    PROCESSING = "processing", _("Processing")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    FEES_REQUESTED = "fees_requested", _("Fees requested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STOPPED = "stopped", _("Stopped")
    RESOLVED = "resolved", _("Result ready")
    RETURNED = "returned", _("Returned")


# The numeric codes the national portal and provincial systems use.
NATIONAL_CODES: dict[str, int] = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.NOT_ACCEPTED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.FEES_REQUESTED: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESOLVED: 9,
    Status.RETURNED: 10,
}
PAUSED = frozenset({Status.SUPPLEMENT_REQUESTED, Status.FEES_REQUESTED})
FINISHED = frozenset({Status.RESOLVED, Status.RETURNED, Status.WITHDRAWN})
OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, *PAUSED})
CLOSED = frozenset({Status.NOT_ACCEPTED, Status.STOPPED, *FINISHED})


class Channel(models.TextChoices):
    DIRECT = "direct", _("At the desk")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


class ReturnChannel(models.TextChoices):
    DIRECT = "direct", _("At the desk")
    ONLINE = "online", _("Online (electronic result)")
    POST = "post", _("By post")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business")


class ResultOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused with reasons")


class Applicant(TimeStampedModel):
    """A citizen or a business that files dossiers; found again by id number."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    full_name = models.CharField(_("full name or business name"), max_length=200)
    id_number = models.CharField(
        _("ID number or tax code"),
        max_length=20,
        blank=True,
        help_text=_("12-digit personal id for citizens, tax code for businesses."),
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    representative = models.CharField(_("legal representative"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicants",
    )

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "id_number"],
                condition=~models.Q(id_number=""),
                name="one_applicant_per_id_number",
            ),
        ]
        # The desk finds a returning applicant by id number on every intake.
        indexes = [models.Index(fields=["id_number"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_id(self) -> str:
        """The id number as public pages may show it."""
        number = self.id_number
        if len(number) <= 5:
            return "*" * len(number)
        return number[:3] + "*" * (len(number) - 5) + number[-2:]


class DossierQuerySet(models.QuerySet["Dossier"]):
    def open(self) -> DossierQuerySet:
        return self.filter(status__in=OPEN)

    def for_units(self, unit_ids: Iterable[object]) -> DossierQuerySet:
        """Dossiers these units may see: received there or decided there."""
        ids = list(unit_ids)
        return self.filter(
            models.Q(receiving_unit_id__in=ids) | models.Q(competent_unit_id__in=ids)
        )


class Dossier(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    code = models.CharField(_("dossier code"), max_length=40, null=True, blank=True, unique=True)
    lookup_secret = models.CharField(_("lookup secret"), max_length=12, blank=True)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("procedure version"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    case = models.ForeignKey(
        "catalog.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="dossiers"
    )
    authorised_name = models.CharField(_("authorised person"), max_length=200, blank=True)
    authorised_id_number = models.CharField(
        _("authorised person's ID number"), max_length=20, blank=True
    )
    authorised_phone = models.CharField(_("authorised person's phone"), max_length=20, blank=True)
    # The two units are the first columns of the indexes below, which serve
    # their lookups: an index of their own would only slow every insert.
    receiving_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("receiving center"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        db_index=False,
    )
    competent_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("competent agency"),
        on_delete=models.PROTECT,
        related_name="decided_dossiers",
        db_index=False,
    )
    ward = models.ForeignKey(
        "units.Unit",
        verbose_name=_("ward of the applicant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("submission channel"), max_length=10, choices=Channel.choices)
    return_channel = models.CharField(
        _("return channel"), max_length=10, choices=ReturnChannel.choices, blank=True
    )
    owner_node = models.CharField(_("owner node"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    # -- projection of the event log; written only by dossiers.services --
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )
    fees_due = models.PositiveBigIntegerField(_("fees due (VND)"), default=0)
    fees_paid = models.PositiveBigIntegerField(_("fees paid (VND)"), default=0)
    result_outcome = models.CharField(
        _("result"), max_length=10, choices=ResultOutcome.choices, blank=True
    )
    result_number = models.CharField(_("result document number"), max_length=60, blank=True)
    result_signer = models.CharField(_("signed by"), max_length=200, blank=True)
    result_signed_on = models.DateField(_("signed on"), null=True, blank=True)
    result_note = models.TextField(_("result note or reasons"), blank=True)
    result_file = models.FileField(_("result document"), upload_to="results/%Y/%m/", blank=True)
    # Position of the catalog step the competent agency is working on (0: none yet).
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    # Set while a proposed result waits for the approver (see dossier_propose).
    result_proposed_at = models.DateTimeField(_("result proposed at"), null=True, blank=True)
    last_seq = models.PositiveIntegerField(default=0, editable=False)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["receiving_unit", "status"]),
            models.Index(fields=["competent_unit", "status", "due_at"]),
            models.Index(fields=["received_at"]),
            # The work queues: open dossiers of an agency, of a person, of a
            # center, in due order; status and assignee ride along so the
            # queue's counts read the index alone (work.queue.StatusIn).
            models.Index(
                fields=["competent_unit", "due_at", "status", "assignee"],
                condition=models.Q(status__in=sorted(OPEN)),
                name="dossier_open_agency_due",
            ),
            models.Index(
                fields=["assignee", "due_at"],
                condition=models.Q(status__in=sorted(OPEN)),
                name="dossier_open_assignee_due",
            ),
            models.Index(
                fields=["receiving_unit", "due_at", "status", "competent_unit"],
                condition=models.Q(status__in=sorted(OPEN)),
                name="dossier_open_center_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(code__isnull=False),
                name="dossier_has_code_once_submitted",
            ),
            models.CheckConstraint(
                condition=models.Q(fees_paid__lte=models.F("fees_due")) | models.Q(fees_due=0),
                name="dossier_paid_at_most_due",
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(self.id)

    @property
    def national_status(self) -> int | None:
        return NATIONAL_CODES.get(self.status)

    @property
    def is_paused(self) -> bool:
        return self.status in PAUSED


class DossierComponent(UUIDModel):
    """A paper handed over (or uploaded) for one component of the case's checklist."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="components"
    )
    component = models.ForeignKey(
        "catalog.Component",
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("paper"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    file = models.FileField(_("scan"), upload_to="dossiers/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    reused = models.BooleanField(_("digitised copy reused"), default=False)
    paper = models.ForeignKey(
        "dossiers.DigitisedPaper",
        verbose_name=_("digitised paper"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
    )
    supplement = models.BooleanField(_("handed in as a supplement"), default=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("paper received")
        verbose_name_plural = _("papers received")
        ordering = ["received_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The paper's name for a page: its checklist item's English name on English pages.

        ``name`` stays the Vietnamese name taken at reception: it is the record,
        and the printed forms carry it. Load ``component`` with the rows.
        """
        english = (get_language() or "vi").startswith("en")
        if not english or self.component_id is None or self.component is None:
            return self.name
        return self.component.name_en or self.name

    @property
    def scan_label(self) -> str:
        """What the scan is, to tell two of them apart in a list: "PDF, 120.5 KB".

        Scans are stored under their digest, so the file's own name says nothing.
        Load ``paper`` with the rows.
        """
        paper = self.paper if self.paper_id else None
        if paper is None:
            return ""
        kind = paper.content_type.rsplit("/", 1)[-1].upper()
        return f"{kind}, {filesizeformat(paper.size)}"


class DigitisedPaper(UUIDModel):
    """A paper of an applicant's kept in digital form, reusable in later dossiers.

    Scans received with a dossier and the results issued to the applicant land
    here; the desk and the citizen's wallet offer them instead of asking again.
    """

    applicant = models.ForeignKey(
        Applicant, verbose_name=_("applicant"), on_delete=models.CASCADE, related_name="papers"
    )
    name = models.CharField(_("paper"), max_length=500)
    # The folded name, so the same kind of paper matches across procedures.
    kind = models.CharField(_("kind"), max_length=500, db_index=True)
    file = models.FileField(_("file"), upload_to="papers/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    is_result = models.BooleanField(_("issued result"), default=False)
    source = models.ForeignKey(
        Dossier,
        verbose_name=_("from dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("digitised at"), default=timezone.now)

    class Meta:
        verbose_name = _("digitised paper")
        verbose_name_plural = _("digitised papers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "sha256"], name="paper_once_per_applicant")
        ]

    def __str__(self) -> str:
        return self.name


class Action(models.TextChoices):
    CREATE = "create", _("Draft created")
    SUBMIT = "submit", _("Submitted online")
    RECEIVE = "receive", _("Received at the desk")
    REFUSE = "refuse", _("Not accepted")
    ROUTE = "route", _("Sent to the competent agency")
    ASSIGN = "assign", _("Assigned to a specialist")
    FORWARD = "forward", _("Forwarded to the next step")
    PROPOSE = "propose", _("Result proposed for approval")
    SEND_BACK = "send_back", _("Proposed result sent back")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    RECEIVE_SUPPLEMENT = "receive_supplement", _("Supplement received")
    REQUEST_FEES = "request_fees", _("Fees requested")
    RECORD_PAYMENT = "record_payment", _("Payment recorded")
    STOP = "stop", _("Processing stopped")
    WITHDRAW = "withdraw", _("Withdrawn by the applicant")
    RESOLVE = "resolve", _("Result ready")
    EXTEND = "extend", _("Deadline extended")
    RETURN = "return", _("Result handed over")


class DossierEvent(models.Model):
    """One row per thing that happened to a dossier; never updated, never deleted.

    ``node_id`` and ``seq`` number the events of the node that wrote them
    without gaps, so the log can be shipped to the provincial hub as it is.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    dossier = models.ForeignKey(  # looked up through the (dossier, at) index below
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    node_id = models.CharField(_("node"), max_length=40)
    seq = models.PositiveBigIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Status.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node_id", "seq"], name="one_event_per_node_seq"),
        ]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        # Read in the admin above each event of a dossier: its local time and what happened.
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} · {self.get_action_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("Dossier events are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Dossier events are append-only.")


class AccessRecord(models.Model):
    """A staff member opened a dossier, one of its files or an applicant's paper.

    Personal data law asks who read what: every staff read of a dossier's page,
    form, file or API detail leaves a row, at most one a person, dossier and
    kind of read in :data:`dossiers.audit.QUIET_FOR`. Kept on the node where
    the read happened; nothing here is edited.
    """

    class Kind(models.TextChoices):
        PAGE = "page", _("dossier page")
        FORM = "form", _("printed form")
        FILE = "file", _("received file")
        PAPER = "paper", _("digitised paper")
        API = "api", _("API read")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name at the time of reading, kept if the account is removed later.
    username = models.CharField(_("user name"), max_length=150)
    kind = models.CharField(_("what was read"), max_length=8, choices=Kind.choices)
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="accesses",
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-at"]
        indexes = [models.Index(fields=["dossier", "at"]), models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        when = timezone.localtime(self.at)
        return f"{when:%d/%m/%Y %H:%M} · {self.username} · {self.get_kind_display()}"
