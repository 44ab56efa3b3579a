"""Provider-facing routes of the contacts domain, mounted under /webhooks/."""

urlpatterns: list = []
