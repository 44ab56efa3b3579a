from django.contrib import admin

from outcomes.models import Disposition, LeadAlert, LeadAlertRule, Outcome


@admin.register(Disposition)
class DispositionAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "agency", "converts", "position")
    list_filter = ("agency", "converts")
    search_fields = ("key", "label")


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "agency", "outcome_type", "confidence", "corrected_by")
    list_filter = ("agency", "outcome_type", "webhook_sent")
    search_fields = ("call__elevenlabs_conversation_id", "summary")
    raw_id_fields = ("call",)
    readonly_fields = ("created_at", "updated_at", "webhook_sent_at", "webhook_response_code")


@admin.register(LeadAlertRule)
class LeadAlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "trigger", "enabled", "by_sms", "by_email")
    list_filter = ("agency", "trigger", "enabled")
    raw_id_fields = ("staff_member",)


@admin.register(LeadAlert)
class LeadAlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "agency", "channel", "to", "status", "attempts")
    list_filter = ("agency", "channel", "status")
    raw_id_fields = ("call", "rule")
    readonly_fields = ("created_at", "sent_at", "sid")
