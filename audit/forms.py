from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from audit.kinds import KIND_LABELS
from audit.models import AuditEntry
from voqo.forms import DatePicker


class AuditFilterForm(forms.Form):
    """The audit page's filters (person, kind, dates), all optional and combined with AND."""

    person = forms.ModelChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="Anyone"
    )
    kind = forms.ChoiceField(required=False)
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=DatePicker(),
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=DatePicker(),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        # Present members and anyone who left a trace (a removed member's entries stay).
        self.fields["person"].queryset = (
            get_user_model()
            .objects.filter(
                Q(memberships__agency=agency)
                | Q(pk__in=AuditEntry.objects.filter(agency=agency).values("actor_id"))
            )
            .distinct()
            .order_by("username")
        )
        self.fields["person"].label_from_instance = lambda user: user.get_username()
        # The known kinds, and any other an app recorded for this agency.
        recorded = (
            AuditEntry.objects.filter(agency=agency).order_by().values_list("kind", flat=True)
        )
        kinds = {**{kind: kind for kind in recorded.distinct()}, **KIND_LABELS}
        self.fields["kind"].choices = [
            ("", "Any kind"),
            *sorted(kinds.items(), key=lambda item: item[1].lower()),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“To” must be on or after “From”.")
        return cleaned

    def filter(self, entries: QuerySet[AuditEntry], zone) -> QuerySet[AuditEntry]:
        """Apply the valid filters; dates are whole days in the agency's zone."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("person"):
            entries = entries.filter(actor=data["person"])
        if data.get("kind"):
            entries = entries.filter(kind=data["kind"])
        if data.get("date_from"):
            start = datetime.combine(data["date_from"], time.min, tzinfo=zone)
            entries = entries.filter(created_at__gte=start)
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
            entries = entries.filter(created_at__lt=end)
        return entries
