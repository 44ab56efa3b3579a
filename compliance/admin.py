from django.contrib import admin

from compliance.models import Consent, DialRefusal, WashResult


@admin.register(WashResult)
class WashResultAdmin(admin.ModelAdmin):
    list_display = ("phone", "agency", "registered", "dncr_checked_at", "source")
    list_filter = ("agency", "registered")
    search_fields = ("phone",)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = (
        "contact",
        "agency",
        "kind",
        "method",
        "obtained_at",
        "expires_at",
        "withdrawn_at",
    )
    list_filter = ("agency", "kind", "method")
    raw_id_fields = ("contact", "call", "recorded_by")


@admin.register(DialRefusal)
class DialRefusalAdmin(admin.ModelAdmin):
    list_display = ("phone", "agency", "code", "purpose", "refused_at")
    list_filter = ("agency", "code")
    search_fields = ("phone",)
    # The record of what was refused: nobody edits it.
    readonly_fields = ("agency", "phone", "purpose", "code", "reason", "job_id", "refused_at")
