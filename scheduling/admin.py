from django.contrib import admin

from scheduling.models import ScheduledCall


@admin.register(ScheduledCall)
class ScheduledCallAdmin(admin.ModelAdmin):
    list_display = ("phone", "scheduled_at", "status", "agency", "agent")
    list_filter = ("status",)
    search_fields = ("phone",)
    raw_id_fields = ("agency", "agent", "contact", "call", "from_number")
