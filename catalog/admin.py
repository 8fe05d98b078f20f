"""Admin for the catalog.

A frozen version (a dossier was received under it) and everything in it is
shown read-only: the way to change it is "Make an editable copy", which adds a
new current version. Edits by hand refresh the version's search text and
content hash, so search and the next import see them.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    Case,
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    Step,
)
from catalog.services import (
    next_version_number,
    procedure_version_copy,
    procedure_version_refresh,
)
from catalog.text import search_q


def _frozen(version: ProcedureVersion | None) -> bool:
    return version is not None and version.is_locked


def _case_frozen(case: Case | None) -> bool:
    return case is not None and case.version.is_locked


def _folded_search(
    queryset: QuerySet[Any], results: QuerySet[Any], term: str, field_name: str
) -> QuerySet[Any]:
    # The admin's own search wants the tone marks typed exactly; this also
    # finds "cap lai can cuoc" in "Cấp lại thẻ căn cước".
    if term.strip():
        results = results | queryset.filter(search_q(term, field_name))
    return results


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]
    ordering = ["code"]


class VersionInline(admin.TabularInline):
    """The history of a procedure; versions are edited on their own page."""

    model = ProcedureVersion
    fields = ("number", "name_vi", "online_level", "locked_at", "created_at")
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ["code", "field", "current_version", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.fields.get("current_version")
        if isinstance(current, ModelChoiceField):
            # Only this procedure's own versions may be made current.
            current.queryset = ProcedureVersion.objects.filter(
                procedure_id=self.instance.pk
            ).order_by("-number")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureForm
    list_display = ["code", "current_name", "field", "current_number", "is_active"]
    list_filter = ["is_active", "field"]
    list_select_related = ["field", "current_version"]
    search_fields = ["code"]
    autocomplete_fields = ["field"]
    inlines = [VersionInline]

    @admin.display(description=_("name"), ordering="current_version__name_vi")
    def current_name(self, obj: Procedure) -> str:
        return obj.current_version.name if obj.current_version else ""

    @admin.display(description=_("current version"), ordering="current_version__number")
    def current_number(self, obj: Procedure) -> int | None:
        return obj.current_version.number if obj.current_version else None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Files and other nodes find a procedure by its code.
        return ["code"] if obj is not None else []

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        found = _folded_search(queryset, results, search_term, "current_version__search_text")
        return found, may_have_duplicates

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a procedure would take its frozen versions with it.
        if obj is not None and obj.versions.filter(locked_at__isnull=False).exists():
            return False
        return super().has_delete_permission(request, obj)


class CaseInline(admin.TabularInline):
    model = Case
    fields = ["position", "code", "name_vi", "name_en", "time_value", "time_unit"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "name_vi", "online_level", "is_current", "locked_at"]
    list_filter = ["level", "online_level", "agency", ("locked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "name_vi", "name_en"]
    autocomplete_fields = ["procedure"]
    inlines = [CaseInline]
    actions = ["make_editable_copy"]
    fieldsets = [
        (None, {"fields": ["procedure", "number", "name_vi", "name_en"]}),
        (
            _("Competence"),
            {"fields": ["level", "agency", "agency_name_vi", "agency_name_en"]},
        ),
        (
            _("Filing"),
            {"fields": ["online_level", "for_citizens", "for_businesses", "keywords"]},
        ),
        (_("Legal basis and result"), {"fields": ["legal_basis", "result_vi", "result_en"]}),
        (
            _("Record"),
            {
                "classes": ["collapse"],
                "fields": ["locked_at", "content_hash", "search_text", "created_at", "updated_at"],
            },
        ),
    ]

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj: ProcedureVersion) -> bool:
        return obj.procedure.current_version_id == obj.pk

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["number", "locked_at", "content_hash", "search_text", "created_at", "updated_at"]
        # A version never moves to another procedure.
        return [*fields, "procedure"] if obj is not None else fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return _folded_search(queryset, results, search_term, "search_text"), may_have_duplicates

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            # The lock keeps two editors from taking the same number; the admin
            # runs this inside its own transaction.
            procedure = Procedure.objects.select_for_update().get(pk=obj.procedure_id)
            obj.number = next_version_number(procedure)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        version = form.instance
        procedure_version_refresh(version=version)
        procedure = version.procedure
        if procedure.current_version_id is None:
            procedure.current_version = version
            procedure.save(update_fields=["current_version"])

    @admin.action(description=_("Make an editable copy"), permissions=["add"])
    def make_editable_copy(
        self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]
    ) -> None:
        for version in queryset.select_related("procedure").order_by("procedure__code", "number"):
            copy = procedure_version_copy(version=version)
            self.message_user(
                request,
                gettext(
                    "%(procedure)s: version %(number)d, a copy of version %(source)d, "
                    "is now current and can be edited."
                )
                % {
                    "procedure": version.procedure.code,
                    "number": copy.number,
                    "source": version.number,
                },
                messages.SUCCESS,
            )


class _CasePartInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _case_frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _case_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _case_frozen(obj) and super().has_delete_permission(request, obj)


class ComponentInline(_CasePartInline):
    model = Component
    fields = [
        "position",
        "name_vi",
        "name_en",
        "originals",
        "copies",
        "mandatory",
        "reusable",
        "note_vi",
        "note_en",
    ]


class FeeInline(_CasePartInline):
    model = Fee
    fields = ["position", "name_vi", "name_en", "amount"]


class StepInline(_CasePartInline):
    model = Step
    fields = ["position", "name_vi", "name_en", "actor", "days"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "code", "version", "time_label"]
    list_select_related = ["version__procedure"]
    search_fields = ["name_vi", "name_en", "version__procedure__code"]
    fields = ["version", "position", "code", "name_vi", "name_en", "time_value", "time_unit"]
    inlines = [ComponentInline, FeeInline, StepInline]

    @admin.display(description=_("processing time"))
    def time_label(self, obj: Case) -> str:
        return obj.time_label

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        # Cases are reached from their version; a flat list of every case of
        # every version on the admin index would only confuse.
        return {}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["version"] if obj is not None else []

    def formfield_for_foreignkey(
        self, db_field: "ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "version":
            kwargs["queryset"] = ProcedureVersion.objects.filter(
                locked_at__isnull=True
            ).select_related("procedure")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _case_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _case_frozen(obj) and super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        procedure_version_refresh(version=form.instance.version)

    def delete_model(self, request: HttpRequest, obj: Case) -> None:
        version = obj.version
        super().delete_model(request, obj)
        procedure_version_refresh(version=version)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        versions = list(ProcedureVersion.objects.filter(cases__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for version in versions:
            procedure_version_refresh(version=version)
