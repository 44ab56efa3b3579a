from django.contrib import admin

from calls.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = (
        "created_at", "direction", "status", "from_phone", "to_phone", "agent_name",
        "contact", "duration", "sms_sent",
    )
    list_filter = ("status", "direction", "sms_sent", ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "from_phone", "to_phone", "contact__name", "elevenlabs_conversation_id", "agent_name",
    )
    readonly_fields = ("created_at", "sms_sent_at", "started_at", "ended_at")
    raw_id_fields = ("agent", "contact")
    list_select_related = ("contact",)
    date_hierarchy = "created_at"
    # The calls table grows without bound; an exact COUNT on every change list is too slow.
    show_full_result_count = False
