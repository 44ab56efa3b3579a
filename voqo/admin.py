from django.contrib import admin

from voqo.models import Setting


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    list_display = ("key", "agency", "value", "updated_at")
    list_filter = ("agency",)
    search_fields = ("key",)
    readonly_fields = ("updated_at",)
