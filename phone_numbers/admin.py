from django.contrib import admin

from phone_numbers.models import PhoneNumber


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "label", "agency", "direction", "active", "agent"]
    list_filter = ["agency", "direction", "active"]
    search_fields = ["number", "label"]
    exclude = ["twilio_auth_token"]
