"""Provider-facing routes of the calls domain, mounted under /webhooks/."""

from django.urls import path

from calls import webhooks

urlpatterns: list = [
    path("elevenlabs/post-call", webhooks.elevenlabs_post_call, name="elevenlabs_post_call"),
    path(
        "elevenlabs/<uuid:agency_id>/post-call",
        webhooks.agency_elevenlabs_post_call,
        name="agency_elevenlabs_post_call",
    ),
    path("twilio/sms", webhooks.twilio_sms, name="twilio_sms"),
    path("twilio/sms-status", webhooks.twilio_sms_status, name="twilio_sms_status"),
]
