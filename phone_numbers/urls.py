from django.urls import path

from phone_numbers import views

app_name = "phone_numbers"
urlpatterns = [
    path("", views.number_list, name="list"),
    path("new/", views.number_create, name="create"),
    path("<uuid:number_id>/edit/", views.number_edit, name="edit"),
    path("<uuid:number_id>/sync/", views.number_sync, name="sync"),
    path("<uuid:number_id>/delete/", views.number_delete, name="delete"),
]
