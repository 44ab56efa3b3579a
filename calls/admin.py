from django.contrib import admin

from calls import receiving
from calls.models import Call, SmsMessage, WebhookEvent


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "agency",
        "direction",
        "status",
        "from_phone",
        "to_phone",
        "agent_name",
        "contact",
        "duration",
        "sms_sent",
    )
    list_filter = (
        "agency",
        "status",
        "direction",
        "sms_sent",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = (
        "from_phone",
        "to_phone",
        "contact__name",
        "elevenlabs_conversation_id",
        "agent_name",
    )
    readonly_fields = (
        "created_at",
        "sms_sent_at",
        "started_at",
        "ended_at",
        "sms_status",
        "sms_sid",
        "sms_attempts",
    )
    raw_id_fields = ("agent", "contact")
    list_select_related = ("contact", "agency")
    date_hierarchy = "created_at"
    # The calls table grows without bound; an exact COUNT on every change list is too slow.
    show_full_result_count = False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "agency",
        "event_type",
        "conversation_id",
        "processed_at",
        "attempts",
        "failed_at",
        "last_error",
    )
    list_select_related = ("agency",)
    list_filter = (
        "agency",
        "event_type",
        ("processed_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("conversation_id",)
    readonly_fields = (
        "agency",
        "event_type",
        "conversation_id",
        "payload",
        "received_at",
        "claimed_at",
        "processed_at",
        "attempts",
        "next_attempt_at",
        "failed_at",
        "last_error",
    )
    actions = ["retry_events"]
    show_full_result_count = False

    @admin.action(description="Retry the selected events now")
    def retry_events(self, request, queryset):
        retried = sum(receiving.retry_event(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{retried} event(s) will be processed again.")


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "agency",
        "direction",
        "from_phone",
        "to_phone",
        "status",
        "error_code",
    )
    list_filter = ("agency", "direction", "status")
    list_select_related = ("agency",)
    search_fields = ("sid", "from_phone", "to_phone", "body")
    raw_id_fields = ("agency", "contact", "call")
    readonly_fields = ("sid", "created_at", "updated_at")
    show_full_result_count = False
