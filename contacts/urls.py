from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_add, name="add"),
    path("call/", views.call_number, name="call_number"),
    path("import/", views.contact_import, name="import"),
    path("import/<str:token>/", views.contact_import_map, name="import_map"),
    path("export.csv", views.contact_export, name="export"),
    path("<uuid:contact_id>/", views.contact_detail, name="detail"),
    path("<uuid:contact_id>/card/", views.contact_card, name="card"),
    path("<uuid:contact_id>/edit/", views.contact_edit, name="edit"),
    path("<uuid:contact_id>/delete/", views.contact_delete, name="delete"),
    path("<uuid:contact_id>/opt-out/", views.contact_opt_out, name="opt_out"),
    path("<uuid:contact_id>/opt-in/", views.contact_opt_in, name="opt_in"),
    path("<uuid:contact_id>/call/", views.contact_call, name="call"),
    path("<uuid:contact_id>/memories/", views.memory_add, name="memory_add"),
    path("<uuid:contact_id>/memories/<uuid:memory_id>/", views.memory_item, name="memory"),
    path(
        "<uuid:contact_id>/memories/<uuid:memory_id>/edit/", views.memory_edit, name="memory_edit"
    ),
    path(
        "<uuid:contact_id>/memories/<uuid:memory_id>/delete/",
        views.memory_delete,
        name="memory_delete",
    ),
]
