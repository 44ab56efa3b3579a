from django.urls import path

from api import views

app_name = "api_keys"
urlpatterns = [
    path("", views.api_keys, name="list"),
    path("<uuid:key_id>/revoke/", views.revoke_api_key, name="revoke"),
]
