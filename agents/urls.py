from django.urls import path

from agents import views

app_name = "agents"
urlpatterns = [
    path("", views.agent_list, name="list"),
    path("new/", views.agent_create, name="create"),
    path("template-fields/", views.template_fields, name="template_fields"),
    path("<uuid:agent_id>/", views.agent_detail, name="detail"),
    path("<uuid:agent_id>/edit/", views.agent_edit, name="edit"),
    path("<uuid:agent_id>/calls/", views.agent_calls, name="calls"),
    path("<uuid:agent_id>/toggle/", views.agent_toggle, name="toggle"),
    path("<uuid:agent_id>/sync/", views.agent_sync, name="sync"),
    path("<uuid:agent_id>/delete/", views.agent_delete, name="delete"),
]
