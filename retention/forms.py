from django import forms

MAX_RETENTION_DAYS = 3650


def _days_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
        help_text=help_text,
        error_messages={
            "min_value": "Keep them at least 1 day.",
            "max_value": f"At most {MAX_RETENTION_DAYS} days (10 years).",
            "invalid": "Enter a whole number of days.",
        },
    )


class RetentionForm(forms.Form):
    """How long the agency keeps what calls leave behind (days)."""

    retention_recording_days = _days_field(
        "Recordings (days)", "Call recordings are deleted this many days after the call."
    )
    retention_transcript_days = _days_field(
        "Transcripts (days)", "Transcripts are removed this many days after the call."
    )
    retention_webhook_payload_days = _days_field(
        "Raw webhook payloads (days)",
        "What ElevenLabs and Twilio sent, kept for troubleshooting this many days.",
    )


class ForgetForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand this cannot be undone",
        error_messages={"required": "Tick the box to confirm: forgetting cannot be undone."},
    )
