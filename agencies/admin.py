from django.contrib import admin

from agencies.models import Agency, Invitation, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "active", "time_zone", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "created_at")
    list_filter = ("agency", "role")
    search_fields = ("user__username", "user__email", "agency__name")
    autocomplete_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "agency", "role", "created_at", "accepted_at")
    list_filter = ("agency", "role")
    search_fields = ("email", "agency__name")
    readonly_fields = ("created_at", "accepted_at", "accepted_by", "invited_by")
