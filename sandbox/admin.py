from django.contrib import admin

from sandbox.models import SandboxConversation, SandboxMessage


@admin.register(SandboxMessage)
class SandboxMessageAdmin(admin.ModelAdmin):
    list_display = ("to_phone", "body", "created_at")
    search_fields = ("to_phone", "body")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    readonly_fields = ("created_at",)


@admin.register(SandboxConversation)
class SandboxConversationAdmin(admin.ModelAdmin):
    list_display = (
        "conversation_id",
        "direction",
        "external_number",
        "delivery_status",
        "created_at",
    )
    search_fields = ("conversation_id", "agent_id", "external_number")
    list_filter = ("direction", ("created_at", admin.DateFieldListFilter))
    readonly_fields = ("created_at", "ended_at")
