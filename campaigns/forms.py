from django import forms
from django.conf import settings

from agents.models import Agent, SavedPrompt
from campaigns.csv_upload import LIMITS_HELP
from campaigns.models import Campaign, Job, Upload
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import outbound_numbers
from voqo.calling_window import PURPOSE_CHOICES, TELEMARKETING


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=LIMITS_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ConfirmUploadForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    filename = forms.CharField(widget=forms.HiddenInput, max_length=255)


def upload_label(upload: Upload) -> str:
    """`list.csv — variables {{suburb}}, {{price}}`: what an agent's prompt may use with it."""
    if not upload.variable_keys:
        return f"{upload.filename} — no campaign variables"
    names = ", ".join("{{" + key + "}}" for key in upload.variable_keys)
    return f"{upload.filename} — variables {names}"


class JobForm(forms.Form):
    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(),
        help_text="Only enabled agents can place calls.",
        empty_label=None,
    )
    upload = forms.ModelChoiceField(
        queryset=Upload.objects.none(), label="Contacts (upload)", empty_label=None
    )
    saved_prompt = forms.ModelChoiceField(
        queryset=SavedPrompt.objects.none(),
        required=False,
        label="Prompt",
        empty_label="The agent's own prompt",
        help_text="A prompt from the library replaces the agent's prompt and greeting for this "
        "job's calls only.",
    )
    caller_number = forms.ModelChoiceField(
        queryset=PhoneNumber.objects.none(),
        required=False,
        label="Call from",
        empty_label="The agency's default caller ID",
        help_text="The number people see when the agent calls.",
    )
    concurrency_cap = forms.IntegerField(
        label="Calls at once",
        min_value=1,
        max_value=20,
        initial=2,
        help_text=(
            "How many calls ring at the same time. Keep it below your ElevenLabs plan's "
            "concurrency limit (e.g. Starter 6, Creator 10): inbound callers share those "
            "slots, and a campaign that fills them leaves customers calling in unanswered."
        ),
    )
    max_retries = forms.IntegerField(
        label="Retries",
        min_value=0,
        max_value=5,
        initial=2,
        help_text="Extra attempts after no answer or a busy line.",
    )
    retry_delay_minutes = forms.IntegerField(
        label="Minutes between retries", min_value=5, max_value=1440, initial=30
    )
    purpose = forms.ChoiceField(
        label="Why are you calling?",
        choices=PURPOSE_CHOICES,
        initial=TELEMARKETING,
        required=False,
        help_text=(
            "Telemarketing (anything that offers or promotes a service, e.g. an appraisal) "
            "needs every number washed against the Do Not Call Register within 30 days, and "
            "consent for registered numbers. Service is for people's own matters with you "
            "(a tenant's repair); research sells nothing. The purpose sets the calling hours."
        ),
    )
    calling_window = forms.ChoiceField(
        label="Calling window",
        choices=Job.CallingWindow.choices,
        initial=Job.CallingWindow.AU_TELEMARKETING,
        help_text=(
            "Telemarketing: weekdays 9:00–20:00 and Saturdays 9:00–17:00; research: weekdays "
            "9:00–20:30 and weekends 9:00–17:00; service: weekdays 8:00–20:00 and Saturdays "
            "9:00–17:00; never on public holidays, in each recipient's local time. A mobile "
            "is called in its state's hours when the upload's “state” column, the contact or "
            "Settings names one; otherwise only when it is within hours in every Australian "
            "time zone."
        ),
    )

    def clean_purpose(self) -> str:
        # Not chosen (an older form or client): the strictest rules, those of telemarketing.
        return self.cleaned_data["purpose"] or TELEMARKETING

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the campaign's agency's agents: another agency's agent id is "not one of the
        # available choices", never a job.
        agents = Agent.objects.filter(enabled=True, agency_id=campaign.agency_id)
        self.fields["agent"].queryset = agents.order_by("name")
        self.fields["upload"].queryset = campaign.uploads.all()
        self.fields["upload"].label_from_instance = upload_label
        self.fields["caller_number"].queryset = outbound_numbers(campaign.agency)
        self.fields["saved_prompt"].queryset = SavedPrompt.objects.filter(agency=campaign.agency)
        if settings.VOQO_PROVIDER != "sandbox":
            # Ignoring the telemarketing window is only for simulated calls.
            self.fields["calling_window"].choices = [
                choice
                for choice in Job.CallingWindow.choices
                if choice[0] != Job.CallingWindow.ANYTIME
            ]
