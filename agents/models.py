from django.conf import settings
from django.db import models

from voqo.dynamic_variables import campaign_variables_in
from voqo.models import UUIDModel


class Agent(UUIDModel):
    class Template(models.TextChoices):
        PROPERTY_SALES = "property_sales", "Property sales"
        PROPERTY_MANAGER = "property_manager", "Property manager"
        CUSTOM = "custom", "Custom"

    class SyncStatus(models.TextChoices):
        PENDING = "pending", "Not synced yet"
        SYNCED = "synced", "Synced"
        FAILED = "failed", "Sync failed"

    # PROTECT: an agency's agents are deleted one by one (which also deletes their
    # ElevenLabs copies) before the agency can go; a cascade would leave them orphaned there.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    system_prompt = models.TextField()
    template = models.CharField(max_length=32, choices=Template.choices, default=Template.CUSTOM)
    greeting_message = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    elevenlabs_agent_id = models.CharField(max_length=128, blank=True, default="", db_index=True)
    # ElevenLabs conversation settings a user expects to control.
    voice_id = models.CharField(max_length=64, blank=True, default="")
    llm = models.CharField(max_length=64, default="gpt-4o-mini")
    language = models.CharField(max_length=16, default="en")
    temperature = models.FloatField(default=0.5)
    # How the agent behaves on a call (AgentBehaviour; limits are what ElevenLabs accepts).
    max_tokens = models.PositiveIntegerField(null=True, blank=True)  # None: no limit
    turn_timeout = models.FloatField(default=7.0)
    silence_end_call_timeout = models.PositiveIntegerField(null=True, blank=True)  # None: never
    max_duration_seconds = models.PositiveIntegerField(default=600)
    interruptions = models.BooleanField(default=True)
    keywords = models.TextField(blank=True, default="")  # one per line
    transfer_number = models.CharField(max_length=20, blank=True, default="")  # E.164
    transfer_condition = models.TextField(blank=True, default="")
    voicemail_detection = models.BooleanField(default=False)
    voicemail_message = models.TextField(blank=True, default="")
    sync_status = models.CharField(
        max_length=16, choices=SyncStatus.choices, default=SyncStatus.PENDING
    )
    sync_error = models.TextField(blank=True, default="")
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "agents"
        ordering = ["name"]
        indexes = [models.Index(fields=["agency", "name"], name="idx_agents_agency_name")]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        """The recognition keywords, one per line, blanks and repeats dropped."""
        return list(
            dict.fromkeys(line.strip() for line in self.keywords.splitlines() if line.strip())
        )

    def campaign_variables(self) -> list[str]:
        """The campaign variables ({{suburb}}…) of its prompt and greeting (from a job's upload)."""
        return campaign_variables_in(self.system_prompt, self.greeting_message)


class SavedPrompt(UUIDModel):
    """A prompt and greeting kept in the agency's library, to start agents and jobs from."""

    class Category(models.TextChoices):
        SALES = "sales", "Sales"
        PROPERTY_MANAGEMENT = "property_management", "Property management"
        REMINDER = "reminder", "Reminder"
        CUSTOM = "custom", "Custom"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=32, choices=Category.choices, default=Category.CUSTOM)
    description = models.TextField(blank=True, default="")
    system_prompt = models.TextField()
    greeting_message = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "saved_prompts"
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="uniq_saved_prompt_name")
        ]

    def __str__(self) -> str:
        return self.name

    def campaign_variables(self) -> list[str]:
        return campaign_variables_in(self.system_prompt, self.greeting_message)


class PromptVersion(UUIDModel):
    """One saved version of an agent's prompt and greeting: who saved it and when."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="prompt_versions")
    system_prompt = models.TextField()
    greeting_message = models.TextField(blank=True, default="")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the history still says who after the user is removed.
    saved_by_name = models.CharField(max_length=150, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "agent_prompt_versions"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "-created_at"], name="idx_prompt_versions_agent")]

    def __str__(self) -> str:
        return f"{self.agent} at {self.created_at:%Y-%m-%d %H:%M}"
