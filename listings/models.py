"""An agency's property listings, where they came from, and the calls that named them."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone

from voqo.models import UUIDModel


class Listing(UUIDModel):
    """One property on (or recently off) the market, keyed by its feed's (agentID, uniqueID)."""

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", "Residential sale"
        RENTAL = "rental", "Rental"
        LAND = "land", "Land"
        RURAL = "rural", "Rural"
        COMMERCIAL = "commercial", "Commercial"
        COMMERCIAL_LAND = "commercialLand", "Commercial land"
        BUSINESS = "business", "Business"
        HOLIDAY_RENTAL = "holidayRental", "Holiday rental"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        UNDER_OFFER = "under_offer", "Under offer"
        SOLD = "sold", "Sold"
        LEASED = "leased", "Leased"
        WITHDRAWN = "withdrawn", "Withdrawn"
        OFF_MARKET = "off_market", "Off market"
        DELETED = "deleted", "Deleted"

    # What the agency still has to sell or let; every other status is out of stock.
    IN_STOCK = (Status.CURRENT, Status.UNDER_OFFER)
    RENTAL_KINDS = (Kind.RENTAL, Kind.HOLIDAY_RENTAL)

    class Source(models.TextChoices):
        REAXML = "reaxml", "REAXML file"
        FEED = "feed", "REAXML feed"
        CSV = "csv", "CSV import"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    # REAXML's agentID (the agency's account code at the portal; "" for CSV rows) and
    # uniqueID: uniqueID is unique per agentID only.
    agent_code = models.CharField(max_length=50, blank=True, default="")
    unique_id = models.CharField(max_length=50)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RESIDENTIAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CURRENT)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.REAXML)

    street_address = models.CharField(max_length=200, blank=True, default="")
    # REAXML address display="no": the agent wants only the suburb and state shown.
    address_display = models.BooleanField(default=True)
    suburb = models.CharField(max_length=80, blank=True, default="")
    state = models.CharField(max_length=8, blank=True, default="")
    postcode = models.CharField(max_length=8, blank=True, default="")  # NT codes start with 0
    category = models.CharField(max_length=60, blank=True, default="")
    headline = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")

    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # REAXML price display="no": the number is never shown (nor the agent's price text).
    price_display = models.BooleanField(default=True)
    price_text = models.CharField(max_length=100, blank=True, default="")
    rent_per_week = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    date_available = models.DateField(null=True, blank=True)
    sold_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sold_date = models.DateField(null=True, blank=True)

    bedrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    bathrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    car_spaces = models.PositiveSmallIntegerField(null=True, blank=True)
    land_size = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    land_unit = models.CharField(max_length=16, blank=True, default="")

    # [[start ISO, end ISO], …] in the agency's time zone, oldest first.
    inspections = models.JSONField(default=list, blank=True)
    agent_name = models.CharField(max_length=120, blank=True, default="")
    agent_phone = models.CharField(max_length=40, blank=True, default="")
    agent_email = models.CharField(max_length=254, blank=True, default="")
    link = models.URLField(max_length=500, blank=True, default="")

    # The feed's change stamp: a record older than the stored one is ignored.
    mod_time = models.DateTimeField(null=True, blank=True)
    # Lower-cased suburb for exact, indexed matching; and every searchable word.
    suburb_key = models.CharField(max_length=80, blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "listings"
        ordering = ["suburb", "street_address"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "agent_code", "unique_id"], name="uniq_listing_per_feed_id"
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status", "suburb_key"], name="idx_listings_stock"),
            models.Index(fields=["agency", "-updated_at"], name="idx_listings_recent"),
        ]

    def __str__(self) -> str:
        return self.display_address

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "suburb_key", "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_fields(self) -> None:
        self.suburb_key = self.suburb.strip().lower()
        words = [
            self.street_address,
            self.suburb,
            self.state,
            self.postcode,
            self.category,
            self.headline,
            self.description[:2000],
            self.unique_id,
        ]
        self.search_text = " ".join(" ".join(words).lower().split())

    @property
    def in_stock(self) -> bool:
        return self.status in self.IN_STOCK

    @property
    def is_rental(self) -> bool:
        return self.kind in self.RENTAL_KINDS

    @property
    def display_address(self) -> str:
        """The address as the agent allows it to be shown: the street only when displayed."""
        place = " ".join(part for part in (self.suburb, self.state, self.postcode) if part)
        if self.address_display and self.street_address:
            return f"{self.street_address}, {place}" if place else self.street_address
        return place or "Address withheld"

    @property
    def display_price(self) -> str:
        """What may be said about the price: never the number when display is off."""
        if self.is_rental and self.rent_per_week is not None:
            rent = f"${self.rent_per_week:,.0f} per week"
            return rent if self.price_display else "Contact agent"
        if not self.price_display:
            return "Contact agent"
        if self.price_text:
            return self.price_text
        if self.price is not None:
            return f"${self.price:,.0f}"
        return "Contact agent"

    def upcoming_inspections(self, now: datetime | None = None) -> list[tuple[datetime, datetime]]:
        """Inspections that have not ended yet, soonest first."""
        now = now or timezone.now()
        found = []
        for start, end in self.inspections or []:
            try:
                starts, ends = datetime.fromisoformat(start), datetime.fromisoformat(end)
            except (TypeError, ValueError):
                continue
            if ends >= now:
                found.append((starts, ends))
        return sorted(found)

    def next_inspection(self, now: datetime | None = None) -> tuple[datetime, datetime] | None:
        upcoming = self.upcoming_inspections(now)
        return upcoming[0] if upcoming else None


class ListingImport(UUIDModel):
    """One import of listings (a file, a feed poll or a CSV) and what it did."""

    class Source(models.TextChoices):
        REAXML = "reaxml", "REAXML file"
        FEED = "feed", "REAXML feed"
        CSV = "csv", "CSV import"

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices)
    name = models.CharField(max_length=255, blank=True, default="")  # file name or feed URL
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)  # taken out of current stock
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"listing": "…", "message": "…"}]: rejected records and warnings, in file order.
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")  # the whole file was refused
    created_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "listing_imports"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "-created_at"], name="idx_listing_imports")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def changed_stock(self) -> bool:
        return bool(self.created or self.updated or self.removed)


class ListingFeed(UUIDModel):
    """The agency's REAXML feed URL, polled on a schedule with a conditional GET."""

    agency = models.OneToOneField(
        "agencies.Agency", on_delete=models.CASCADE, related_name="listing_feed"
    )
    url = models.URLField(max_length=500)
    enabled = models.BooleanField(default=True)
    poll_every_minutes = models.PositiveIntegerField(default=720)
    etag = models.CharField(max_length=255, blank=True, default="")
    last_modified = models.CharField(max_length=64, blank=True, default="")
    checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=255, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "listing_feeds"

    def __str__(self) -> str:
        return self.url

    def is_due(self, now: datetime | None = None) -> bool:
        if not self.enabled:
            return False
        if self.checked_at is None:
            return True
        now = now or timezone.now()
        return (now - self.checked_at).total_seconds() >= self.poll_every_minutes * 60 - 30


class ListingMention(models.Model):
    """A listing the `search_listings` tool named during a call (by conversation id)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="mentions")
    conversation_id = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "listing_mentions"
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "conversation_id"], name="uniq_listing_mention"
            )
        ]
        indexes = [models.Index(fields=["conversation_id"], name="idx_listing_mentions_conv")]

    def __str__(self) -> str:
        return f"{self.listing_id} in {self.conversation_id}"
