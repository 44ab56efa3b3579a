"""Fast bulk inserts for large imports: executemany without building model instances.

`bulk_create` builds a model instance and prepares every field of every row through the
ORM, which costs several times more than parsing the row. Here each column is prepared by
the model field itself (so UUIDs, JSON and datetimes are stored exactly as the ORM stores
them, on SQLite and PostgreSQL alike), but constant columns are prepared once per call
and plain text and integer columns are passed through.
"""

import functools
import json
import os
import select
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections, models, transaction
from django.utils import timezone

from voqo.db import statement_cursor


class AsStored:
    """A value already in the column's stored form: JSON text as received, or a value
    prepared once for many rows (`prepared(field, value)`). insert_rows passes it through."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def prepared(model: type[models.Model], attname: str, value: Any, using: str = "default"):
    """`value` prepared for `model.attname` once, to repeat in many rows of insert_rows."""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return AsStored(field.get_db_prep_save(value, connections[using]))


# Columns whose Python values are already what the database driver takes.
_PASS_THROUGH = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


@dataclass(frozen=True)
class _InsertPlan:
    """What insert_rows needs to know about a table, worked out once per model."""

    sql: str  # the INSERT of one row (the cached form of _rows_sql(plan, 1))
    into: str  # INSERT INTO table (columns)
    one_row: str  # (%s, …) for one row's values
    on_conflict: str  # " ON CONFLICT DO NOTHING", or empty
    names: tuple[str, ...]
    preparers: dict[str, Any]  # attname → field.get_db_prep_save, or None to pass through
    constants: dict[str, Any]  # attname → prepared constant default (or NULL)
    timestamps: tuple[Any, ...]  # auto_now / auto_now_add fields: now() on every call
    callable_defaults: dict[str, Any]  # attname → field whose default is called per row


@functools.lru_cache(maxsize=64)
def _insert_plan(model: type[models.Model], using: str, ignore_conflicts: bool) -> _InsertPlan:
    connection = connections[using]
    # Auto-increment keys are the database's to fill.
    fields = [
        field
        for field in model._meta.concrete_fields
        if not isinstance(field, models.fields.AutoFieldMixin)
    ]
    timestamps = tuple(
        field
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )
    constants = {
        field.attname: field.get_db_prep_save(
            field.get_default() if field.has_default() else None, connection
        )
        for field in fields
        if field not in timestamps
        and (field.has_default() and not callable(field.default) or field.null)
    }
    quote = connection.ops.quote_name
    into = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    )
    one_row = f"({', '.join(['%s'] * len(fields))})"
    on_conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return _InsertPlan(
        sql=f"{into} VALUES {one_row}{on_conflict}",
        into=into,
        one_row=one_row,
        on_conflict=on_conflict,
        names=tuple(field.attname for field in fields),
        preparers={
            field.attname: (
                None
                if isinstance(field, _PASS_THROUGH) and not field.is_relation
                else field.get_db_prep_save
            )
            for field in fields
        },
        constants=constants,
        timestamps=timestamps,
        callable_defaults={
            field.attname: field
            for field in fields
            if field.has_default() and callable(field.default) and field not in timestamps
        },
    )


def _rows_sql(plan: _InsertPlan, count: int) -> str:
    """The plan's INSERT for `count` rows in one VALUES list."""
    return f"{plan.into} VALUES {', '.join([plan.one_row] * count)}{plan.on_conflict}"


def insert_rows(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    *,
    ignore_conflicts: bool = False,
    as_stored: bool = False,
    using: str = "default",
) -> int:
    """INSERT `rows` (dicts keyed by field attname) into `model`'s table; return the count.

    Fields missing from a row get their default (or now() for auto_now/auto_now_add).
    With `ignore_conflicts`, rows that break a unique constraint are skipped (ON CONFLICT
    DO NOTHING, SQLite and PostgreSQL alike) and, for a single row, the count says whether
    it was inserted. `as_stored`: every given value is already in its stored form (a
    generator writing SQLite directly, e.g. the benchmark data). The caller owns the
    transaction. No signals are sent, no save() runs.
    """
    connection = connections[using]
    plan = _insert_plan(model, using, ignore_conflicts)
    values = _records(plan, rows, connection, as_stored=as_stored)
    if not values:
        return 0
    if len(values) == 1:
        # One row at a time is a webhook's insert (the post-call event, say): prepared.
        with statement_cursor(connection) as cursor:
            cursor.execute(plan.sql, values[0])
            return cursor.rowcount if ignore_conflicts else 1
    with connection.cursor() as cursor:
        cursor.executemany(plan.sql, values)
    return len(values)


def _records(
    plan: _InsertPlan, rows: Iterable[dict[str, Any]], connection, *, as_stored: bool = False
) -> list[list[Any]]:
    """Each row's values in the plan's column order, prepared for the database."""
    constants = dict(plan.constants)
    now = timezone.now()
    for field in plan.timestamps:
        constants[field.attname] = field.get_db_prep_save(now, connection)
    values = []
    for row in rows:
        record = []
        for name in plan.names:
            if name in row:
                value = row[name]
                prepare = plan.preparers[name]
                if as_stored:
                    record.append(value)
                elif isinstance(value, AsStored):
                    record.append(value.value)
                elif prepare is None:
                    record.append(value)
                else:
                    record.append(prepare(value, connection))
            elif name in plan.callable_defaults:
                field = plan.callable_defaults[name]
                record.append(field.get_db_prep_save(field.get_default(), connection))
            else:
                record.append(constants[name])
        values.append(record)
    return values


def insert_new_rows(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    key: tuple[str, ...],
    using: str = "default",
) -> list[bool]:
    """INSERT `rows` in one statement, skipping those whose unique `key` (text columns)
    exists already; which of them were inserted, in row order.

    One round trip and one commit (unless the caller holds a transaction) for any number
    of rows. Two rows with the same key: the first is inserted, the second is not. Values
    are prepared as insert_rows prepares them.
    """
    if not rows:
        return []
    connection = connections[using]
    plan = _insert_plan(model, using, ignore_conflicts=True)
    values = [value for row in _records(plan, rows, connection) for value in row]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in key]
    sql = f"{_rows_sql(plan, len(rows))} RETURNING {', '.join(map(quote, columns))}"
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, values)
        inserted = set(map(tuple, cursor.fetchall()))
    answer = []
    for row in rows:
        row_key = tuple(row[name] for name in key)
        answer.append(row_key in inserted)
        inserted.discard(row_key)  # a second row with this key was skipped
    return answer


# uuid.UUID(bytes=..., version=4): clear the variant and version bits, then set RFC 4122's.
_UUID4_KEEP = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def new_uuid4s(count: int) -> list[str]:
    """`count` new random UUIDs (version 4) as 32 hex digits, for insert_stored.

    What uuid.uuid4() makes (16 bytes of os.urandom, version and variant bits set), but
    from one read of the OS's random source for all of them instead of a system call and a
    UUID object per id. SQLite stores a UUIDField as these digits; PostgreSQL reads them as
    a uuid.
    """
    raw = os.urandom(16 * count)
    from_bytes = int.from_bytes
    return [
        "%032x" % (from_bytes(raw[start : start + 16]) & _UUID4_KEEP | _UUID4_SET)
        for start in range(0, 16 * count, 16)
    ]


def json_object_writer(keys: Sequence[str]) -> Callable[[Iterable[str]], str]:
    """A function from string values (in `keys` order) to the JSON text of {key: value}.

    The text json.dumps writes for that dict (and so what the ORM stores for a JSONField),
    without the encoder json.dumps builds on every call.
    """
    template = "{" + ", ".join(json.dumps(key).replace("%", "%%") + ": %s" for key in keys) + "}"
    encode = json.encoder.encode_basestring_ascii

    def write(values: Iterable[str]) -> str:
        return template % tuple(map(encode, values))

    return write


def stored(model: type[models.Model], attname: str, value: Any, using: str = "default") -> Any:
    """`value` as `model.attname` stores it on `using` (for insert_stored)."""
    return prepared(model, attname, value, using).value


@functools.lru_cache(maxsize=64)
def _stored_insert_sql(
    model: type[models.Model], names: tuple[str, ...], using: str
) -> tuple[str, bool]:
    """(SQL, whether it is a COPY) inserting `names` into `model`'s table."""
    connection = connections[using]
    columns = {field.attname: field.column for field in model._meta.concrete_fields}
    required = {
        field.attname
        for field in model._meta.concrete_fields
        if not isinstance(field, models.fields.AutoFieldMixin)
    }
    if not required <= set(names) or not set(names) <= set(columns):
        raise ValueError(f"insert_stored needs exactly the columns of {model.__name__}.")
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(columns[name]) for name in names)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        return f"COPY {table} ({column_list}) FROM STDIN", True
    placeholders = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", False


def insert_stored(
    model: type[models.Model],
    names: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """INSERT `rows`, each the values of `names` (every column of `model`) in stored form.

    For large imports whose values are already what the database takes: `stored()` or
    `prepared()` ones, UUIDs as 32 hex digits (`new_uuid4s()`, `UUID.hex`), JSON text from
    `json_object_writer()`, plain text and integers. PostgreSQL gets one COPY, other
    databases one executemany, on Django's connection inside the caller's transaction (a
    failure raises and the caller's atomic block rolls the batch back). No signals are sent,
    no save() runs.
    """
    if not rows:
        return 0
    sql, copy = _stored_insert_sql(model, tuple(names), using)
    with connections[using].cursor() as cursor:
        if copy:
            with cursor.cursor.copy(sql) as stream:
                for row in rows:
                    stream.write_row(row)
        else:
            cursor.executemany(sql, rows)
    return len(rows)


@contextmanager
def stored_batches(
    model: type[models.Model], names: tuple[str, ...], *, using: str = "default"
) -> Iterator[Callable[[Sequence[Sequence[Any]]], None]]:
    """Yield `insert(rows)`, which stores one batch of rows (as insert_stored takes them) in
    a transaction of its own.

    On PostgreSQL, outside a transaction, the batches go over a connection of their own and
    each batch's COMMIT is sent without waiting for it: the server checks the batch's
    foreign keys (PostgreSQL does that at COMMIT, a third of a big import's time) while the
    caller reads the next batch. `insert` collects that COMMIT's answer before sending the
    next rows, raising its error if it failed; leaving the block collects the last one and
    closes the connection. Elsewhere each batch is inserted at once on the caller's
    connection: SQLite does its work in this process anyway, and inside a transaction a
    second connection could not see the caller's rows.
    """
    connection = connections[using]
    sql, copy = _stored_insert_sql(model, tuple(names), using)
    if not copy or connection.in_atomic_block:

        def insert_now(rows: Sequence[Sequence[Any]]) -> None:
            with transaction.atomic(using=using):
                insert_stored(model, names, rows, using=using)

        yield insert_now
        return

    own = connection.copy()
    own.ensure_connection()
    own.set_autocommit(False)
    committing = False

    def collect_commit() -> None:
        nonlocal committing
        if committing:
            committing = False
            with own.wrap_database_errors:
                _await_commit(own.connection)

    def insert_behind(rows: Sequence[Sequence[Any]]) -> None:
        nonlocal committing
        collect_commit()
        if not rows:
            return
        with own.wrap_database_errors:
            with own.connection.cursor() as cursor, cursor.copy(sql) as stream:
                for row in rows:
                    stream.write_row(row)
            own.connection.pgconn.send_query(b"COMMIT")
        committing = True

    try:
        yield insert_behind
        collect_commit()
    finally:
        # A caller's error wins; the COMMIT in flight is still collected first, so the
        # caller's clean-up (deleting a refused upload) never races it.
        with suppress(DatabaseError):
            collect_commit()
        own.close()


def _await_commit(raw) -> None:
    """Wait, without holding the GIL, for the answer to a COMMIT sent with send_query."""
    from psycopg import errors, pq

    pgconn = raw.pgconn
    socket = select.poll()
    socket.register(pgconn.socket, select.POLLOUT)
    while pgconn.flush():  # the COMMIT not all sent yet
        socket.poll()
    socket.modify(pgconn.socket, select.POLLIN)
    pgconn.consume_input()
    while pgconn.is_busy():
        socket.poll()
        pgconn.consume_input()
    failure = None
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK and failure is None:
            # The class psycopg itself would raise (a foreign key: IntegrityError).
            sqlstate = result.error_field(pq.DiagnosticField.SQLSTATE)
            kind = errors.lookup(sqlstate.decode()) if sqlstate else errors.DatabaseError
            failure = kind(result.get_error_message().strip())
    if failure is not None:
        raise failure
