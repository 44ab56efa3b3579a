"""The provider routes plus one that always fails, to see how a machine's 500 is answered."""

from django.urls import path

from voqo.machine_urls import urlpatterns as provider_routes


def broken_webhook(request):
    raise RuntimeError("a bug in a webhook")


urlpatterns = [*provider_routes, path("webhooks/broken", broken_webhook)]
