from django.contrib import admin
from django.db import models

from functions.models import CustomFunction, FunctionInvocation


@admin.register(CustomFunction)
class CustomFunctionAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "agency",
        "agent",
        "method",
        "endpoint",
        "auth_type",
        "enabled",
        "secrets",
        "updated_at",
    )
    list_filter = (
        "agency",
        "method",
        "auth_type",
        "enabled",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("name", "description", "endpoint", "agent__name")
    # Secrets are never shown or edited here; staff replace them on the function page.
    exclude = ("auth_config", "secret_headers", "invocation_token")
    # The agency is always the agent's (set on save).
    readonly_fields = ("agency", "created_at", "updated_at", "elevenlabs_tool_id")
    list_select_related = ("agency", "agent")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Secrets")
    def secrets(self, function: CustomFunction) -> str:
        unreadable = function.unreadable_secrets
        if unreadable:
            return "Undecryptable: re-enter the " + " and ".join(unreadable) + " on its page"
        return "OK"


@admin.register(FunctionInvocation)
class FunctionInvocationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "agency",
        "function",
        "source",
        "status",
        "http_status",
        "latency_ms",
    )
    list_filter = ("agency", "status", "source", ("created_at", admin.DateFieldListFilter))
    search_fields = ("conversation_id", "function__name", "error")
    list_select_related = ("agency", "function")
    readonly_fields = [field.name for field in FunctionInvocation._meta.fields]

    def has_add_permission(self, request):
        return False  # a log: written by the proxy only
