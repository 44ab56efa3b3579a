from django import forms
from django.utils import timezone

from calls.models import Call
from compliance.models import Consent
from voqo.forms import DatePicker, DateTimePicker


class WashImportForm(forms.Form):
    file = forms.FileField(
        label="The register's result file",
        help_text=(
            "The file the Do Not Call Register gave back: one number per line with its answer "
            "(e.g. “0412345678,Y” for registered, “0412345678,N” for not registered)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    checked_on = forms.DateField(
        label="Washed on",
        help_text="The day the register answered: the wash is good for 30 days from then.",
        widget=DatePicker(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()

    def clean_checked_on(self):
        checked_on = self.cleaned_data["checked_on"]
        if checked_on > timezone.localdate():
            raise forms.ValidationError(
                "The wash date is in the future: give the day the register answered."
            )
        return checked_on


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Consent.Kind.choices,
        help_text=(
            "Consent is never inferred from a number merely being published (a listing, "
            "a website): record express consent, or inferred consent from a real relationship."
        ),
    )
    method = forms.ChoiceField(label="How it was given", choices=Consent.Method.choices)
    obtained_at = forms.DateTimeField(
        label="When",
        widget=DateTimePicker(),
    )
    obtained_by = forms.CharField(
        label="Obtained by",
        max_length=150,
        error_messages={"required": "Say who obtained the consent (the staff member's name)."},
    )
    evidence_note = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was said or signed, and where it is kept; or choose the call below.",
    )
    call = forms.ModelChoiceField(
        label="Given on this call",
        queryset=Call.objects.none(),
        required=False,
        empty_label="(not on a call)",
    )
    expires_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=DatePicker(),
        help_text="Leave empty when they named no period: consent then lapses after 3 months.",
    )

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(
            agency_id=contact.agency_id, contact=contact
        ).order_by("-created_at")
        self.fields["call"].label_from_instance = lambda call: (
            f"{timezone.localtime(call.created_at):%-d %b %Y %H:%M} — {call.title or call.status}"
        )
