from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("<uuid:call_id>/", views.call_detail, name="detail"),
    path("<uuid:call_id>/recording", views.call_recording, name="recording"),
]
