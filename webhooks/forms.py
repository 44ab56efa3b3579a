from urllib.parse import urlsplit

from django import forms

from agents.models import Agent
from webhooks.models import EVENT_TYPES, Endpoint


def check_endpoint_url(url: str) -> str:
    """http(s) only, no credentials in the URL; where it points is checked at every send."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise forms.ValidationError("Give an http:// or https:// URL.")
    if parts.username or parts.password:
        raise forms.ValidationError(
            "Leave the user name and password out of the URL: check the Voqo-Signature header "
            "instead."
        )
    return url


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where Voqo POSTs each event, e.g. https://crm.example.com/hooks/voqo.",
    )
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {meaning}") for name, meaning in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        label="Events to send",
    )
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        required=False,
        empty_label="Every agent",
        label="Only events of this agent",
        help_text="Events without an agent (contacts, test events) always come.",
    )
    active = forms.BooleanField(
        required=False, initial=True, help_text="An inactive endpoint receives nothing."
    )

    def __init__(self, *args, agency, endpoint: Endpoint | None = None, **kwargs):
        if endpoint is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "agent": endpoint.agent_id,
                "active": endpoint.active,
            }
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.filter(agency=agency).order_by("name")

    def clean_url(self) -> str:
        return check_endpoint_url(self.cleaned_data["url"])
