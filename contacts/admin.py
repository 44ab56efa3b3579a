from django.contrib import admin

from contacts.models import Contact, ImportMapping, Memory, SuppressedNumber


class MemoryInline(admin.TabularInline):
    model = Memory
    extra = 0
    fields = ("content", "source", "call", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("call",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "phone",
        "agency",
        "email",
        "opted_out_at",
        "last_call_at",
        "created_at",
    )
    list_filter = (
        "agency",
        ("opted_out_at", admin.EmptyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        ("last_call_at", admin.DateFieldListFilter),
    )
    search_fields = ("name", "phone", "notes")
    list_select_related = ("agency",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [MemoryInline]


@admin.register(Memory)
class MemoryAdmin(admin.ModelAdmin):
    list_display = ("content", "contact", "agency", "source", "created_at")
    list_filter = ("agency", "source", ("created_at", admin.DateFieldListFilter))
    search_fields = ("content", "contact__name", "contact__phone")
    readonly_fields = ("created_at",)
    raw_id_fields = ("contact", "call")
    list_select_related = ("contact", "agency")


@admin.register(SuppressedNumber)
class SuppressedNumberAdmin(admin.ModelAdmin):
    list_display = ("phone", "agency", "suppressed_at", "source")
    list_filter = ("agency",)
    list_select_related = ("agency",)
    search_fields = ("phone",)
    readonly_fields = ("suppressed_at",)


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "agency", "kind", "updated_at")
    list_filter = ("agency", "kind")
    list_select_related = ("agency",)
    readonly_fields = ("updated_at",)
