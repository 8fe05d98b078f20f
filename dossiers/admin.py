"""Read-only views of dossiers for administrators; changes go through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dossiers.audit import access_record
from dossiers.models import AccessRecord, Applicant, Dossier, DossierComponent, DossierEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = readonly_fields = (
        "at",
        "action",
        "from_status",
        "to_status",
        "actor_name",
        "unit",
        "note",
        "node_id",
        "seq",
    )
    ordering = ["seq"]


class AccessInline(ReadOnlyInline):
    model = AccessRecord
    fields = readonly_fields = ("at", "username", "kind", "detail")
    ordering = ["-at"]
    verbose_name_plural = _("who read this dossier")


class PaperInline(ReadOnlyInline):
    model = DossierComponent
    fields = readonly_fields = ("name", "originals", "copies", "reused", "supplement", "file")


class RecordedReads(admin.ModelAdmin):
    """A change page shows personal data: opening it is recorded like any staff read."""

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None and isinstance(request.user, User):
            access_record(
                user=request.user,
                kind=AccessRecord.Kind.PAGE,
                dossier=obj if isinstance(obj, Dossier) else None,
                applicant=obj if isinstance(obj, Applicant) else None,
                detail="admin",
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(RecordedReads, ReadOnlyAdmin):
    list_display = [
        "code",
        "status",
        "procedure_version",
        "receiving_unit",
        "received_at",
        "due_at",
    ]
    list_filter = ["status", "channel", "receiving_unit", "competent_unit"]
    search_fields = ["code", "applicant__full_name", "applicant__id_number"]
    date_hierarchy = "received_at"
    list_select_related = ["procedure_version", "receiving_unit"]
    inlines = [PaperInline, EventInline, AccessInline]


@admin.register(Applicant)
class ApplicantAdmin(RecordedReads):
    list_display = ["full_name", "kind", "id_number", "phone"]
    search_fields = ["full_name", "id_number", "phone"]
    list_filter = ["kind"]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """Who read which dossier or paper; written by the pages, never edited."""

    list_display = ["at", "username", "kind", "dossier", "applicant", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "dossier__code", "applicant__id_number"]
    date_hierarchy = "at"
    list_select_related = ["dossier", "applicant"]
