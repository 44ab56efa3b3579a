from django import forms
from django.core.exceptions import ValidationError

from agents.models import Agent
from contacts.csv_import import describe_size, max_upload_bytes
from contacts.models import Contact, Memory
from contacts.services import MAX_IMPORT_ROWS, MAX_TAG_CHARS, MAX_TAGS, parse_tags
from voqo.phones import normalize_phone


class ContactForm(forms.ModelForm):
    phone = forms.CharField(
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="Any Australian format, e.g. 0412 345 678 or +61 412 345 678.",
    )
    tags = forms.CharField(
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_CHARS + 2),
        help_text="Separate tags with commas, e.g. buyer, vip.",
    )

    class Meta:
        model = Contact
        fields = ["name", "phone", "state", "notes", "tags"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        labels = {"state": "State"}
        help_texts = {
            "state": "Where they live: Voqo calls a mobile in that state's hours. Leave empty "
            "to use the agency's state from Settings."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate_of: Contact | None = None
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(self.instance.tags or [])

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        existing = Contact.objects.filter(phone=phone).exclude(pk=self.instance.pk).first()
        if existing is not None:
            self.duplicate_of = existing
            raise ValidationError(
                f"{existing.name or 'Another contact'} already has this number.",
                code="duplicate",
            )
        return phone

    def clean_tags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("tags", ""))


class MemoryForm(forms.ModelForm):
    class Meta:
        model = Memory
        fields = ["content"]
        labels = {"content": "Memory"}
        widgets = {
            "content": forms.Textarea(
                attrs={"rows": 2, "maxlength": 2000, "placeholder": "e.g. Budget around $1.2M"}
            )
        }

    def clean_content(self) -> str:
        content = self.cleaned_data["content"].strip()
        if len(content) > 2000:
            raise ValidationError("Keep a memory under 2,000 characters.")
        return content


def callable_agents():
    """Agents that may place calls now: enabled and known to ElevenLabs."""
    return Agent.objects.filter(enabled=True).exclude(elevenlabs_agent_id="").order_by("name")


class CallContactForm(forms.Form):
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose an enabled, synced agent."},
    )
    # Only sent with "Call anyway" (owners, outside calling hours); kept on the call.
    override_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why call outside calling hours?",
        help_text="E.g. “They asked us to call back tonight.” Kept with the call.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = callable_agents()


class CallNumberForm(CallContactForm):
    phone = forms.CharField(
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="Mobile or landline, e.g. 0412 345 678.",
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"], callable_only=True)


class ContactImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "Columns: name, phone (or phone_number), notes, tags. "
            f"Up to {describe_size(max_upload_bytes())} and {MAX_IMPORT_ROWS:,} rows; "
            "UTF-8 or Windows (Excel) encoding."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                f"The file is {describe_size(upload.size)}; the limit is {describe_size(limit)}. "
                "Split it into smaller files."
            )
        return upload
