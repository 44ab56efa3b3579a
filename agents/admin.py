from django.contrib import admin

from agents.models import Agent


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "agency",
        "template",
        "enabled",
        "sync_status",
        "elevenlabs_agent_id",
        "updated_at",
    )
    list_filter = (
        "agency",
        "template",
        "enabled",
        "sync_status",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("name", "description", "elevenlabs_agent_id")
    readonly_fields = ("created_at", "updated_at", "synced_at")
    list_select_related = ("agency",)

    def get_readonly_fields(self, request, obj=None):
        # Its functions, invocations and calls stay in the agency it was created in.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "agency") if obj is not None else readonly
