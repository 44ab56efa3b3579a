import re

from django import forms

from agents.models import Agent
from agents.prompt_templates import PROMPT_TEMPLATES
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS

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
    "agency_name": "Your agency's name from Settings.",
    "agent_name": "This agent's name.",
    "current_date": "Today's date in the agency's time zone, e.g. Saturday 22 November 2026.",
    "current_time": "The time now in the agency's time zone, e.g. 4:43 PM.",
    "caller_context": "Notes and remembered facts about the caller (empty for new callers).",
}
assert set(VARIABLE_MEANINGS) == set(CALLER_VARIABLE_PLACEHOLDERS)

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def braced(name: str) -> str:
    """`name` as written in a prompt: {{name}}."""
    return "{{" + name + "}}"


def unknown_variables(text: str) -> list[str]:
    """Names written as {{name}} in `text` that no call will supply, in order of appearance."""
    found = []
    for name in _VARIABLE.findall(text):
        if name not in CALLER_VARIABLE_PLACEHOLDERS and name not in found:
            found.append(name)
    return found


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
        allowed = ", ".join(braced(name) for name in CALLER_VARIABLE_PLACEHOLDERS)
        for field in ("system_prompt", "greeting_message"):
            unknown = unknown_variables(cleaned.get(field) or "")
            if unknown:
                names = ", ".join(braced(name) for name in unknown)
                noun = "variable" if len(unknown) == 1 else "variables"
                self.add_error(
                    field,
                    f"Unknown {noun} {names}: no call would supply a value. Use only {allowed}.",
                )
        return cleaned


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
