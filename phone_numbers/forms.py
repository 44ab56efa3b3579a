from django import forms

from agents.models import Agent
from phone_numbers.models import PhoneNumber
from voqo.phones import InvalidPhoneNumber, normalize_phone

TOKEN_KEPT_HELP = "A token is stored (encrypted). Leave empty to keep it."


class PhoneNumberForm(forms.ModelForm):
    """Add or change one of the agency's numbers; the agent choices are the agency's own."""

    twilio_auth_token = forms.CharField(
        label="Twilio auth token",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Only with an account SID above. Stored encrypted and never shown again.",
    )

    class Meta:
        model = PhoneNumber
        fields = [
            "number",
            "label",
            "direction",
            "agent",
            "active",
            "default_outbound",
            "twilio_account_sid",
        ]
        labels = {
            "number": "Phone number",
            "agent": "Agent that answers",
            "default_outbound": "Default caller ID",
            "twilio_account_sid": "Twilio account SID (optional)",
        }
        help_texts = {
            "number": "The Twilio number, e.g. 02 8000 1234 or +61 2 8000 1234.",
            "label": "What staff call it, e.g. “Sales line”.",
            "agent": "Inbound calls to this number are answered by this agent.",
            "default_outbound": "Calls and campaigns go out from this number unless one is chosen.",
            "twilio_account_sid": "Empty: the number lives in the agency's Twilio account.",
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["agent"].queryset = Agent.objects.filter(agency=agency).order_by("name")
        self.fields["agent"].empty_label = "No agent (the number does not answer)"
        self.adding = self.instance._state.adding
        if not self.adding and self.instance.twilio_auth_token:
            self.fields["twilio_auth_token"].help_text = TOKEN_KEPT_HELP
        if not self.adding:
            # ElevenLabs keys its copy by the number: a different number is a new entry.
            self.fields["number"].disabled = True
            self.fields["number"].help_text = "To use another number, add it and delete this one."

    def clean_number(self):
        if not self.adding:
            return self.instance.number
        try:
            number = normalize_phone(self.cleaned_data["number"])
        except InvalidPhoneNumber as error:
            raise forms.ValidationError(error.messages) from None
        if PhoneNumber.objects.filter(number=number).exists():
            raise forms.ValidationError(
                f"{number} is already in Voqo: a number can belong to one agency only."
            )
        return number

    def clean_twilio_account_sid(self):
        sid = self.cleaned_data["twilio_account_sid"].strip()
        if sid and not (sid.startswith("AC") and len(sid) == 34):
            raise forms.ValidationError(
                "A Twilio account SID starts with AC and is 34 characters long."
            )
        return sid

    def clean(self):
        cleaned = super().clean()
        sid = cleaned.get("twilio_account_sid")
        token = cleaned.get("twilio_auth_token", "")
        has_token = bool(token) or bool(not self.adding and self.instance.twilio_auth_token)
        if sid and not has_token:
            self.add_error("twilio_auth_token", "Give the auth token of that Twilio account.")
        if token and not sid:
            self.add_error("twilio_account_sid", "Give the account SID the token belongs to.")
        direction = cleaned.get("direction")
        if cleaned.get("default_outbound") and direction == PhoneNumber.Direction.INBOUND:
            self.add_error(
                "default_outbound", "An inbound-only number cannot be the default caller ID."
            )
        return cleaned

    def save(self, commit=True):
        number = super().save(commit=False)
        number.agency = self.agency
        token = self.cleaned_data.get("twilio_auth_token", "")
        if not number.twilio_account_sid:
            number.twilio_auth_token = ""
        elif token:
            number.twilio_auth_token = token
        if commit:
            number.save()
        return number
