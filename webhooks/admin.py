from django.contrib import admin

from webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "agency", "active", "failing_since", "created_at"]
    list_filter = ["agency", "active"]
    readonly_fields = ["disabled_reason", "failing_since", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # added on the Webhooks page or by the API (the secret is shown there)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "agency"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
