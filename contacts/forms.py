from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from agencies.models import Agency
from agents.models import Agent
from contacts.csv_import import describe_size, max_upload_bytes
from contacts.csv_mapping import KIND_ROLES, ROLE_LABELS, VARIABLE, ColumnMapping
from contacts.imports import MAX_IMPORT_ROWS
from contacts.models import Contact, Memory
from contacts.services import MAX_TAG_CHARS, MAX_TAGS, parse_tags
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import outbound_numbers
from voqo.calling_window import PURPOSE_CHOICES, TELEMARKETING
from voqo.dynamic_variables import variable_key
from voqo.phones import normalize_phone


class ContactForm(forms.ModelForm):
    phone = forms.CharField(
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="Any Australian format, e.g. 0412 345 678 or +61 412 345 678. A contact may "
        "keep a 13/1300/1800 number, but Voqo only calls mobiles and landlines.",
    )
    tags = forms.CharField(
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_CHARS + 2),
        help_text="Separate tags with commas, e.g. buyer, vip.",
    )

    class Meta:
        model = Contact
        fields = ["name", "phone", "email", "state", "owner", "notes", "tags"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        labels = {"state": "State"}
        error_messages = {"owner": {"invalid_choice": "The owner must be a member of this agency."}}
        help_texts = {
            "owner": "The member who looks after this person; lead alerts can go to them.",
            "state": "Where they live: Voqo calls a mobile in that state's hours. Leave empty "
            "to use the agency's state from Settings.",
        }

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.instance.agency = agency
        self.duplicate_of: Contact | None = None
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__agency=agency).order_by("username")
        )
        self.fields["owner"].empty_label = "Nobody"
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(self.instance.tags or [])

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        existing = (
            Contact.objects.filter(agency=self.agency, phone=phone)
            .exclude(pk=self.instance.pk)
            .first()
        )
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


def callable_agents(*, agency: Agency):
    """`agency`'s agents that may place calls now: enabled and known to ElevenLabs."""
    agents = Agent.objects.filter(agency=agency, enabled=True).exclude(elevenlabs_agent_id="")
    return agents.order_by("name")


class CallContactForm(forms.Form):
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose an enabled, synced agent."},
    )
    purpose = forms.ChoiceField(
        label="Purpose",
        choices=PURPOSE_CHOICES,
        initial=TELEMARKETING,
        required=False,
        help_text="Telemarketing calls need a fresh Do Not Call Register wash.",
    )
    # Only sent with "Call anyway" (owners, outside calling hours); kept on the call.
    override_reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why call outside calling hours?",
        help_text="E.g. “They asked us to call back tonight.” Kept with the call.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )

    caller_number = forms.ModelChoiceField(
        queryset=PhoneNumber.objects.none(),
        required=False,
        label="Call from",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the agency's outbound numbers."},
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = callable_agents(agency=agency)
        numbers = outbound_numbers(agency)
        self.fields["caller_number"].queryset = numbers
        if not numbers.exists():
            # The install's number is used; there is nothing to choose.
            self.fields["caller_number"].widget = forms.HiddenInput()

    def clean_purpose(self) -> str:
        # Not chosen (an older form): the strictest rules, those of telemarketing.
        return self.cleaned_data["purpose"] or TELEMARKETING


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
            "A CSV export from Google Contacts, Outlook, your CRM or a spreadsheet: you choose "
            "what each column holds next. "
            f"Up to {describe_size(max_upload_bytes())} and {MAX_IMPORT_ROWS:,} rows; "
            "separated by commas, semicolons or tabs; UTF-8 or Windows (Excel) encoding."
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


class ColumnMappingForm(forms.Form):
    """One choice per CSV column: what it holds. Shared by contact imports and campaign uploads.

    `previewed` carries the signature of the mapping whose preview staff saw, so "Import"
    never applies a mapping they have not previewed.
    """

    previewed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args,
        headers: list[str],
        samples: list[list[str]],
        kind: str,
        roles: list[str],
        callable_only: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.kind = kind
        self.callable_only = callable_only
        for index, header in enumerate(headers):
            choices = []
            for role in KIND_ROLES[kind]:
                label = ROLE_LABELS[role]
                if role == VARIABLE:
                    key = variable_key(header) or f"column_{index + 1}"
                    label = f"Campaign variable {{{{{key}}}}}"
                choices.append((role, label))
            examples = ", ".join(samples[index]) if index < len(samples) else ""
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1} (no header)",
                choices=choices,
                initial=roles[index],
                help_text=f"e.g. {examples}" if examples else "Empty in the first rows.",
            )

    @property
    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def roles(self) -> list[str]:
        """The chosen roles (bound and valid), else the initial ones."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return [self.cleaned_data.get(f"column_{i}", "") for i in range(len(self.headers))]
        return [self.fields[f"column_{i}"].initial for i in range(len(self.headers))]

    def mapping(self) -> ColumnMapping:
        return ColumnMapping(
            self.headers, self.roles(), kind=self.kind, callable_only=self.callable_only
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for message in self.mapping().errors:
                self.add_error(None, message)
        return cleaned
