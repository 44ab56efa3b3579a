from django import forms

from voqo.calling_window import STATE_CHOICES
from voqo.sms import SMS_VARIABLES, template_errors

AUSTRALIAN_TIME_ZONES = [
    ("Australia/Sydney", "Sydney, Canberra (NSW, ACT)"),
    ("Australia/Melbourne", "Melbourne (VIC)"),
    ("Australia/Brisbane", "Brisbane (QLD)"),
    ("Australia/Adelaide", "Adelaide (SA)"),
    ("Australia/Darwin", "Darwin (NT)"),
    ("Australia/Perth", "Perth (WA)"),
    ("Australia/Hobart", "Hobart (TAS)"),
    ("Australia/Broken_Hill", "Broken Hill (NSW far west)"),
    ("Australia/Lord_Howe", "Lord Howe Island"),
]


class DatePicker(forms.DateInput):
    """The browser's date picker. It reads and writes ISO dates only: a value rendered in
    the locale's format (05/11/2026) would leave the picker empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    """The browser's date-and-time picker (ISO `2026-11-05T14:30`, for the same reason)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


VARIABLES_HELP = "Variables: " + ", ".join("{" + name + "}" for name in SMS_VARIABLES) + "."


def clean_sms_template(value: str) -> str:
    errors = template_errors(value)
    if errors:
        raise forms.ValidationError(errors)
    return value


class SettingsForm(forms.Form):
    """Every staff-editable setting; saved as Setting rows."""

    agency_name = forms.CharField(max_length=120)
    time_zone = forms.ChoiceField(choices=AUSTRALIAN_TIME_ZONES, label="Agency time zone")
    default_state = forms.ChoiceField(
        choices=[("", "Anywhere in Australia"), *STATE_CHOICES],
        required=False,
        label="Where your contacts live",
        help_text=(
            "Mobile numbers carry no location. With a state here, mobiles whose contact or "
            "upload row names no state are called in that state's hours (e.g. NSW: 9:00–20:00 "
            "Sydney time on weekdays). “Anywhere” keeps the safe window open in every "
            "Australian time zone: from 9:00 in Perth, which is 11:00 or 12:00 in Sydney."
        ),
    )
    sms_enabled = forms.BooleanField(required=False, label="Send an SMS after every call")
    sms_skip_silent = forms.BooleanField(
        required=False, label="Skip the SMS when the caller never spoke"
    )
    sms_foreign_mobiles = forms.BooleanField(
        required=False,
        label="Send SMS to foreign mobiles",
        help_text="Australian mobiles always get the SMS; landlines and 13/1300/1800 numbers "
        "never do.",
    )
    auto_create_contacts = forms.BooleanField(
        required=False, label="Create a contact for every new caller"
    )
    save_memories = forms.BooleanField(
        required=False, label="Save what callers tell the agent as memories"
    )
    sms_template = forms.CharField(
        label="SMS template",
        max_length=1000,
        help_text=VARIABLES_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_sms_template(self) -> str:
        return clean_sms_template(self.cleaned_data["sms_template"])


class SmsPreviewForm(forms.Form):
    sms_template = forms.CharField(max_length=1000, required=False)

    def clean_sms_template(self) -> str:
        return clean_sms_template(self.cleaned_data["sms_template"])
