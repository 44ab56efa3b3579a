from django.contrib import admin

from messages.models import SmsTemplate, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("phone", "agency", "last_message_at", "unread_count")
    search_fields = ("phone",)
    raw_id_fields = ("agency", "contact")


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")
