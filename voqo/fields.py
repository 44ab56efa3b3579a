"""Model fields shared by the apps."""

from __future__ import annotations

import json

from django.db import models


class JSONTextField(models.JSONField):
    """A JSONField kept in a plain text column on every database: Python sees the same
    values (dicts, lists, …), the database sees text.

    For JSON that is written once and read back whole, never queried inside — a provider's
    webhook body as received, say. That body was parsed and checked before it is stored;
    PostgreSQL's jsonb parsed all 15 KB of a post-call event again into its binary form
    (about 100 µs of server CPU per acknowledgement, measured against text), and SQLite's
    JSONField ran JSON_VALID over it. Lookups into the value (`payload__data__x`) are not
    available: the column is not the database's JSON type.
    """

    def db_type(self, connection) -> str:
        return connection.data_types["TextField"]

    def db_check(self, connection) -> None:
        return None

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if hasattr(value, "as_sql"):
            return value
        return json.dumps(value, cls=self.encoder)
