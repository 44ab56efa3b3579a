"""Provider-facing routes of the functions domain: ElevenLabs' tool calls (public,
token-authenticated; no trailing slash). Part of functions/urls.py and of voqo/machine_urls.py."""

from django.urls import path

from functions import webhooks

app_name = "functions"
urlpatterns = [
    path("<uuid:function_id>/invoke", webhooks.invoke, name="invoke"),
]
