from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<uuid:campaign_id>/", views.campaign_detail, name="detail"),
    path("<uuid:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<uuid:campaign_id>/uploads/new/", views.upload_new, name="upload"),
    path("<uuid:campaign_id>/uploads/confirm/", views.upload_confirm, name="upload_confirm"),
    path("<uuid:campaign_id>/uploads/<uuid:upload_id>/", views.upload_detail, name="upload_detail"),
    path("<uuid:campaign_id>/jobs/new/", views.job_create, name="job_create"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/run/", views.job_run, name="job_run"),
    path("jobs/<uuid:job_id>/pause/", views.job_pause, name="job_pause"),
    path("jobs/<uuid:job_id>/resume/", views.job_resume, name="job_resume"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:job_id>/report.csv", views.job_report, name="job_report"),
    path("jobs/<uuid:job_id>/numbers-to-wash.txt", views.job_wash_export, name="job_wash_export"),
    path("jobs/<uuid:job_id>/recheck/", views.job_recheck_refused, name="job_recheck_refused"),
    path(
        "jobs/<uuid:job_id>/calls/<uuid:job_call_id>/retry/",
        views.job_call_retry,
        name="job_call_retry",
    ),
    path(
        "jobs/<uuid:job_id>/calls/<uuid:job_call_id>/fail/",
        views.job_call_fail,
        name="job_call_fail",
    ),
]
