import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from voqo.crypto import EncryptedJSONField, EncryptedTextField, is_undecryptable
from voqo.models import UUIDModel

# ElevenLabs' range for a webhook tool's `response_timeout_secs` (OpenAPI: 5–120 inclusive).
# The web server's worker timeout must stay above MAX_TIMEOUT_SECS.
MIN_TIMEOUT_SECS = 5
MAX_TIMEOUT_SECS = 120
DEFAULT_TIMEOUT_SECS = 20
# The endpoint gets this much less than the agent waits, so the agent hears our explanation
# instead of ElevenLabs giving up on the tool call at the same moment.
ANSWER_MARGIN_SECS = 1.0


def new_invocation_token() -> str:
    """A fresh per-function secret that ElevenLabs sends back on every tool call."""
    return secrets.token_urlsafe(32)


class CustomFunction(UUIDModel):
    class Method(models.TextChoices):
        GET = "GET"
        POST = "POST"
        PUT = "PUT"
        PATCH = "PATCH"
        DELETE = "DELETE"

    class AuthType(models.TextChoices):
        NONE = "none", "None"
        API_KEY = "api_key", "API key header"
        BEARER = "bearer", "Bearer token"
        BASIC = "basic", "Basic auth"

    # Always the agent's agency (set on save). PROTECT for the same reason as Agent.agency:
    # the ElevenLabs tool goes when the function is deleted, never by a cascade.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        "agents.Agent", on_delete=models.CASCADE, related_name="functions", db_index=False
    )
    name = models.CharField(max_length=64)
    description = models.TextField()
    endpoint = models.URLField(max_length=500)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.POST)
    headers = models.JSONField(default=dict, blank=True)
    auth_type = models.CharField(max_length=16, choices=AuthType.choices, default=AuthType.NONE)
    # Encrypted at rest and never rendered back to the browser or the admin:
    # api_key → {"header_name", "api_key"}, bearer → {"token"}, basic → {"username", "password"}.
    auth_config = EncryptedJSONField(default=dict, blank=True)
    # Header name → value, for headers that carry credentials: encrypted, masked, replace-only.
    # Plain `headers` are shown on the function page.
    secret_headers = EncryptedJSONField(default=dict, blank=True)
    # Sent by ElevenLabs in X-Voqo-Function-Token on every call of the tool; ElevenLabs does
    # not sign tool calls, so this is the proxy's only authentication (providers.md).
    invocation_token = EncryptedTextField(blank=True, default="", editable=False)
    parameters = models.JSONField(default=dict, blank=True)
    response_mapping = models.JSONField(default=dict, blank=True)
    # How long the agent waits for the tool (ElevenLabs' response_timeout_secs), in seconds.
    timeout = models.PositiveSmallIntegerField(
        default=DEFAULT_TIMEOUT_SECS,
        validators=[MinValueValidator(MIN_TIMEOUT_SECS), MaxValueValidator(MAX_TIMEOUT_SECS)],
    )
    enabled = models.BooleanField(default=True)
    elevenlabs_tool_id = models.CharField(max_length=128, blank=True, default="")
    # A tool Voqo answers itself (functions.builtins), e.g. "search_listings"; "" for a
    # function that calls the agency's endpoint.
    builtin = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "custom_functions"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "name"], name="uniq_function_name_per_agent")
        ]
        indexes = [models.Index(fields=["agent"], name="idx_functions_agent")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.agency_id is None and self.agent_id is not None:
            self.agency_id = self.agent.agency_id
        if is_undecryptable(self.invocation_token):
            # Nobody can check the old token any more: a new one, which the next sync sends.
            self.invocation_token = new_invocation_token()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "invocation_token"}
        elif not self.invocation_token and not update_fields:
            self.invocation_token = new_invocation_token()
        super().save(*args, **kwargs)

    SECRET_LABELS = {
        "auth_config": "auth secret",
        "secret_headers": "secret headers",
        "invocation_token": "invocation token",
    }

    @property
    def unreadable_secrets(self) -> list[str]:
        """What no configured encryption key can decrypt any more, in staff's words."""
        return [
            label
            for name, label in self.SECRET_LABELS.items()
            if is_undecryptable(getattr(self, name))
        ]

    @property
    def endpoint_deadline(self) -> float:
        """Seconds the endpoint gets for the whole exchange (connect, headers and body)."""
        timeout = float(self.timeout)
        return max(timeout - ANSWER_MARGIN_SECS, timeout * 0.8)

    def __repr__(self) -> str:
        # The default repr is harmless, but say so explicitly: secrets never appear in it.
        return f"<CustomFunction {self.pk} {self.name!r}>"


class FunctionInvocation(UUIDModel):
    """One call of a custom function, by an agent through the proxy or by staff via Test."""

    class Status(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"

    class Source(models.TextChoices):
        AGENT = "agent", "Agent call"
        TEST = "test", "Test button"

    # Always the function's agency (set on save); the log goes with its agency.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    function = models.ForeignKey(
        CustomFunction, on_delete=models.CASCADE, related_name="invocations", db_index=False
    )
    conversation_id = models.CharField(max_length=128, blank=True, default="")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.AGENT)
    status = models.CharField(max_length=8, choices=Status.choices)
    # The endpoint's HTTP status; null when no answer came (refused, timeout, bad arguments).
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    # Staff-facing, in our own words: never secrets, never the caller's arguments.
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "function_invocations"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["function", "-created_at"], name="idx_invocations_function"),
            models.Index(fields=["conversation_id"], name="idx_invocations_conversation"),
            models.Index(fields=["agency", "-created_at"], name="idx_invocations_agency"),
        ]

    def save(self, *args, **kwargs):
        if self.agency_id is None and self.function_id is not None:
            self.agency_id = self.function.agency_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.function_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}"
