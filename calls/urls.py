from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("live/", views.live_call_list, name="live"),
    path("webhook-problems/", views.webhook_problems, name="webhook_problems"),
    path(
        "webhook-problems/<int:event_id>/retry/",
        views.webhook_problem_retry,
        name="webhook_problem_retry",
    ),
    path("<uuid:call_id>/", views.call_detail, name="detail"),
    path("<uuid:call_id>/recording", views.call_recording, name="recording"),
]
