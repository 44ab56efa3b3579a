from django import forms

from agents.models import Agent
from agents.prompt_templates import PROMPT_TEMPLATES
from voqo.dynamic_variables import (
    CALLER_VARIABLE_PLACEHOLDERS,
    RESERVED_PREFIXES,
    campaign_variables_in,
    is_campaign_variable,
    variable_key,
    variables_in,
)

LLM_CHOICES = [
    ("gpt-4o-mini", "GPT-4o mini (fast, low cost)"),
    ("gpt-4o", "GPT-4o"),
    ("claude-3-5-sonnet", "Claude 3.5 Sonnet"),
    ("gemini-2.0-flash", "Gemini 2.0 Flash"),
]
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


class AgentForm(forms.ModelForm):
    # Declared fields lose the model defaults, so they are repeated as initial values.
    llm = forms.ChoiceField(label="LLM", choices=LLM_CHOICES, initial="gpt-4o-mini")
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")
    temperature = forms.FloatField(
        initial=0.5,
        min_value=0,
        max_value=1,
        help_text="0 = consistent, 1 = creative. 0.3–0.6 suits phone calls.",
        widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
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
            "enabled",
        ]
        labels = {
            "system_prompt": "System prompt",
            "greeting_message": "Greeting (first message)",
            "voice_id": "ElevenLabs voice ID",
        }
        help_texts = {
            "greeting_message": "What the agent says when the call connects.",
            "voice_id": "From the ElevenLabs voice library; empty uses the default voice.",
            "enabled": "Disabled agents place no outbound or campaign calls.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "system_prompt": forms.Textarea(attrs={"rows": 12}),
            "greeting_message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keep a value set elsewhere (admin, API) selectable rather than silently replaced.
        for name, choices in (("llm", LLM_CHOICES), ("language", LANGUAGE_CHOICES)):
            current = self.initial.get(name)
            if current and current not in dict(choices):
                self.fields[name].choices = [*choices, (current, current)]

    def clean(self):
        cleaned = super().clean()
        for field in ("system_prompt", "greeting_message"):
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
