"""Provider-facing routes of the contacts domain, mounted under /webhooks/."""

from django.urls import path

from contacts import webhooks

urlpatterns = [
    path("elevenlabs/initiation", webhooks.elevenlabs_initiation, name="elevenlabs_initiation"),
    path(
        "elevenlabs/<uuid:agency_id>/initiation",
        webhooks.agency_elevenlabs_initiation,
        name="agency_elevenlabs_initiation",
    ),
]
