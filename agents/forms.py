from django import forms

from agents.models import Agent, SavedPrompt
from agents.prompt_templates import PROMPT_TEMPLATES
from voqo.dynamic_variables import (
    CALLER_VARIABLE_PLACEHOLDERS,
    RESERVED_PREFIXES,
    campaign_variables_in,
    is_campaign_variable,
    variable_key,
    variables_in,
)
from voqo.phones import InvalidPhoneNumber, normalize_phone

# The models ElevenLabs' agent API accepts (its OpenAPI's `LLM` enum, dated snapshots and
# custom-llm left out); tests check each against the official document.
LLM_CHOICES = [
    ("gpt-4o-mini", "GPT-4o mini (fast, low cost)"),
    ("gpt-4o", "GPT-4o"),
    ("gpt-4.1", "GPT-4.1"),
    ("gpt-4.1-mini", "GPT-4.1 mini"),
    ("gpt-4.1-nano", "GPT-4.1 nano"),
    ("gpt-5", "GPT-5"),
    ("gpt-5-mini", "GPT-5 mini"),
    ("gpt-5-nano", "GPT-5 nano"),
    ("gpt-4-turbo", "GPT-4 Turbo"),
    ("gpt-4", "GPT-4"),
    ("gpt-3.5-turbo", "GPT-3.5 Turbo"),
    ("claude-sonnet-4", "Claude Sonnet 4"),
    ("claude-3-7-sonnet", "Claude 3.7 Sonnet"),
    ("claude-3-5-sonnet", "Claude 3.5 Sonnet"),
    ("claude-3-haiku", "Claude 3 Haiku"),
    ("gemini-2.5-flash", "Gemini 2.5 Flash"),
    ("gemini-2.5-flash-lite", "Gemini 2.5 Flash Lite"),
    ("gemini-2.0-flash", "Gemini 2.0 Flash"),
    ("gemini-2.0-flash-lite", "Gemini 2.0 Flash Lite"),
    ("gemini-1.5-pro", "Gemini 1.5 Pro"),
    ("gemini-1.5-flash", "Gemini 1.5 Flash"),
    ("grok-beta", "Grok beta"),
    ("qwen3-30b-a3b", "Qwen3 30B"),
    ("gpt-oss-120b", "GPT-OSS 120B"),
]
MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 50
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("zh", "Chinese"),
    ("hi", "Hindi"),
    ("vi", "Vietnamese"),
    ("ar", "Arabic"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("el", "Greek"),
    ("ko", "Korean"),
    ("ja", "Japanese"),
    ("fr", "French"),
    ("de", "German"),
]
# What each dynamic variable holds when a call starts (shown next to the prompt).
VARIABLE_MEANINGS = {
    "caller_name": "The caller's name if we know it, else “there”.",
    "caller_phone": "The caller's number (E.164).",
    "agency_name": "The name of this agent's agency.",
    "agent_name": "This agent's name.",
    "current_date": "Today's date in the agency's time zone, e.g. Saturday 22 November 2026.",
    "current_time": "The time now in the agency's time zone, e.g. 4:43 PM.",
    "caller_context": "Notes and remembered facts about the caller (empty for new callers).",
}
assert set(VARIABLE_MEANINGS) == set(CALLER_VARIABLE_PLACEHOLDERS)

CAMPAIGN_VARIABLES_HELP = (
    "Any other name, e.g. {{suburb}}, is a campaign variable: the column of that name in the "
    "campaign upload a job dials (a “Suburb” column gives {{suburb}}). A job is refused when "
    "its upload lacks one; on inbound calls and Call now it is empty."
)


def braced(name: str) -> str:
    """`name` as written in a prompt: {{name}}."""
    return "{{" + name + "}}"


def unknown_variables(text: str) -> list[str]:
    """Names written as {{name}} in `text` that no call can supply, in order of appearance.

    Caller variables are supplied on every call and campaign variables by a job's upload, so
    only malformed names and unknown names in Voqo's own namespaces (caller_…, agent_…) remain.
    """
    return [
        name
        for name in variables_in(text)
        if name not in CALLER_VARIABLE_PLACEHOLDERS and not is_campaign_variable(name)
    ]


def _unknown_variable_message(name: str) -> str:
    if name.startswith(RESERVED_PREFIXES):
        allowed = ", ".join(braced(known) for known in CALLER_VARIABLE_PLACEHOLDERS)
        return (
            f"Unknown variable {braced(name)}: names starting with "
            f"{', '.join(RESERVED_PREFIXES)} are Voqo's own. Use {allowed}, "
            "or name a campaign variable without that prefix."
        )
    suggestion = variable_key(name)
    hint = f" (e.g. {braced(suggestion)})" if is_campaign_variable(suggestion) else ""
    return (
        f"{braced(name)} is not a valid variable name: use lower-case letters, digits and _{hint}."
    )


def variables_reference() -> list[tuple[str, str]]:
    """(`{{name}}`, meaning) for the variables panel."""
    return [(braced(name), VARIABLE_MEANINGS[name]) for name in CALLER_VARIABLE_PLACEHOLDERS]


def _number(step: str, low, high) -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": step, "min": str(low), "max": str(high)})


class AgentForm(forms.ModelForm):
    # Declared fields lose the model defaults, so they are repeated as initial values.
    llm = forms.ChoiceField(label="LLM", choices=LLM_CHOICES, initial="gpt-4o-mini")
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")
    temperature = forms.FloatField(
        initial=0.5,
        min_value=0,
        max_value=1,
        help_text="0 = consistent, 1 = creative. 0.3–0.6 suits phone calls.",
        widget=_number("0.05", 0, 1),
    )
    # How the agent behaves on a call (AgentBehaviour).
    max_tokens = forms.IntegerField(
        label="Maximum response tokens",
        required=False,
        min_value=1,
        max_value=4096,
        help_text="Caps each reply's length. Empty: no limit.",
        widget=_number("1", 1, 4096),
    )
    turn_timeout = forms.FloatField(
        label="Turn timeout (seconds)",
        required=False,
        initial=7,
        min_value=1,
        max_value=30,
        help_text="How long the agent waits for the caller to answer before speaking again.",
        widget=_number("0.5", 1, 30),
    )
    silence_end_call_timeout = forms.IntegerField(
        label="End the call after silence (seconds)",
        required=False,
        min_value=10,
        max_value=600,
        help_text="Hang up when the caller has said nothing for this long. Empty: never.",
        widget=_number("1", 10, 600),
    )
    max_duration_seconds = forms.IntegerField(
        label="Maximum call length (seconds)",
        required=False,
        initial=600,
        min_value=30,
        max_value=7200,
        help_text="The call ends after this long, e.g. 600 = 10 minutes.",
        widget=_number("30", 30, 7200),
    )
    keywords = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Words the agent should hear right: suburbs, street names, staff names. "
            f"One per line, up to {MAX_KEYWORDS}."
        ),
    )
    transfer_number = forms.CharField(
        label="Transfer to a person at",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel"}),
        help_text="A number the agent can put the caller through to. Empty: no transfers.",
    )

    class Meta:
        model = Agent
        fields = [
            "name",
            "description",
            "template",
            "system_prompt",
            "greeting_message",
            "voice_id",
            "llm",
            "language",
            "temperature",
            "max_tokens",
            "turn_timeout",
            "silence_end_call_timeout",
            "max_duration_seconds",
            "interruptions",
            "keywords",
            "transfer_number",
            "transfer_condition",
            "voicemail_detection",
            "voicemail_message",
            "enabled",
        ]
        labels = {
            "system_prompt": "System prompt",
            "greeting_message": "Greeting (first message)",
            "voice_id": "Voice",
            "interruptions": "Callers can interrupt the agent",
            "transfer_condition": "When to transfer",
            "voicemail_detection": "Detect voicemail",
            "voicemail_message": "Message to leave on voicemail",
        }
        help_texts = {
            "greeting_message": "What the agent says when the call connects.",
            "voice_id": "Empty uses ElevenLabs' default voice.",
            "enabled": "Disabled agents place no outbound or campaign calls.",
            "transfer_condition": "E.g. “The caller asks for a person or wants to make an offer.”",
            "voicemail_detection": "Outbound calls that reach a voicemail leave the message "
            "below, or hang up when it is empty.",
            "voicemail_message": "Variables work here too, e.g. {{caller_name}}.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "system_prompt": forms.Textarea(attrs={"rows": 12}),
            "greeting_message": forms.Textarea(attrs={"rows": 3}),
            "transfer_condition": forms.Textarea(attrs={"rows": 2}),
            "voicemail_message": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keep a value set elsewhere (admin, API) selectable rather than silently replaced.
        for name, choices in (("llm", LLM_CHOICES), ("language", LANGUAGE_CHOICES)):
            current = self.initial.get(name)
            if current and current not in dict(choices):
                self.fields[name].choices = [*choices, (current, current)]

    def clean_keywords(self) -> str:
        keywords = list(
            dict.fromkeys(
                line.strip() for line in self.cleaned_data["keywords"].splitlines() if line.strip()
            )
        )
        if len(keywords) > MAX_KEYWORDS:
            raise forms.ValidationError(
                f"{len(keywords)} keywords: keep the {MAX_KEYWORDS} that matter most."
            )
        too_long = [word for word in keywords if len(word) > MAX_KEYWORD_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"“{too_long[0][:60]}” is longer than {MAX_KEYWORD_LENGTH} characters: "
                "a keyword is a word or short name, one per line."
            )
        return "\n".join(keywords)

    def clean_turn_timeout(self) -> float:
        value = self.cleaned_data["turn_timeout"]
        return Agent._meta.get_field("turn_timeout").default if value is None else value

    def clean_max_duration_seconds(self) -> int:
        value = self.cleaned_data["max_duration_seconds"]
        return Agent._meta.get_field("max_duration_seconds").default if value is None else value

    def clean_transfer_number(self) -> str:
        raw = self.cleaned_data["transfer_number"].strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except InvalidPhoneNumber as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("transfer_number") and not (cleaned.get("transfer_condition") or "").strip():
            self.add_error(
                "transfer_condition",
                "Say when the agent should transfer, e.g. “asks for a person”.",
            )
        if cleaned.get("voicemail_message") and not cleaned.get("voicemail_detection"):
            self.add_error(
                "voicemail_message", "Turn on voicemail detection to leave this message."
            )
        for field in ("system_prompt", "greeting_message", "voicemail_message"):
            for name in unknown_variables(cleaned.get(field) or ""):
                self.add_error(field, _unknown_variable_message(name))
        return cleaned

    def campaign_variables(self) -> list[str]:
        """The campaign variables the prompt and greeting (as shown on the form) use."""
        return campaign_variables_in(
            str(self["system_prompt"].value() or ""), str(self["greeting_message"].value() or "")
        )


def template_initial(template_key: str) -> dict[str, str]:
    """Prompt and greeting of a template, as form initial values ({} for an unknown key)."""
    template = PROMPT_TEMPLATES.get(template_key)
    if template is None:
        return {}
    return {
        "template": template.key,
        "system_prompt": template.system_prompt,
        "greeting_message": template.greeting_message,
    }


class SavedPromptForm(forms.ModelForm):
    """A prompt of the agency's library; its variables follow the agents' rules."""

    class Meta:
        model = SavedPrompt
        fields = ["name", "category", "description", "system_prompt", "greeting_message"]
        labels = {"system_prompt": "System prompt", "greeting_message": "Greeting (first message)"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "system_prompt": forms.Textarea(attrs={"rows": 12}),
            "greeting_message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agency = agency

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = SavedPrompt.objects.filter(agency=self.instance.agency, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"The library already has a prompt called “{name}”.")
        return name

    def clean(self):
        cleaned = super().clean()
        for field in ("system_prompt", "greeting_message"):
            for name in unknown_variables(cleaned.get(field) or ""):
                self.add_error(field, _unknown_variable_message(name))
        return cleaned


class TryAgentForm(forms.Form):
    """Who calls when trying an agent, and the campaign row it would dial with."""

    caller_phone = forms.CharField(
        label="Caller's number",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel"}),
        help_text="A contact's number gives their name, notes and memories. Empty: a new caller.",
    )

    def __init__(self, *args, agent: Agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign_keys = agent.campaign_variables()
        for key in self.campaign_keys:
            self.fields[f"var_{key}"] = forms.CharField(
                label=braced(key), required=False, max_length=500
            )

    def clean_caller_phone(self) -> str:
        raw = self.cleaned_data["caller_phone"].strip()
        if not raw:
            return ""
        try:
            return normalize_phone(raw)
        except InvalidPhoneNumber as error:
            raise forms.ValidationError(error.messages) from None

    def campaign_values(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"var_{key}", "") for key in self.campaign_keys}
