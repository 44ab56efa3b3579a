"""Provider-facing routes of the contacts domain, mounted under /webhooks/."""

from django.urls import path

from contacts import webhooks

urlpatterns = [
    path("elevenlabs/initiation", webhooks.elevenlabs_initiation, name="elevenlabs_initiation"),
]
