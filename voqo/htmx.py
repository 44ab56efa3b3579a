"""HTMX conventions shared by every list page."""

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """Whether to answer with the results fragment instead of the whole page.

    A boosted navigation and a history-restore request (the browser's cache missed after
    Back) both need the full page, or the user sees a bare table. Views that use this also
    send `Vary: HX-Request`, so no cache hands the fragment to a normal page load.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
