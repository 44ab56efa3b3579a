from django.conf import settings
from django.db import models

from voqo.calling_window import STATE_CHOICES
from voqo.models import UUIDModel

# The name of a contact created from a call whose caller did not say who they are.
UNKNOWN_CALLER = "Unknown caller"


class AustralianState(models.TextChoices):
    NSW = "NSW", "New South Wales"
    VIC = "VIC", "Victoria"
    QLD = "QLD", "Queensland"
    SA = "SA", "South Australia"
    WA = "WA", "Western Australia"
    TAS = "TAS", "Tasmania"
    NT = "NT", "Northern Territory"
    ACT = "ACT", "Australian Capital Territory"


def _agency_field() -> models.ForeignKey:
    return models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")


class RowAgencyField(models.ForeignKey):
    """A row's agency when the writer gave none: its parent's (the `parent` relation). For
    every writer, bulk_create included (pre_save runs for each inserted row); a row with
    neither is refused by the database (the column is NOT NULL)."""

    def __init__(self, *args, parent: str = "", **kwargs):
        self.parent = parent
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs

    def pre_save(self, model_instance, add):
        if getattr(model_instance, self.attname) is None and self.parent:
            parent = getattr(model_instance, self.parent, None)
            if parent is not None:
                setattr(model_instance, self.attname, parent.agency_id)
        return super().pre_save(model_instance, add)


class Contact(UUIDModel):
    # CASCADE: an agency removed from the install takes its contacts, memories, suppressions
    # and mappings with it (its calls keep their own agency column).
    agency = RowAgencyField("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +61412345678")
    email = models.EmailField(max_length=254, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    # Where the contact lives: puts a mobile in that state's calling window (else the
    # agency's default state, else every Australian zone).
    state = models.CharField(max_length=3, blank=True, default="", choices=STATE_CHOICES)
    # Opt-out (STOP by SMS or by staff) suppresses both SMS and campaign calls.
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opted_out_by = models.CharField(max_length=150, blank=True, default="")
    last_call_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # What calls taught us (contacts.profile): typed facts, each with where it came from.
    # Null for rows that bulk writers (CSV import) insert without it: read as no facts.
    profile = models.JSONField(default=dict, blank=True, null=True)
    # The caller's own voice (voices.CallerVoice), kept here so the initiation answer reads
    # it in its one query: a ready ElevenLabs voice id, or the sample still to be cloned.
    # db_default too: bulk writers (CSV import) insert rows without it.
    voice_id = models.CharField(max_length=64, blank=True, default="", db_default="")
    voice_sample_id = models.UUIDField(null=True, blank=True)
    # The member of the agency who looks after this person (lead alerts can go to them).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "contacts"
        ordering = ["name"]
        # One number can be a contact of two agencies, once in each.
        constraints = [
            models.UniqueConstraint(fields=["agency", "phone"], name="idx_contacts_agency_phone")
        ]
        indexes = [
            models.Index(fields=["agency", "name", "phone"], name="idx_contacts_agency_name"),
            # The API lists contacts newest first, keyset-paginated on (created_at, id).
            models.Index(fields=["agency", "created_at", "id"], name="idx_contacts_agency_date"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None

    def save(self, *args, **kwargs) -> None:
        # A number that opted out before it was a contact (or under another contact) stays
        # opted out: the contact inherits its suppression.
        update_fields = kwargs.get("update_fields")
        if self.opted_out_at is None and (update_fields is None or "phone" in update_fields):
            suppression = SuppressedNumber.objects.filter(
                agency_id=self.agency_id, phone=self.phone
            ).first()
            if suppression is not None:
                self.opted_out_at = suppression.suppressed_at
                self.opted_out_by = suppression.source
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "opted_out_at", "opted_out_by"}
        super().save(*args, **kwargs)


class Memory(UUIDModel):
    class Source(models.TextChoices):
        AUTO = "auto", "From a call"
        MANUAL = "manual", "Added by staff"

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="memories", db_index=False
    )
    # The contact's agency, written with the row (pre_save) so a scoped list needs no join.
    agency = RowAgencyField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", parent="contact"
    )
    content = models.TextField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="memories"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "memories"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contact"], name="idx_memories_contact")]
        verbose_name_plural = "memories"

    def __str__(self) -> str:
        return self.content[:60]


class ImportMapping(UUIDModel):
    """What each column of a CSV layout meant last time, so the same export maps itself."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", "Contacts import"
        CAMPAIGN = "campaign", "Campaign upload"
        LISTINGS = "listings", "Listings import"

    agency = _agency_field()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # sha256 of the normalised header row: one remembered mapping per layout.
    headers_key = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    roles = models.JSONField(default=list)  # one role per column, in column order
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "import_mappings"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "headers_key"], name="idx_import_mappings_agency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {', '.join(self.headers)[:80]}"


class SuppressedNumber(UUIDModel):
    """A number that must not be called or texted, whether or not it is a contact yet.

    Per agency: a STOP to agency A's number suppresses the sender for A, not for B.
    Written with every opt-out (a STOP reply from any number, staff, Twilio's "unsubscribed
    recipient" error) and removed by an opt-in, so a STOP from a stranger is not forgotten
    when the number later becomes a contact.
    """

    agency = _agency_field()
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +61412345678")
    suppressed_at = models.DateTimeField()
    source = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        db_table = "suppressed_numbers"
        ordering = ["-suppressed_at"]
        # A STOP to one agency's number suppresses it for that agency only.
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "phone"], name="idx_suppressed_numbers_agency_phone"
            )
        ]

    def __str__(self) -> str:
        return self.phone
