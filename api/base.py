"""What every /api/v1/ resource shares: its agency's rows only, a key for every request (no
session), idempotent POSTs. A new resource is a serializer, a subclass of AgencyViewSet and
one `router.register(...)` line in api/urls.py."""

from __future__ import annotations

from rest_framework import viewsets

from api import idempotency


class AgencyViewSet(viewsets.GenericViewSet):
    """Rows of `queryset` that belong to the key's agency; another agency's id is a 404."""

    lookup_value_converter = "uuid"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        # Authenticated by API key, not by a session: the login redirect does not apply.
        view.login_required = False
        return view

    @property
    def agency(self):
        return self.request.auth.agency

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI document, no request key
            return self.queryset.none()
        return self.scope_queryset(self.queryset.all())

    def scope_queryset(self, queryset):
        return queryset.filter(agency=self.agency)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.auth is not None:
            context["agency"] = self.agency
        return context

    # -- Idempotency-Key on every POST ------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency_record = None
        if request.method == "POST":
            self._idempotency_record = idempotency.claim(request, request.auth)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            record = getattr(self, "_idempotency_record", None)
            if record is not None:
                idempotency.release(record)
                self._idempotency_record = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        record = getattr(self, "_idempotency_record", None)
        if record is not None:
            idempotency.remember(record, response)
            self._idempotency_record = None
        return super().finalize_response(request, response, *args, **kwargs)
