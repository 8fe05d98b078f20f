"""Queue configuration per center; tickets and their events are read-only here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from queueing.models import (
    Appointment,
    Counter,
    OnlinePriorityDay,
    OpeningHours,
    PriorityGroup,
    QueueSettings,
    ServiceArea,
    Slot,
    Ticket,
    TicketEvent,
)


@admin.register(PriorityGroup)
class PriorityGroupAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "name_en", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(QueueSettings)
class QueueSettingsAdmin(admin.ModelAdmin):
    list_display = ["center", "recalls_before_no_show", "board_history"]
    autocomplete_fields = ["center"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["center", "weekday", "opens_at", "closes_at"]
    list_filter = ["center"]


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "center", "number_base", "policy", "interleave_every", "is_active"]
    list_filter = ["center", "policy", "is_active"]
    filter_horizontal = ["procedures", "fields"]
    search_fields = ["name_vi", "name_en"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["number", "center", "state", "officer"]
    list_filter = ["center", "state"]
    filter_horizontal = ["areas"]
    readonly_fields = ["state", "officer", "state_since"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["day", "starts_at", "ends_at", "area", "capacity", "booked"]
    list_filter = ["area__center", "area", "day"]
    date_hierarchy = "day"


@admin.register(OnlinePriorityDay)
class OnlinePriorityDayAdmin(admin.ModelAdmin):
    list_display = ["day", "center"]
    list_filter = ["center"]


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "day", "slot", "area", "name", "channel", "status"]
    list_filter = ["status", "channel", "area__center"]
    search_fields = ["code", "phone"]


class TicketEventInline(ReadOnly, admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ["at", "kind", "actor", "counter", "note"]
    readonly_fields = ["at", "kind", "actor", "counter", "note"]


@admin.register(Ticket)
class TicketAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "number",
        "day",
        "area",
        "source",
        "priority",
        "status",
        "counter",
        "wait_seconds",
    ]
    list_filter = ["status", "source", "priority", "center", "area"]
    date_hierarchy = "day"
    inlines = [TicketEventInline]
