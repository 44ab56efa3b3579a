from django.urls import path

from onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("connections/", views.connections_page, name="connections"),
    path("connections/check/", views.check_now, name="check"),
    path("connections/test/", views.send_test, name="send_test"),
    path("getting-started/sandbox/", views.stay_in_sandbox, name="stay_in_sandbox"),
    path("getting-started/dismiss/", views.dismiss_checklist, name="dismiss_checklist"),
]
