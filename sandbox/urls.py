from django.urls import path

from sandbox import views

urlpatterns = [
    path("outbox/", views.outbox, name="sandbox_outbox"),
    path("voices/<slug:voice_id>/preview.wav", views.voice_preview, name="sandbox_voice_preview"),
    path("agents/<uuid:agent_id>/try/", views.try_conversation, name="sandbox_try_conversation"),
    path("simulate-sms/", views.simulate_sms, name="sandbox_simulate_sms"),
    path(
        "agents/<uuid:agent_id>/simulate-inbound/",
        views.simulate_inbound,
        name="sandbox_simulate_inbound",
    ),
]
