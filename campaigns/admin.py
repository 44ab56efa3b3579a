from django.contrib import admin

from campaigns.models import BatchContact, Campaign, Job, JobCall, Upload


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "created_at", "updated_at")
    search_fields = ("name", "description")
    list_filter = ("agency", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("agency",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("filename", "campaign", "agency", "total_rows", "invalid_rows", "created_at")
    search_fields = ("filename", "campaign__name")
    list_filter = ("agency", ("created_at", admin.DateFieldListFilter))
    readonly_fields = ("agency", "created_at")
    list_select_related = ("campaign", "agency")


@admin.register(BatchContact)
class BatchContactAdmin(admin.ModelAdmin):
    list_display = ("phone", "name", "upload", "agency", "line_number", "created_at")
    search_fields = ("phone", "name")
    list_filter = ("agency",)
    readonly_fields = ("agency", "created_at")
    raw_id_fields = ("upload",)
    list_select_related = ("upload", "agency")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "campaign",
        "agency",
        "agent",
        "status",
        "total_calls",
        "completed_calls",
        "failed_calls",
        "created_at",
    )
    list_filter = ("agency", "status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("campaign__name", "agent__name")
    # Counters are recomputed from the job calls (Job.refresh_counters), never typed in.
    readonly_fields = (
        "agency",
        "created_at",
        "started_at",
        "finished_at",
        "total_calls",
        "completed_calls",
        "failed_calls",
        "pending_calls",
        "calling_calls",
        "needs_review_calls",
        "skipped_calls",
        "cancelled_calls",
        "refused_calls",
    )
    raw_id_fields = ("campaign", "upload", "agent")
    list_select_related = ("campaign", "agent", "agency")


@admin.register(JobCall)
class JobCallAdmin(admin.ModelAdmin):
    # Status changes go through the job page (retry / mark failed) so counters stay true.
    list_display = (
        "batch_contact",
        "job",
        "agency",
        "status",
        "attempts",
        "next_attempt_at",
        "updated_at",
    )
    list_filter = ("agency", "status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("batch_contact__phone", "batch_contact__name")
    readonly_fields = ("agency", "created_at", "updated_at", "claimed_at", "status", "attempts")
    raw_id_fields = ("job", "batch_contact", "call")
    list_select_related = ("batch_contact", "job", "agency")
