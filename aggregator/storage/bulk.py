"""Bulk SQL: statements and value conversion that many rows go through at once.

The store modules use these for the few statements that run per batch rather than per call:
an INSERT written once and handed straight to the driver (`bulk_insert`, `bulk_statement`),
membership tests bound as one parameter (`member`, `json_list`), ON CONFLICT inserts on both
dialects (`dialect_insert`) and the chunk sizes that keep a statement under SQLite's limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import JSON, Connection, Table, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

_V = TypeVar("_V")

LOOKUP_CHUNK = 500
"""Ids per `IN (…)` list or per batch of rows read by id."""

JSON_LOOKUP_CHUNK = 5000
"""Keys or aliases looked up per statement: they go as one JSON text, so no placeholder limit
applies, and fewer statements cost less to send (a lookup statement was about 1 ms of
building and binding, whatever its length)."""


def dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ON CONFLICT for the connection's dialect."""
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {name}")


def chunks(values: Sequence[_V], size: int) -> Iterator[Sequence[_V]]:
    """`values` in consecutive slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def json_list(values: Sequence[str]) -> str:
    """Values as one JSON array text, bound as a single parameter."""
    return orjson.dumps(list(values)).decode()


def member(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
    """`column IN (values)` with the values bound as one parameter, so the statement text is
    the same for every batch: on PostgreSQL `column = ANY(:array)` (psycopg need not re-parse
    hundreds of placeholders each time: it made lookups the slowest part of an upsert), on
    SQLite `column IN (SELECT value FROM json_each(:json))` (SQLAlchemy renders an expanding
    IN's placeholders afresh for every statement, a tenth of the time of an upsert's lookups).
    """
    if conn.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == any_(array)
    listed = func.json_each(bindparam(None, orjson.dumps(list(values)).decode()))
    return column.in_(select(listed.table_valued("value").c.value))


# --- JSON and the other bind conversions -----------------------------------------------------

_PLAIN_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
"""orjson options that leave datetimes and dataclasses to `json.dumps`, which refuses them."""


def dump_json(value: Any) -> str:
    """A JSON column's value as JSON text: what `json.dumps(value)` means, compact.

    orjson writes lists, dicts, strings and numbers several times faster; anything it will
    not write (a datetime, an integer beyond 64 bits) goes to `json.dumps`, which writes it or
    raises as SQLAlchemy's own JSON type would."""
    if value is None:
        return "null"
    if value == []:
        return "[]"
    try:
        return orjson.dumps(value, option=_PLAIN_JSON).decode()
    except TypeError:
        return json.dumps(value)


Binder = Callable[[Any], Any]
"""What turns a Python value into the value the driver is given."""

_BINDERS: dict[tuple[str, str, str, tuple[str, ...]], tuple[Binder | None, ...]] = {}


def _convert(binder: Binder | None, column: Sequence[Any]) -> Sequence[Any]:
    """`binder` applied to each value of a column, once per distinct value (a batch repeats
    `seen_at` and the fetch times on every row). Not for JSON, whose values are unhashable."""
    if binder is None:
        return column
    done: dict[Any, Any] = {}
    converted = []
    for value in column:
        try:
            converted.append(done[value])
        except KeyError:
            done[value] = bound = binder(value)
            converted.append(bound)
    return converted


def binders(conn: Connection, table: Table, columns: tuple[str, ...]) -> tuple[Binder | None, ...]:
    """Per column, what SQLAlchemy would do to a Python value before handing it to the driver.

    JSON is `json.dumps` on both engines (what SQLAlchemy's JSON type serialises with when the
    engine sets no `json_serializer`; psycopg's `Json` wrapper also uses `json.dumps`), as text,
    so it can go into a PostgreSQL array; the rest is each type's own bind processor (UTC
    datetimes; SQLite's datetime text and booleans)."""
    dialect = conn.dialect
    cache_key = (dialect.name, dialect.driver, table.name, columns)
    found = _BINDERS.get(cache_key)
    if found is None:
        made: list[Binder | None] = []
        for name in columns:
            column_type = table.c[name].type
            if isinstance(column_type, JSON):
                made.append(dump_json)
            else:
                made.append(column_type.dialect_impl(dialect).bind_processor(dialect))
        found = _BINDERS[cache_key] = tuple(made)
    return found


# --- INSERT statements written for the driver -----------------------------------------------


def bulk_insert(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    tail: str = "",
) -> Any:
    """`INSERT INTO table (columns) … tail` of `rows` (Python values), straight to the driver
    (see `bulk_statement`). Returns the driver-level result (rows of a RETURNING,
    `rowcount`). `rows` must not be empty."""
    sql, params = bulk_statement(conn, table, columns, rows, tail)
    return conn.exec_driver_sql(sql, params)


def bulk_statement(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    tail: str = "",
) -> tuple[str, Any]:
    """`INSERT INTO table (columns) … tail` of `rows` (Python values), for the driver.

    SQLAlchemy Core spends more per row compiling and processing parameters than the database
    spends inserting it, so the statement is written here once and the values converted as
    SQLAlchemy would (`column_values`). SQLite: one `executemany` of `VALUES (?, …)`.
    PostgreSQL: one statement, `INSERT … SELECT * FROM unnest(%b::type[], …)`, one array per
    column (a multi-row VALUES list of thousands of placeholders is slow for psycopg to convert
    and for the server to parse), sent in binary (psycopg quotes a text array in Python: 50 ms
    for 1,000 revision snapshots, against 1 ms in binary). `tail` is the ON CONFLICT /
    RETURNING clause, the same on both. Returns the SQL and its parameters.
    """
    columns, converted = column_values(conn, table, columns, rows)
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    if conn.dialect.name == "postgresql":
        arrays = unnest_arguments(conn, table, columns)
        sql = f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({arrays}) {tail}"
        return sql, tuple(converted)  # one parameter per column (a list would mean many rows)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}) {tail}"
    return sql, list(zip(*converted, strict=True))


def column_values(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> tuple[tuple[str, ...], list[list[Any]]]:
    """`rows` turned into one list of driver values per column; columns left out that have a
    Python-side default are added with it, as a Core insert gives them."""
    values: list[Sequence[Any]] = list(zip(*rows, strict=True)) or [[] for _ in columns]
    for column in table.columns:
        if column.name in columns or column.default is None:
            continue
        if not column.default.is_scalar:
            raise NotImplementedError(f"{table.name}.{column.name}: only scalar defaults")
        columns = (*columns, column.name)
        values.append([column.default.arg] * len(rows))  # type: ignore[attr-defined]
    converted = [
        [binder(v) for v in column] if binder is dump_json else list(_convert(binder, column))
        for binder, column in zip(binders(conn, table, columns), values, strict=True)
    ]
    return columns, converted


def unnest_arguments(conn: Connection, table: Table, columns: tuple[str, ...]) -> str:
    """PostgreSQL: `%b::type[], …`, one binary array parameter per column of `table`."""
    return ", ".join(
        f"%b::{table.c[name].type.compile(dialect=conn.dialect)}[]" for name in columns
    )
