from django import forms
from django.core.validators import RegexValidator

from agencies.models import Role
from voqo.phones import normalize_phone


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SwitchAgencyForm(forms.Form):
    agency = forms.UUIDField(widget=forms.HiddenInput)


SECRET_HELP = "Stored encrypted and never shown again. Leave blank to keep the stored one."


def _secret(label: str, help_text: str = SECRET_HELP) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=512,
        strip=True,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class ProviderAccountForm(forms.Form):
    """An agency's own ElevenLabs workspace and Twilio account. Blank fields use the
    install's; secrets are replace-only (blank keeps them, `remove` drops them)."""

    elevenlabs_api_key = _secret("ElevenLabs API key")
    elevenlabs_webhook_secret = _secret(
        "Post-call webhook secret",
        "The HMAC secret ElevenLabs shows when you create the post-call webhook. " + SECRET_HELP,
    )
    elevenlabs_initiation_token = _secret(
        "Initiation webhook token",
        "A long random value (at least 24 characters) you also paste into ElevenLabs as "
        "the header below. " + SECRET_HELP,
    )
    elevenlabs_phone_number_id = forms.CharField(
        label="ElevenLabs phone number id",
        required=False,
        max_length=128,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_-]+$", "A phone number id looks like phnum_0123… (no spaces)."
            )
        ],
        help_text="The id of your Twilio number as imported into this workspace: the caller "
        "ID of outbound calls.",
    )
    twilio_account_sid = forms.CharField(
        label="Twilio account SID",
        required=False,
        max_length=34,
        validators=[
            RegexValidator(
                r"^AC[0-9a-fA-F]{32}$",
                "A Twilio account SID is AC followed by 32 hexadecimal characters.",
            )
        ],
    )
    twilio_auth_token = _secret("Twilio auth token")
    twilio_phone_number = forms.CharField(
        label="SMS sender",
        required=False,
        max_length=32,
        help_text="A number of this Twilio account, e.g. +61 2 8000 1234: follow-up SMS go "
        "out from it.",
    )
    remove = forms.MultipleChoiceField(
        label="Remove stored secrets",
        required=False,
        choices=[
            ("elevenlabs_api_key", "ElevenLabs API key"),
            ("elevenlabs_webhook_secret", "Post-call webhook secret"),
            ("elevenlabs_initiation_token", "Initiation webhook token"),
            ("twilio_auth_token", "Twilio auth token"),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="Removed values fall back to the install's.",
    )

    def clean_elevenlabs_initiation_token(self) -> str:
        token = self.cleaned_data["elevenlabs_initiation_token"]
        if token and len(token) < 24:
            raise forms.ValidationError(
                "Use at least 24 characters: anyone who guesses it can ask who is calling."
            )
        if any(character.isspace() for character in token):
            raise forms.ValidationError("A header value cannot contain spaces.")
        return token

    def clean_twilio_phone_number(self) -> str:
        raw = self.cleaned_data["twilio_phone_number"]
        return normalize_phone(raw) if raw else ""
