from django.contrib import admin

from functions.models import CustomFunction


@admin.register(CustomFunction)
class CustomFunctionAdmin(admin.ModelAdmin):
    list_display = ("name", "agent", "method", "endpoint", "auth_type", "enabled", "updated_at")
    list_filter = ("method", "auth_type", "enabled", ("created_at", admin.DateFieldListFilter))
    search_fields = ("name", "description", "endpoint", "agent__name")
    # Secrets are never shown or edited here; staff replace them on the function page.
    exclude = ("auth_config",)
    readonly_fields = ("created_at", "updated_at", "elevenlabs_tool_id")
    list_select_related = ("agent",)
