import uuid

from django import forms

from contacts.models import Contact
from voices.models import CloneLog, LibraryVoice, VoiceConsent, VoiceSample
from voices.samples import MAX_SAMPLES, CheckedSample, SampleRejected, check_sample
from voqo.phones import normalize_phone


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ConsentForm(forms.Form):
    speaker_name = forms.CharField(max_length=200, label="Speaker's name")
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Signed consent statement",
        help_text="What the speaker signed, word for word, e.g. "
        "“I agree that Harbour Realty may clone my voice for its phone agent.”",
    )
    consent_file = forms.FileField(
        required=False,
        label="Or the signed form or recorded consent (PDF, image or audio)",
    )

    def clean(self):
        data = super().clean()
        if not (data.get("statement") or "").strip() and not data.get("consent_file"):
            raise forms.ValidationError(
                "Give the speaker's signed statement or upload their signed or recorded consent."
            )
        return data


def _consents(agency):
    return VoiceConsent.objects.filter(agency=agency)


def _checked(upload) -> CheckedSample:
    try:
        return check_sample(upload.name, upload.read())
    except SampleRejected as error:
        raise forms.ValidationError(str(error)) from error


class CloneForm(forms.Form):
    consent = forms.ModelChoiceField(
        queryset=VoiceConsent.objects.none(),
        label="Consent",
        empty_label="Choose the speaker's consent",
        error_messages={"required": "Record the speaker's consent before cloning their voice."},
    )
    name = forms.CharField(max_length=100, label="Voice name")
    samples = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": "audio/wav,audio/mpeg"}),
        label="Recordings (WAV or MP3, 10 seconds to 5 minutes each)",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = _consents(agency)

    def clean_samples(self):
        uploads = self.cleaned_data["samples"]
        if not uploads:
            raise forms.ValidationError("Upload at least one recording.")
        if len(uploads) > MAX_SAMPLES:
            raise forms.ValidationError(f"Upload at most {MAX_SAMPLES} recordings.")
        return [_checked(upload) for upload in uploads]


class SampleForm(forms.Form):
    consent = forms.ModelChoiceField(
        queryset=VoiceConsent.objects.none(),
        empty_label="Choose the speaker's consent",
        error_messages={"required": "Record the speaker's consent before uploading their voice."},
    )
    name = forms.CharField(max_length=100, label="Sample name")
    audio = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": "audio/wav,audio/mpeg"}),
        label="Recording (WAV or MP3, 10 seconds to 5 minutes)",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = _consents(agency)

    def clean_audio(self):
        return _checked(self.cleaned_data["audio"])


class RenameForm(forms.Form):
    name = forms.CharField(max_length=100, label="New name")


class CallerVoiceForm(forms.Form):
    phone = forms.CharField(
        max_length=40,
        label="Phone number",
        help_text="A contact's number maps that contact (their mapping follows them); any "
        "other number is mapped as it is, e.g. 0412 345 678 or +61412345678. A contact's "
        "own mapping wins over their number's.",
        error_messages={"required": "Enter a phone number."},
    )
    voice = forms.ChoiceField(
        label="Voice",
        error_messages={
            "required": "Choose a voice from the list.",
            "invalid_choice": "Choose a voice from the list.",
        },
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        voices = [
            (f"library:{v.pk}", f"{v.name} (library)")
            for v in LibraryVoice.objects.filter(agency=agency)
        ]
        samples = [
            (f"sample:{s.pk}", f"{s.name} (sample, cloned on first call)")
            for s in VoiceSample.objects.filter(agency=agency)
        ]
        self.fields["voice"].choices = [("", "Choose a voice"), *voices, *samples]

    def clean_phone(self) -> tuple[Contact | None, str]:
        """(the contact with that number or None, the number in E.164)."""
        phone = normalize_phone(self.cleaned_data["phone"])  # InvalidPhoneNumber says why
        return Contact.objects.filter(agency=self.agency, phone=phone).first(), phone

    def clean_voice(self):
        kind, _, pk = self.cleaned_data["voice"].partition(":")
        model = LibraryVoice if kind == "library" else VoiceSample
        try:
            chosen = model.objects.filter(agency=self.agency, pk=uuid.UUID(pk)).first()
        except ValueError:
            chosen = None
        if chosen is None:
            raise forms.ValidationError("Choose a voice from the list.")
        return chosen


class TtlForm(forms.Form):
    voice_clone_ttl_hours = forms.IntegerField(
        min_value=1,
        max_value=24 * 30,
        label="Keep a caller's cloned voice for (hours)",
        help_text="After this, the clone is deleted at ElevenLabs and made again on the "
        "caller's next call.",
    )


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *CloneLog.Status.choices], required=False
    )
    operation = forms.ChoiceField(
        choices=[("", "Any operation"), *CloneLog.Operation.choices], required=False
    )
    caller = forms.CharField(max_length=20, required=False, label="Caller's number")
