import re
from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Membership
from contacts.profile import FACTS, ROLES, ProfileValueError, clean_value
from outcomes.dispositions import DETAIL_SEPARATOR
from outcomes.models import UNKNOWN, DetailType, Disposition, LeadAlertRule
from voqo.forms import DatePicker
from voqo.phones import try_normalize_phone

KEY = re.compile(r"^[a-z][a-z0-9_]{0,48}$")
MAX_DETAILS = 10
MAX_RANGE_DAYS = 366


def _key_problem(key: str) -> str:
    if not KEY.match(key):
        return (
            "Use lower-case letters, digits and _ (starting with a letter), e.g. appraisal_booked."
        )
    if DETAIL_SEPARATOR in key:
        return "A key cannot contain two underscores in a row (__ separates outcome and detail)."
    return ""


def optional_mobile(raw: str) -> str:
    """A mobile typed in any common form, in E.164; "" when left blank."""
    raw = raw.strip()
    if not raw:
        return ""
    phone = try_normalize_phone(raw)
    if not phone:
        raise forms.ValidationError("Enter a valid mobile number, e.g. 0412 345 678.")
    return phone


class DispositionForm(forms.ModelForm):
    details_text = forms.CharField(
        required=False,
        label="Details to extract",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "One per line: key | label | type | description. Types: "
            + ", ".join(value for value, _ in DetailType.choices)
            + ". Example: address | Address | text | The property's address."
        ),
    )

    class Meta:
        model = Disposition
        fields = ["key", "label", "description", "converts", "position"]
        labels = {"converts": "Counts as a conversion"}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        if self.instance.pk:
            self.fields["details_text"].initial = "\n".join(
                " | ".join(
                    [d["key"], d.get("label", ""), d.get("type", "text"), d.get("description", "")]
                )
                for d in self.instance.details
            )

    def clean_key(self):
        key = self.cleaned_data["key"].strip().lower()
        if problem := _key_problem(key):
            raise forms.ValidationError(problem)
        if key == UNKNOWN:
            raise forms.ValidationError("“unknown” is what Voqo records when no outcome fits.")
        taken = Disposition.objects.filter(agency=self.agency, key=key).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("This agency already has an outcome with that key.")
        return key

    def clean_details_text(self):
        details, keys, errors = [], set(), []
        types = {value for value, _ in DetailType.choices}
        for number, line in enumerate(self.cleaned_data["details_text"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            key = parts[0].lower()
            label = parts[1] if len(parts) > 1 and parts[1] else key.replace("_", " ").capitalize()
            kind = parts[2].lower() if len(parts) > 2 and parts[2] else DetailType.TEXT
            description = " | ".join(parts[3:]) if len(parts) > 3 else ""
            if problem := _key_problem(key):
                errors.append(f"Line {number}: {problem}")
            elif key in keys:
                errors.append(f"Line {number}: the detail “{key}” is listed twice.")
            elif kind not in types:
                errors.append(
                    f"Line {number}: “{kind}” is not a type; use one of {', '.join(sorted(types))}."
                )
            keys.add(key)
            details.append(
                {"key": key, "label": label, "type": str(kind), "description": description}
            )
        if len(details) > MAX_DETAILS:
            errors.append(f"At most {MAX_DETAILS} details per outcome.")
        if errors:
            raise forms.ValidationError(errors)
        return details

    def save(self, commit=True):
        self.instance.agency = self.agency
        self.instance.details = self.cleaned_data["details_text"]
        return super().save(commit=commit)


class OutcomeCorrectionForm(forms.Form):
    outcome_type = forms.ChoiceField(label="Outcome")
    details = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line as key: value, e.g. address: 12 Ocean Street, Bondi.",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispositions = list(Disposition.objects.filter(agency=agency))
        self.fields["outcome_type"].choices = [(d.key, d.label) for d in self.dispositions]

    def clean_details(self):
        values = {}
        for number, line in enumerate(self.cleaned_data["details"].splitlines(), start=1):
            if not line.strip():
                continue
            key, separator, value = line.partition(":")
            if not separator:
                raise forms.ValidationError(f"Line {number}: write it as key: value.")
            values[key.strip().lower()] = value.strip()
        return values

    def clean(self):
        cleaned = super().clean()
        chosen = next((d for d in self.dispositions if d.key == cleaned.get("outcome_type")), None)
        if chosen is not None and cleaned.get("details"):
            known = {d["key"] for d in chosen.details}
            unknown = sorted(set(cleaned["details"]) - known)
            if unknown:
                allowed = ", ".join(sorted(known)) or "none"
                self.add_error(
                    "details",
                    f"{chosen.label} has no detail {', '.join(unknown)} (its details: {allowed}).",
                )
        return cleaned


class ProfileForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for fact in FACTS:
            if fact.kind == "role":
                field = forms.ChoiceField(
                    required=False,
                    choices=[("", "Not known"), *[(r, r.capitalize()) for r in ROLES]],
                )
            else:
                field = forms.CharField(
                    required=False,
                    max_length=1000,
                    help_text="Comma-separated." if fact.kind == "list" else "",
                )
            field.label = fact.label
            self.fields[fact.key] = field

    def clean(self):
        cleaned = super().clean()
        for fact in FACTS:
            try:
                clean_value(fact.key, cleaned.get(fact.key))
            except ProfileValueError as error:
                self.add_error(fact.key, str(error))
        return cleaned


class LeadAlertRuleForm(forms.ModelForm):
    outcomes = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Outcomes"
    )

    class Meta:
        model = LeadAlertRule
        fields = [
            "name",
            "enabled",
            "trigger",
            "outcomes",
            "recipient",
            "staff_member",
            "phone",
            "email",
            "by_sms",
            "by_email",
            "quiet_from",
            "quiet_until",
        ]
        labels = {
            "phone": "Mobile to text",
            "email": "E-mail address",
            "by_sms": "Send an SMS",
            "by_email": "Send an e-mail",
            "quiet_from": "Quiet hours from",
            "quiet_until": "Quiet hours until",
        }
        help_texts = {
            "phone": "For an on-call number or staff member; the contact's owner and the "
            "listing's agent are texted on their own mobile.",
            "email": "Leave empty to use the staff member's address.",
            "quiet_from": "Alerts that arrive in quiet hours wait until they end (agency time).",
        }
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["outcomes"].choices = list(
            Disposition.objects.filter(agency=agency).values_list("key", "label")
        )
        self.fields["staff_member"].queryset = (
            get_user_model().objects.filter(memberships__agency=agency).order_by("username")
        )
        self.fields["staff_member"].required = False

    def clean_phone(self):
        return optional_mobile(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        trigger = cleaned.get("trigger")
        if trigger == LeadAlertRule.Trigger.OUTCOMES and not cleaned.get("outcomes"):
            self.add_error("outcomes", "Choose at least one outcome, or alert on every call.")
        if not cleaned.get("by_sms") and not cleaned.get("by_email"):
            self.add_error("by_sms", "Choose SMS, e-mail or both.")
        recipient = cleaned.get("recipient")
        if recipient in (
            LeadAlertRule.Recipient.CONTACT_OWNER,
            LeadAlertRule.Recipient.LISTING_AGENT,
        ):
            # Found on each call: the owner's or the agent's own mobile and address.
            cleaned["phone"], cleaned["email"], cleaned["staff_member"] = "", "", None
            return self._clean_quiet_hours(cleaned)
        staff = cleaned.get("staff_member") if recipient == LeadAlertRule.Recipient.STAFF else None
        member = (
            Membership.objects.filter(agency=self.agency, user=staff).first() if staff else None
        )
        if recipient == LeadAlertRule.Recipient.STAFF and staff is None:
            self.add_error("staff_member", "Choose the staff member to alert.")
        if recipient != LeadAlertRule.Recipient.STAFF:
            cleaned["staff_member"] = None
        member_phone = member.alert_phone if member else ""
        if cleaned.get("by_sms") and not (cleaned.get("phone") or member_phone):
            self.add_error(
                "phone",
                "An SMS alert needs a mobile number (or a staff member who gave theirs under "
                "“Your lead alerts”)."
                if recipient == LeadAlertRule.Recipient.STAFF
                else "An SMS alert needs a mobile number.",
            )
        if cleaned.get("by_email") and not (cleaned.get("email") or (staff and staff.email)):
            self.add_error("email", "An e-mail alert needs an address.")
        return self._clean_quiet_hours(cleaned)

    def _clean_quiet_hours(self, cleaned):
        start, end = cleaned.get("quiet_from"), cleaned.get("quiet_until")
        if (start is None) != (end is None):
            self.add_error("quiet_until", "Give both ends of the quiet hours, or neither.")
        return cleaned

    def save(self, commit=True):
        self.instance.agency = self.agency
        self.instance.outcomes = self.cleaned_data.get("outcomes") or []
        return super().save(commit=commit)


class RangeForm(forms.Form):
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

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "“To” must be on or after “From”.")
        elif start and end and (end - start).days >= MAX_RANGE_DAYS:
            self.add_error("date_to", f"Choose at most {MAX_RANGE_DAYS} days.")
        return cleaned

    def dates(self, zone):
        """The chosen days; the last 30 days up to today by default (or when invalid)."""
        today = timezone.localtime(timezone.now(), zone).date()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("date_to") or today
        start = data.get("date_from") or end - timedelta(days=29)
        return start, end


class MemberAlertsForm(forms.Form):
    alert_phone = forms.CharField(
        required=False,
        max_length=40,
        label="Your mobile for lead alerts",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="Alerts to you, or about contacts you own, are texted here. E.g. 0412 345 678.",
    )
    sms_opt_out = forms.BooleanField(required=False, label="Don't text me lead alerts")

    def clean_alert_phone(self):
        return optional_mobile(self.cleaned_data["alert_phone"])
