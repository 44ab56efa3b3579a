"""Cursors for the statements that run on every provider webhook.

Django binds parameters on the client: on PostgreSQL every execution sends the statement
text with its values spelled out, and the server parses and plans it afresh. For the
ring's caller lookup that planning took 0.2–1 ms against 0.05 ms of running it, and a
post-call acknowledgement sent its 15 KB body as a quoted literal inside the SQL.
`statement_cursor` binds on the server instead and, unless DATABASE_PREPARED_STATEMENTS
is off (a PgBouncer older than 1.21 in transaction mode cannot route prepared statements),
prepares each statement once per connection. Other backends get the ordinary cursor.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper


class _StatementDebugWrapper(CursorDebugWrapper):
    """Logs a server-bound statement with its values (tests count and read queries)."""

    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        # A prepared statement leaves psycopg no query text to read back: compose it here,
        # as Django does in its own server-binding mode.
        if use_last_executed_query and not many:
            sql, use_last_executed_query = self.db.ops.compose_sql(sql, params), False
        return super().debug_sql(sql, params, use_last_executed_query, many)


def statement_cursor(db: BaseDatabaseWrapper):
    """A cursor on `db` (use it as a context manager) whose statements PostgreSQL binds
    and prepares itself; query logging, execute wrappers and health checks as for
    `db.cursor()`."""
    if db.vendor != "postgresql":
        return db.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What BaseDatabaseWrapper._cursor does, with a server-binding cursor class.
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        cursor = ServerBindingCursor(db.connection)
    return _StatementDebugWrapper(cursor, db) if db.queries_logged else db.make_cursor(cursor)


class WrittenOnce:
    """One hot statement of `model`'s table, written once as SQL (building the ORM query
    cost more than running it) and run through `statement_cursor`.

    `template` names the table as {table} and columns by field name as {field_name}
    (quoted for the backend); parameters are %(name)s, given as Python values and prepared
    by the field named in `fields` (a parameter without one is passed as it is).
    """

    def __init__(self, model, template: str, fields: dict[str, str] | None = None):
        self.model, self.template, self.fields = model, template, fields or {}
        self._sql: dict[str, str] = {}

    def sql(self, db: BaseDatabaseWrapper) -> str:
        if db.vendor not in self._sql:
            quote, meta = db.ops.quote_name, self.model._meta
            names = {field.name: quote(field.column) for field in meta.concrete_fields}
            self._sql[db.vendor] = self.template.format(table=quote(meta.db_table), **names)
        return self._sql[db.vendor]

    def execute(self, params: dict, using: str = DEFAULT_DB_ALIAS):
        """Run it; the cursor's rowcount for a write, the first row (or None) for a read."""
        db = connections[using]
        meta = self.model._meta
        values = {
            name: (
                meta.get_field(self.fields[name]).get_db_prep_value(value, db)
                if name in self.fields
                else value
            )
            for name, value in params.items()
        }
        with statement_cursor(db) as cursor:
            cursor.execute(self.sql(db), values)
            return cursor.fetchone() if cursor.description else cursor.rowcount
