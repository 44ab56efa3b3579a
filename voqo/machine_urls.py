"""The routes providers call: served without the people middleware (voqo/machine_routes.py).

Each is also part of ROOT_URLCONF (voqo/urls.py), so `reverse()` and the test client know it.
"""

from django.urls import include, path

# The initiation webhook first: a ring is answered while the caller waits.
urlpatterns = [
    path("webhooks/", include("contacts.webhook_urls")),
    path("webhooks/", include("calls.webhook_urls")),
    path("functions/", include("functions.webhook_urls")),
]
