"""An agency's current stock as a compact in-process snapshot, for the search_listings tool.

The tool answers during a live call, so its latency is the caller's silence: scanning a few
thousand small tuples in Python is steady under load where SQL text matching and sorting
are not. The snapshot is exact: every request first reads the stock's version (the newest
`updated_at` and the row count, both from indexes) and rebuilds the snapshot when it moved.
Every write to a listing goes through `save()`, which moves it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from listings.models import Listing


@dataclass(frozen=True, slots=True)
class StockRow:
    pk: object
    suburb_key: str
    is_rental: bool
    search_price: Decimal | None  # weekly rent for rentals, the sale price otherwise
    bedrooms: int
    category_key: str
    text: str


_snapshots: dict[object, tuple[tuple, list[StockRow]]] = {}
_lock = threading.Lock()


def _version(agency_id) -> tuple:
    """The stock's version: its newest `updated_at` and its row count, as the database
    returns them (only ever compared with each other)."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [_agency_param(agency_id)] * 2)
        return tuple(cursor.fetchone())


def _agency_param(agency_id):
    return Listing._meta.get_field("agency").get_db_prep_value(agency_id, connection)


# Two scalar subqueries, not one aggregate: alone, MAX(updated_at) is one seek at the end of
# the (agency, -updated_at) index and COUNT(*) walks an index without reading rows; together
# SQLite reads every row's updated_at (3x the time of both apart, on every tool call).
_VERSION_SQL = (
    "SELECT (SELECT MAX(updated_at) FROM listings WHERE agency_id = %s), "
    "(SELECT COUNT(*) FROM listings WHERE agency_id = %s)"
)


def current_stock(agency_id) -> list[StockRow]:
    """The agency's in-stock listings, newest change first (exact as of this call)."""
    version = _version(agency_id)
    cached = _snapshots.get(agency_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    rows = [
        StockRow(
            pk=pk,
            suburb_key=suburb_key,
            is_rental=kind in Listing.RENTAL_KINDS,
            search_price=rent if kind in Listing.RENTAL_KINDS else price,
            bedrooms=bedrooms or 0,
            category_key=category.strip().lower(),
            text=text,
        )
        for pk, suburb_key, kind, rent, price, bedrooms, category, text in Listing.objects.filter(
            agency_id=agency_id, status__in=Listing.IN_STOCK
        )
        .order_by("-mod_time", "unique_id")
        .values_list(
            "pk",
            "suburb_key",
            "kind",
            "rent_per_week",
            "price",
            "bedrooms",
            "category",
            "search_text",
        )
    ]
    with _lock:
        _snapshots[agency_id] = (version, rows)
    return rows
