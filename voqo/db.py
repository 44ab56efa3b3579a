"""Cursors for the statements that run on every provider webhook.

Django binds parameters on the client: on PostgreSQL every execution sends the statement
text with its values spelled out, and the server parses and plans it afresh. For the
ring's caller lookup that planning took 0.2–1 ms against 0.05 ms of running it, and a
post-call acknowledgement sent its 15 KB body as a quoted literal inside the SQL.
`statement_cursor` binds on the server instead and, unless DATABASE_PREPARED_STATEMENTS
is off (a PgBouncer older than 1.21 in transaction mode cannot route prepared statements),
prepares each statement once per connection. Other backends get the ordinary cursor.
"""

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
