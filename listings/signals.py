"""What the listings domain announces: `stock_changed(agency=…)` after an import changed
current stock (the knowledge app regenerates the agency's listings document on it)."""

from django.dispatch import Signal

stock_changed = Signal()
