"""Provider-facing routes of the calls domain, mounted under /webhooks/."""

urlpatterns: list = []
