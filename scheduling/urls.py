from django.urls import path

from scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.scheduled_list, name="list"),
    path("week/", views.scheduled_week, name="week"),
    path("new/", views.schedule_new, name="new"),
    path("<uuid:scheduled_call_id>/", views.scheduled_detail, name="detail"),
    path("<uuid:scheduled_call_id>/edit/", views.scheduled_edit, name="edit"),
    path("<uuid:scheduled_call_id>/cancel/", views.scheduled_cancel, name="cancel"),
]
