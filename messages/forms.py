from django import forms

from messages.models import SmsTemplate
from voqo.forms import VARIABLES_HELP, clean_sms_template
from voqo.phones import normalize_phone


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=1600,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1600}),
        help_text=VARIABLES_HELP,
    )


class NewMessageForm(ReplyForm):
    phone = forms.CharField(
        label="To",
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="A mobile number, e.g. 0412 345 678.",
    )
    field_order = ["phone", "body"]

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["name", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 1600})}
        help_texts = {"body": VARIABLES_HELP}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if SmsTemplate.objects.filter(agency=self.agency, name__iexact=name).exists():
            raise forms.ValidationError("A template with this name exists already.")
        return name

    def clean_body(self) -> str:
        return clean_sms_template(self.cleaned_data["body"])

    def save(self, commit: bool = True) -> SmsTemplate:
        self.instance.agency = self.agency
        return super().save(commit)
