from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<uuid:endpoint_id>/", views.endpoint_detail, name="detail"),
    path("<uuid:endpoint_id>/edit/", views.endpoint_edit, name="edit"),
    path("<uuid:endpoint_id>/test/", views.endpoint_test, name="test"),
    path("<uuid:endpoint_id>/secret/", views.endpoint_rotate_secret, name="rotate_secret"),
    path("<uuid:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
    path(
        "<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/",
        views.delivery_detail,
        name="delivery",
    ),
    path(
        "<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend/",
        views.delivery_resend,
        name="resend",
    ),
]
