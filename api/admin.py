from django.contrib import admin

from api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "prefix", "read_only", "created_at", "last_used_at"]
    list_filter = ["agency", "read_only"]
    # Keys are made on the API keys page or with `create_api_key` (shown once there).
    readonly_fields = [
        "agency",
        "prefix",
        "key_hash",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    fields = ["name", "read_only", *readonly_fields]

    def has_add_permission(self, request):
        return False
