from django.urls import path

from sandbox import views

urlpatterns = [
    path("outbox/", views.outbox, name="sandbox_outbox"),
    path("simulate-sms/", views.simulate_sms, name="sandbox_simulate_sms"),
    path(
        "agents/<uuid:agent_id>/simulate-inbound/",
        views.simulate_inbound,
        name="sandbox_simulate_inbound",
    ),
]
