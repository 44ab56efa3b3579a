from django.urls import path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("add/", views.document_add, name="add"),
    path("<uuid:document_id>/", views.document_detail, name="detail"),
    path("<uuid:document_id>/status/", views.document_status, name="status"),
    path("<uuid:document_id>/edit/", views.document_edit, name="edit"),
    path("<uuid:document_id>/agents/", views.document_agents, name="agents"),
    path("<uuid:document_id>/resync/", views.document_resync, name="resync"),
    path("<uuid:document_id>/delete/", views.document_delete, name="delete"),
    path("agent/<uuid:agent_id>/", views.agent_knowledge, name="agent"),
]
