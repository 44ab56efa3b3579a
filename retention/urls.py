from django.urls import path

from retention import views

app_name = "retention"
urlpatterns = [
    path("data/", views.data_page, name="data"),
    path("contacts/<uuid:contact_id>/forget/", views.forget, name="forget"),
    path(
        "contacts/<uuid:contact_id>/access-export.json",
        views.access_export,
        name="access_export",
    ),
]
