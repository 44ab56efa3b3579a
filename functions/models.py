from django.db import models

from voqo.models import UUIDModel


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

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="functions", db_index=False)
    name = models.CharField(max_length=64)
    description = models.TextField()
    endpoint = models.URLField(max_length=500)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.POST)
    headers = models.JSONField(default=dict, blank=True)
    auth_type = models.CharField(max_length=16, choices=AuthType.choices, default=AuthType.NONE)
    # Encrypted at rest (see functions issue); never rendered back to the browser.
    auth_config = models.TextField(blank=True, default="")
    parameters = models.JSONField(default=dict, blank=True)
    response_mapping = models.JSONField(default=dict, blank=True)
    timeout = models.PositiveSmallIntegerField(default=30)
    enabled = models.BooleanField(default=True)
    elevenlabs_tool_id = models.CharField(max_length=128, blank=True, default="")
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
