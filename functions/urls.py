from django.urls import path

from functions import views, webhook_urls

app_name = "functions"
urlpatterns = [
    path("agent/<uuid:agent_id>/", views.function_list, name="list"),
    path("agent/<uuid:agent_id>/new/", views.function_create, name="create"),
    path("<uuid:function_id>/edit/", views.function_edit, name="edit"),
    path("<uuid:function_id>/delete/", views.function_delete, name="delete"),
    path("<uuid:function_id>/toggle/", views.function_toggle, name="toggle"),
    path("<uuid:function_id>/test/", views.function_test, name="test"),
    *webhook_urls.urlpatterns,
]
