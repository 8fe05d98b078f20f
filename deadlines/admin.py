from django.contrib import admin

from deadlines.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "unit", "source"]
    list_filter = ["kind", "source", "unit"]
    search_fields = ["name"]
    date_hierarchy = "date"
    autocomplete_fields = ["unit"]
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # An administrator's edit is a decision of its own: the yearly seed
        # must not overwrite it later.
        obj.source = "manual"
        super().save_model(request, obj, form, change)
