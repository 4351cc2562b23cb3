"""The SQL of an upsert batch: looking up the rows a batch names, inserting its new rows.

These statements run once per batch (or per slice of one), so they are built once per
dialect (`lookup_statements`) or written straight for the driver (`new_rows_statement`),
never compiled per row. `items_write.ItemWriter` runs them.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Select, Text, bindparam, func, select, true
from sqlalchemy import cast as cast_

from aggregator.storage.bulk import bulk_statement, column_values, unnest_arguments
from aggregator.storage.items_plan import NewAlias, NewSighting, RowState
from aggregator.storage.tables import ALIASES, ITEMS, REVIEWS, SIGHTING_COLUMNS, SIGHTINGS

ITEM_CONFLICT = "ON CONFLICT (source, key) DO NOTHING"
ALIAS_CONFLICT = "ON CONFLICT (source, alias) DO NOTHING"
SIGHTING_CONFLICT = (
    "ON CONFLICT (item_id, source, url) DO UPDATE SET last_fetched_at = CASE"
    " WHEN excluded.last_fetched_at > sightings.last_fetched_at"
    " THEN excluded.last_fetched_at ELSE sightings.last_fetched_at END"
)
"""A sighting seen again keeps its first time and moves its last time forward only."""


def new_rows_statement(conn: Connection, states: Sequence[RowState]) -> tuple[str, Any]:
    """PostgreSQL: the INSERT of new items rows, returning `(id, source, key)` of each row
    inserted (a row another writer inserted first is skipped, and so not returned)."""
    columns = tuple(states[0].values)  # every new state has the same columns
    row_of = operator.itemgetter(*columns)
    rows = [row_of(state.values) for state in states]
    return bulk_statement(conn, ITEMS, columns, rows, ITEM_CONFLICT + " RETURNING id, source, key")


def new_rows_with_children_statement(
    conn: Connection,
    states: Sequence[RowState],
    aliases: Sequence[NewAlias],
    sightings: Sequence[NewSighting],
) -> tuple[str, Any]:
    """PostgreSQL: `new_rows_statement`, with the new items' aliases and sightings inserted
    by the same statement, so it needs no ids from the client (data-modifying WITH queries,
    joined to the inserted rows by (source, key); an item another writer inserted first gets
    none). `aliases` are (item key, source, alias); `sightings` are (item source, item key,
    source, url, first fetched, last fetched), one per (item, source, url): a row only just
    inserted has no sightings to conflict with."""
    items_sql, items_params = new_rows_statement(conn, states)
    sql = f"WITH new_items AS ({items_sql})"
    params = list(items_params)
    quote = conn.dialect.identifier_preparer.quote
    if aliases:
        alias_columns, alias_values = column_values(
            conn, ALIASES, ("source", "alias"), [row[1:] for row in aliases]
        )
        names = ", ".join(map(quote, alias_columns))
        sql += (
            f", new_aliases AS (INSERT INTO item_aliases (item_id, {names})"
            f" SELECT new_items.id, {', '.join('v.' + quote(c) for c in alias_columns)}"
            f" FROM unnest({unnest_arguments(conn, ALIASES, alias_columns)}, %b::text[])"
            f" AS v({names}, item_key)"
            " JOIN new_items ON new_items.source = v.source AND new_items.key = v.item_key"
            f" {ALIAS_CONFLICT})"
        )
        params += [*alias_values, [row[0] for row in aliases]]
    if sightings:
        sighting_columns, sighting_values = column_values(
            conn, SIGHTINGS, SIGHTING_COLUMNS, [row[2:] for row in sightings]
        )
        names = ", ".join(map(quote, sighting_columns))
        sql += (
            f", new_sightings AS (INSERT INTO sightings (item_id, {names})"
            f" SELECT new_items.id, {', '.join('v.' + quote(c) for c in sighting_columns)}"
            f" FROM unnest({unnest_arguments(conn, SIGHTINGS, sighting_columns)},"
            " %b::text[], %b::text[])"
            f" AS v({names}, item_source, item_key)"
            " JOIN new_items ON new_items.source = v.item_source AND new_items.key = v.item_key)"
        )
        params += [*sighting_values, [row[0] for row in sightings], [row[1] for row in sightings]]
    return sql + " SELECT id, source, key FROM new_items", tuple(params)


def pipeline_supported(conn: Connection) -> bool:
    """PostgreSQL through psycopg with a libpq that has pipeline mode (14 or later; the
    psycopg[binary] wheels bundle one)."""
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return False
    # psycopg is the PostgreSQL driver, installed only where PostgreSQL is used: imported once
    # a connection shows it is the driver in use
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


@functools.cache
def lookup_statements(dialect: str) -> tuple[Select[Any], Select[Any]]:
    """The two lookup statements of an upsert, built once per dialect (building one costs
    more than running it): items by key, with their review status (locked on PostgreSQL),
    and alias owners by alias. Parameters: `source`, and `values`, a JSON list of text.

    PostgreSQL probes the unique index once per value: `json_array_elements_text(values)
    CROSS JOIN LATERAL (… WHERE source = … AND key = value LIMIT 1)`. `(source, key)` is
    unique, so this is `source = … AND key = ANY(…)`, but with `= ANY` a table filled faster
    than autovacuum analyses it (a first crawl, the benchmark) gets the default estimate of
    0.5 % of rows per source, and the planner scans every row of the source instead: a lookup
    that grew with the table (20 ms per 500 keys at 60,000 items, against 4). SQLite:
    `key IN (SELECT value FROM json_each(values))`, one probe per value too.
    """
    source = bindparam("source", type_=Text())
    values = bindparam("values", type_=Text())
    if dialect == "postgresql":
        wanted = (
            func.json_array_elements_text(cast_(values, JSON))
            .table_valued("value")
            .render_derived()
        )
        item = (
            select(ITEMS)
            .where(ITEMS.c.source == source, ITEMS.c.key == wanted.c.value)
            .limit(1)
            .with_for_update()
            .lateral()
        )
        items_by_key = select(*item.c, REVIEWS.c.status.label("review_status")).select_from(
            wanted.join(item, true()).outerjoin(REVIEWS, REVIEWS.c.item_id == item.c.id)
        )
        alias = (
            select(ALIASES.c.source, ALIASES.c.alias, ALIASES.c.item_id)
            .where(ALIASES.c.source == source, ALIASES.c.alias == wanted.c.value)
            .limit(1)
            .lateral()
        )
        alias_owners = select(alias.c.source, alias.c.alias, alias.c.item_id).select_from(
            wanted.join(alias, true())
        )
        return items_by_key, alias_owners
    listed = select(func.json_each(values).table_valued("value").c.value)
    items_by_key = (
        select(ITEMS, REVIEWS.c.status.label("review_status"))
        .outerjoin(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)
        .where(ITEMS.c.source == source, ITEMS.c.key.in_(listed))
    )
    alias_owners = select(ALIASES.c.source, ALIASES.c.alias, ALIASES.c.item_id).where(
        ALIASES.c.source == source, ALIASES.c.alias.in_(listed)
    )
    return items_by_key, alias_owners
