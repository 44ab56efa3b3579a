from django import forms

from listings.csv_listings import ROLE_LABELS, ROLES, ListingColumnMapping
from listings.models import Listing, ListingFeed
from listings.services import MAX_FILE_BYTES

POLL_CHOICES = [
    (15, "Every 15 minutes"),
    (60, "Every hour"),
    (360, "Every 6 hours"),
    (720, "Twice a day"),
]


class ReaxmlUploadForm(forms.Form):
    file = forms.FileField(
        label="REAXML file",
        help_text="An .xml file exported by your CRM (all listings, or only the changed ones). "
        f"At most {MAX_FILE_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB; at most "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB can be imported."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class ListingsCsvForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="The first row names the columns; next you choose what each column holds.",
    )


class FeedForm(forms.ModelForm):
    url = forms.URLField(
        label="REAXML feed URL",
        max_length=500,
        assume_scheme="https",
        help_text="The address your CRM publishes its REAXML export at (http or https). "
        "Only listings the feed mentions change; listings it leaves out are kept.",
    )
    poll_every_minutes = forms.TypedChoiceField(
        label="Check", choices=POLL_CHOICES, coerce=int, initial=720
    )

    class Meta:
        model = ListingFeed
        fields = ["url", "enabled", "poll_every_minutes"]
        labels = {"enabled": "Check the feed on a schedule"}

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Use an http:// or https:// address.")
        if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
            raise forms.ValidationError(
                "Put no user name or password in the address; ask your CRM for a feed URL "
                "with a token in it instead."
            )
        return url


class ListingFilterForm(forms.Form):
    STOCK = "stock"
    q = forms.CharField(required=False, label="Search", max_length=100)
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[
            ("", "Any status"),
            (STOCK, "In stock (current or under offer)"),
            *Listing.Status.choices,
        ],
    )
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "Any kind"), *Listing.Kind.choices]
    )
    suburb = forms.CharField(required=False, label="Suburb", max_length=80)

    def filter(self, listings):
        """`listings` narrowed by the valid filters (all of them when the form is not valid)."""
        filters = self.cleaned_data if self.is_valid() else {}
        if query := filters.get("q", "").strip():
            for word in query.lower().split()[:6]:
                listings = listings.filter(search_text__contains=word)
        status = filters.get("status", "")
        if status == self.STOCK:
            listings = listings.filter(status__in=Listing.IN_STOCK)
        elif status:
            listings = listings.filter(status=status)
        if kind := filters.get("kind"):
            listings = listings.filter(kind=kind)
        if suburb := filters.get("suburb", "").strip():
            listings = listings.filter(suburb_key=suburb.lower())
        return listings


class ListingColumnMappingForm(forms.Form):
    """One role per CSV column, as the contacts import asks it (`partials/_column_mapping`)."""

    previewed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, headers, samples, roles, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers, self.zone = headers, zone
        for index, header in enumerate(headers):
            examples = ", ".join(samples[index]) if index < len(samples) else ""
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1} (no header)",
                choices=[(role, ROLE_LABELS[role]) for role in ROLES],
                initial=roles[index],
                help_text=f"e.g. {examples}" if examples else "Empty in the first rows.",
            )

    @property
    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def roles(self) -> list[str]:
        if self.is_bound and hasattr(self, "cleaned_data"):
            return [self.cleaned_data.get(f"column_{i}", "") for i in range(len(self.headers))]
        return [self.fields[f"column_{i}"].initial for i in range(len(self.headers))]

    def mapping(self) -> ListingColumnMapping:
        return ListingColumnMapping(self.headers, self.roles(), zone=self.zone)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for message in self.mapping().errors:
                self.add_error(None, message)
        return cleaned
