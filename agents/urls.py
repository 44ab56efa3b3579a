from django.urls import path

from agents import library_views, views

app_name = "agents"
urlpatterns = [
    path("", views.agent_list, name="list"),
    path("new/", views.agent_create, name="create"),
    path("template-fields/", views.template_fields, name="template_fields"),
    path("prompts/", library_views.prompt_list, name="prompts"),
    path("prompts/new/", library_views.prompt_create, name="prompt_create"),
    path("prompts/<uuid:prompt_id>/edit/", library_views.prompt_edit, name="prompt_edit"),
    path("prompts/<uuid:prompt_id>/delete/", library_views.prompt_delete, name="prompt_delete"),
    path("<uuid:agent_id>/", views.agent_detail, name="detail"),
    path("<uuid:agent_id>/edit/", views.agent_edit, name="edit"),
    path("<uuid:agent_id>/calls/", views.agent_calls, name="calls"),
    path("<uuid:agent_id>/toggle/", views.agent_toggle, name="toggle"),
    path("<uuid:agent_id>/sync/", views.agent_sync, name="sync"),
    path("<uuid:agent_id>/delete/", views.agent_delete, name="delete"),
    path("<uuid:agent_id>/try/", views.agent_try, name="try"),
    path("<uuid:agent_id>/history/", views.agent_history, name="history"),
    path("<uuid:agent_id>/history/<uuid:version_id>/", views.agent_version, name="version"),
    path(
        "<uuid:agent_id>/history/<uuid:version_id>/restore/",
        views.agent_version_restore,
        name="version_restore",
    ),
]
