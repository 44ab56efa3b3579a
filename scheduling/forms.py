from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField

from agencies.models import Agency
from agents.models import Agent
from contacts.forms import callable_agents
from phone_numbers.selectors import outbound_numbers
from scheduling.services import MAX_RECIPIENTS, PromptOverride, prompt_from_agent
from voqo.forms import DateTimePicker
from voqo.models import agency_zone
from voqo.phones import InvalidPhoneNumber, normalize_phone

VARIABLE_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*=\s*(.*?)\s*$")


def local_moment(value: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as an aware datetime; ValidationError for a time the clocks
    skip (daylight saving starts) or pass twice (it ends), which would be a guess."""
    naive = value.replace(tzinfo=None)
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    city = zone.key.split("/")[-1].replace("_", " ")
    round_trip = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise ValidationError(
            f"{naive:%-I:%M %p} on {naive:%-d %b} does not exist in {city} time: the clocks "
            "go forward then. Choose another time."
        )
    if early.utcoffset() != late.utcoffset():
        raise ValidationError(
            f"{naive:%-I:%M %p} on {naive:%-d %b} happens twice in {city} time: the clocks go "
            "back then. Choose another time."
        )
    return early


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a zone: the form reads it in the agency's zone
    (Django's own field would read it in the current zone and guess at DST changes)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return BaseTemporalField.to_python(self, value)


class ScheduledCallForm(forms.Form):
    """When, who with and how: the fields an edit can change."""

    at = WallClockField(
        label="Date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=DateTimePicker(),
    )
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose an enabled, synced agent."},
    )
    from_number = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Call from",
        error_messages={"invalid_choice": "Choose one of the agency's numbers."},
    )
    prompt_agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        required=False,
        label="Prompt",
        empty_label="The agent's own prompt, as it is at call time",
        help_text="Another agent's prompt is copied now: later edits to it change nothing here.",
    )
    prompt_text = forms.CharField(
        required=False,
        label="Or write a prompt for this call",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Used instead of the agent's prompt, exactly as written here.",
    )
    variables = forms.CharField(
        required=False,
        label="Dynamic variables",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "property_address=12 Smith St"}),
        help_text="One name=value per line; the agent reads them as {{name}}.",
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.zone = agency_zone(agency)
        agents = callable_agents(agency=agency)
        self.fields["agent"].queryset = agents
        self.fields["prompt_agent"].queryset = Agent.objects.filter(agency=agency).order_by("name")
        numbers = outbound_numbers(agency)
        self.fields["from_number"].queryset = numbers
        self.fields["from_number"].empty_label = (
            "The agency's default number" if numbers.exists() else "The install's number"
        )
        city = self.zone.key.split("/")[-1].replace("_", " ")
        self.fields["at"].help_text = f"In the agency's time zone ({city} time)."

    def clean_at(self) -> datetime:
        return local_moment(self.cleaned_data["at"], self.zone)

    def clean_variables(self) -> dict[str, str]:
        variables: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["variables"].splitlines(), start=1):
            if not line.strip():
                continue
            match = VARIABLE_LINE.match(line)
            if match is None:
                raise ValidationError(
                    f"Line {number} is not name=value (names are letters, digits and _)."
                )
            variables[match.group(1)] = match.group(2)
        return variables

    def prompt(self) -> PromptOverride | None:
        text = self.cleaned_data.get("prompt_text", "").strip()
        if text:
            return PromptOverride(text=text, source="Written for this call")
        if agent := self.cleaned_data.get("prompt_agent"):
            return prompt_from_agent(agent)
        return None


class ScheduleCallForm(ScheduledCallForm):
    recipients = forms.CharField(
        label="Numbers to call",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=(
            f"One per line, up to {MAX_RECIPIENTS}: a contact's number is linked to the contact "
            "(their name, notes and memories reach the agent)."
        ),
    )
    field_order = ["recipients", "at", "agent", "from_number", "prompt_agent", "prompt_text"]

    def clean_recipients(self) -> list[str]:
        phones, problems = [], []
        for line in self.cleaned_data["recipients"].splitlines():
            if not line.strip():
                continue
            try:
                phones.append(normalize_phone(line, callable_only=True))
            except InvalidPhoneNumber as error:
                problems.append(f"{line.strip()}: {' '.join(error.messages)}")
        if problems:
            raise ValidationError(problems)
        if not phones:
            raise ValidationError("Give at least one number to call.")
        if len(phones) > MAX_RECIPIENTS:
            raise ValidationError(f"Schedule at most {MAX_RECIPIENTS} calls at once.")
        return phones
