"""Requests from providers, not people, skip the middleware that only people need.

The initiation webhook answers while the caller hears ringing, and post-call webhooks arrive
by the thousand during a campaign. None of the provider routes reads a session, a CSRF token,
a signed-in user, an agency choice, flash messages or an HTMX header, and their answers are
never framed or rendered as pages — yet the site's middleware stack (MIDDLEWARE) did all of
that work on every one of them: 60–90 µs of a ring's ~290 µs in process on the development
machine.

`ByAudience` resolves each path against MACHINE_URLCONF (the provider routes only). A match
goes to `MachineHandler`, Django's own WSGI handler built with MACHINE_MIDDLEWARE instead of
MIDDLEWARE; anything else goes to the usual handler. Request signals (database connection
upkeep), exception handling and the 404/500 answers are Django's as before, and `reverse()`
still sees every route (ROOT_URLCONF stays the request's URLconf). Because only the machine
URLconf is consulted, no page can be reached without the people middleware (login, staff,
agency checks) by a path that happens to look like a webhook's. Views on these routes
authenticate the request themselves (bearer token, HMAC or Twilio signature).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.urls import Resolver404, get_resolver
from django.utils.module_loading import import_string

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]

# The environ key carrying ByAudience's match to MachineHandler (resolved once, not twice).
MATCH_KEY = "voqo.machine_route"


class MachineHandler(WSGIHandler):
    """Django's WSGI handler for MACHINE_URLCONF's routes, with MACHINE_MIDDLEWARE."""

    def load_middleware(self, is_async: bool = False) -> None:
        if is_async:
            raise ImproperlyConfigured("MachineHandler serves WSGI (synchronous) requests only.")
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for middleware_path in reversed(settings.MACHINE_MIDDLEWARE):
            middleware = import_string(middleware_path)
            if not getattr(middleware, "sync_capable", True):
                raise ImproperlyConfigured(f"{middleware_path} cannot serve WSGI requests.")
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def resolve_request(self, request):
        match = request.META.get(MATCH_KEY)
        if match is None:  # called directly, not through ByAudience
            match = get_resolver(settings.MACHINE_URLCONF).resolve(request.path_info)
        request.resolver_match = match
        return match


class ByAudience:
    """WSGI application: provider routes to `machines`, every other request to `people`."""

    def __init__(self, people: WSGIApp, machines: WSGIApp):
        self.people = people
        self.machines = machines
        self.machine_routes = get_resolver(settings.MACHINE_URLCONF)
        # Import the views now, at start-up, rather than on the first webhook.
        self.machine_routes.check()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        try:
            environ[MATCH_KEY] = self.machine_routes.resolve(get_path_info(environ))
        except Resolver404:
            return self.people(environ, start_response)
        return self.machines(environ, start_response)
