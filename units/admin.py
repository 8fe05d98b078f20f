from django.contrib import admin

from units.models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "kind", "level", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active", "province"]
    search_fields = ["code", "name_vi", "name_en", "short_name"]
    autocomplete_fields = ["parent", "province"]
    fieldsets = [
        (None, {"fields": ["code", "name_vi", "name_en", "short_name", "kind", "level"]}),
        (None, {"fields": ["province", "parent", "address", "phone", "is_active"]}),
        (None, {"fields": ["work_periods", "same_day_cutoff"]}),
    ]
