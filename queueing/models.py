"""The queue of a service center: areas, counters, tickets, appointments.

Configuration (areas, counters, opening hours, priority groups, the policy
of each area) is edited in the admin; tickets and appointments change only
through ``queueing.services``. ``BoardEvent`` rows feed the display boards.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.ids import uuid7
from core.models import Bilingual, UUIDModel


class Policy(models.TextChoices):
    STRICT = "strict", _("Strict: priority tickets always first")
    INTERLEAVE = "interleave", _("Interleave: one priority ticket after every N normal ones")
    AGING = "aging", _("Aging: priority tickets count as issued some minutes earlier")


class PriorityGroup(Bilingual, UUIDModel):
    """People served before others: the elderly, the disabled, pregnant women, people with merit."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("priority group")
        verbose_name_plural = _("priority groups")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class QueueSettings(UUIDModel):
    """How one center runs its queue."""

    center = models.OneToOneField(
        "units.Unit",
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="queue_settings",
    )
    recalls_before_no_show = models.PositiveSmallIntegerField(
        _("recalls before a no-show"),
        default=2,
        validators=[MaxValueValidator(9)],
        help_text=_("How many times a ticket is called again before it may be marked absent."),
    )
    board_history = models.PositiveSmallIntegerField(
        _("last calls on the board"), default=8, validators=[MaxValueValidator(30)]
    )

    class Meta:
        verbose_name = _("queue settings")
        verbose_name_plural = _("queue settings")

    def __str__(self) -> str:
        return str(self.center)


class OpeningHours(UUIDModel):
    """When the kiosk issues tickets on one weekday; a weekday without a row is closed."""

    center = models.ForeignKey(
        "units.Unit",
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens_at = models.TimeField(_("opens at"), default=dt.time(7, 0))
    closes_at = models.TimeField(_("last ticket at"), default=dt.time(16, 45))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["center", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["center", "weekday"], name="queue_hours_once_a_day"),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="queue_hours_open_before_close",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class ServiceArea(Bilingual, UUIDModel):
    """A group of procedures served at the same counters, with its own numbering."""

    center = models.ForeignKey(
        "units.Unit",
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="service_areas",
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    number_base = models.PositiveIntegerField(
        _("first number"),
        default=1000,
        help_text=_("Tickets are numbered from this number plus one, e.g. 1000 gives 1001, 1002…"),
    )
    procedures = models.ManyToManyField(
        "catalog.Procedure", verbose_name=_("procedures"), blank=True, related_name="+"
    )
    fields = models.ManyToManyField(
        "catalog.Field",
        verbose_name=_("fields"),
        blank=True,
        related_name="+",
        help_text=_("Every procedure of these fields belongs here too."),
    )
    policy = models.CharField(
        _("priority policy"), max_length=12, choices=Policy.choices, default=Policy.STRICT
    )
    interleave_every = models.PositiveSmallIntegerField(
        _("normal tickets between priority ones"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("For the interleave policy."),
    )
    aging_minutes = models.PositiveSmallIntegerField(
        _("head start of priority tickets (minutes)"),
        default=20,
        help_text=_(
            "For the aging policy: a normal ticket that waited this much longer goes first."
        ),
    )
    service_minutes = models.PositiveSmallIntegerField(
        _("usual service time (minutes)"),
        default=8,
        validators=[MinValueValidator(1)],
        help_text=_("Used for the expected wait until the day has its own figures."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["center", "position", "number_base"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "number_base"], name="queue_area_numbers_distinct"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CounterState(models.TextChoices):
    CLOSED = "closed", _("Closed")
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")


class Counter(UUIDModel):
    """A desk with a number on the board, serving some areas today."""

    center = models.ForeignKey(
        "units.Unit", verbose_name=_("center"), on_delete=models.CASCADE, related_name="counters"
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    areas = models.ManyToManyField(
        ServiceArea,
        verbose_name=_("areas served today"),
        blank=True,
        related_name="counters",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CounterState.choices, default=CounterState.CLOSED
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer at the counter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_counters",
    )
    state_since = models.DateTimeField(_("state since"), null=True, blank=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["center", "number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="queue_counter_number_once"),
            # One officer sits at one counter at a time.
            models.UniqueConstraint(
                fields=["officer"],
                condition=models.Q(officer__isnull=False),
                name="queue_officer_at_one_counter",
            ),
        ]

    def __str__(self) -> str:
        return _("Counter %(number)s") % {"number": self.number}


class Slot(UUIDModel):
    """A bookable time window of one area on one day."""

    area = models.ForeignKey(
        ServiceArea, verbose_name=_("service area"), on_delete=models.CASCADE, related_name="slots"
    )
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=4)
    booked = models.PositiveSmallIntegerField(_("booked"), default=0, editable=False)

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["day", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["area", "day", "starts_at"], name="queue_slot_once"),
            # A full slot refuses the next booking in the database itself.
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")),
                name="queue_slot_not_overbooked",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="queue_slot_has_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class OnlinePriorityDay(UUIDModel):
    """A day on which people who booked online are served as priority tickets."""

    center = models.ForeignKey(
        "units.Unit",
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="online_priority_days",
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("online-priority day")
        verbose_name_plural = _("online-priority days")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["center", "day"], name="queue_online_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class BookingChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(UUIDModel):
    """A place in a slot, held by a code that the center's kiosk checks in."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="appointments"
    )
    # Copied from the slot so the database can refuse a second booking per day.
    area = models.ForeignKey(
        ServiceArea, verbose_name=_("service area"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    code = models.CharField(_("booking code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20)
    channel = models.CharField(_("booked"), max_length=10, choices=BookingChannel.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked at"))
    # Where bookings are taken (the hub, for a center that runs a ward node), every
    # change takes the next number of its center's count, so the center's node pulls
    # the bookings changed after the last number it saw (sync.hub.bookings_batch).
    revision = models.PositiveBigIntegerField(_("change number"), default=0, editable=False)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["day", "slot__starts_at"]
        indexes = [models.Index(fields=["area", "revision"], name="queue_booking_changes")]
        constraints = [
            # A double click, or a second try from the same phone, books nothing more.
            models.UniqueConstraint(
                fields=["area", "day", "phone"],
                condition=~models.Q(status="cancelled"),
                name="queue_one_booking_per_phone_area_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.slot}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")


ACTIVE = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})


class TicketSource(models.TextChoices):
    """How a ticket was issued: the manager counts people by the way they came in."""

    KIOSK = "kiosk", _("Kiosk")
    GUIDE = "guide", _("Guide at the entrance")
    APPOINTMENT = "appointment", _("Booking check-in")


class TicketQuerySet(models.QuerySet["Ticket"]):
    def waiting(self) -> TicketQuerySet:
        return self.filter(status=TicketStatus.WAITING)


class Ticket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    center = models.ForeignKey(
        "units.Unit", verbose_name=_("center"), on_delete=models.PROTECT, related_name="tickets"
    )
    area = models.ForeignKey(
        ServiceArea,
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    issued_area = models.ForeignKey(
        ServiceArea, verbose_name=_("issued for"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    seq = models.PositiveIntegerField(_("number of the day in its area"))
    number = models.PositiveIntegerField(_("ticket number"))
    priority_group = models.ForeignKey(
        PriorityGroup,
        verbose_name=_("priority group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.BooleanField(_("priority"), default=False)
    source = models.CharField(_("channel"), max_length=12, choices=TicketSource.choices)
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    # Lets the holder follow the queue on a phone without seeing other tickets.
    token = models.CharField(_("status page key"), max_length=24, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    queued_at = models.DateTimeField(_("in the queue since"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_tickets",
    )
    # Facts fixed once, so reports by weekday and hour read plain columns.
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    wait_seconds = models.PositiveIntegerField(_("waiting time (s)"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(_("service time (s)"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["day", "issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["issued_area", "day", "seq"], name="queue_ticket_seq"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["called", "serving"])
                | models.Q(counter__isnull=False),
                name="queue_active_ticket_has_counter",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "status", "queued_at"], name="queue_waiting"),
            models.Index(fields=["center", "day"], name="queue_center_day"),
        ]

    def __str__(self) -> str:
        return str(self.number)


class TicketEvent(models.Model):
    """Everything that happened to a ticket, appended and never changed."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Called again")
        STARTED = "started", _("Service started")
        FINISHED = "finished", _("Finished")
        NO_SHOW = "no_show", _("Marked absent")
        TRANSFERRED = "transferred", _("Transferred")
        LINKED = "linked", _("Linked to a dossier")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind}"


class CounterEvent(models.Model):
    """A counter opened, paused, resumed or closed, and by whom."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), on_delete=models.CASCADE, related_name="events"
    )
    state = models.CharField(_("state"), max_length=10, choices=CounterState.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("counter event")
        verbose_name_plural = _("counter events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.counter} {self.state}"


class BoardEvent(models.Model):
    """What the display boards of this node show next: one row per call, recall or pause.

    A node-local feed, never synchronised: its increasing integer id is the
    SSE event id a board resumes from, and on SQLite (one writer at a time)
    rows become visible in id order, so a board polls ``id > last``.
    """

    id = models.BigAutoField(primary_key=True)
    center = models.ForeignKey(
        "units.Unit", verbose_name=_("center"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("what"), max_length=10)
    counter_number = models.PositiveSmallIntegerField(_("counter"))
    ticket_number = models.PositiveIntegerField(_("ticket number"), null=True, blank=True)

    class Meta:
        verbose_name = _("board event")
        verbose_name_plural = _("board events")
        indexes = [models.Index(fields=["center", "id"], name="queue_board_feed")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_number} → {self.counter_number}"
