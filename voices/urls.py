from django.urls import path

from voices import views

app_name = "voices"
urlpatterns = [
    path("", views.library, name="library"),
    path("consent/", views.consent_add, name="consent_add"),
    path("clone/", views.clone, name="clone"),
    path("samples/add/", views.sample_add, name="sample_add"),
    path("callers/", views.caller_map, name="caller_map"),
    path("callers/<uuid:mapping_id>/remove/", views.caller_unmap, name="caller_unmap"),
    path("cache/", views.ttl, name="ttl"),
    path("log/", views.log, name="log"),
    path("<uuid:library_voice_id>/", views.detail, name="detail"),
    path("<uuid:library_voice_id>/rename/", views.rename, name="rename"),
    path("<uuid:library_voice_id>/delete/", views.delete, name="delete"),
]
