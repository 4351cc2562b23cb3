"""Storing crawled items: `ItemWriter.upsert_items`, the store step of the crawl.

ARCHITECTURE 1, identify & store: each batch is one transaction, looked up in bulk, and every
item comes out "new", "updated" (a substantive change, recorded as a revision), "cosmetic" or
"unchanged". Editor decisions live in `reviews` and a crawl only ever raises `needs_review`
there, never for a rejected item.

The same code runs on SQLite and PostgreSQL: inserts of new items use
`INSERT … ON CONFLICT DO NOTHING … RETURNING`, so an item that another writer inserted in the
meantime is detected, and the batch is re-planned against it inside a savepoint.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import DBAPIError

from aggregator.schema import Item
from aggregator.storage.bulk import (
    JSON_LOOKUP_CHUNK,
    LOOKUP_CHUNK,
    bulk_insert,
    chunks,
    json_list,
    member,
)
from aggregator.storage.db import StoreBase, require_aware, retry_on_conflict, write_transaction
from aggregator.storage.items_insert import (
    ALIAS_CONFLICT,
    ITEM_CONFLICT,
    SIGHTING_CONFLICT,
    lookup_statements,
    new_rows_statement,
    new_rows_with_children_statement,
    pipeline_supported,
)
from aggregator.storage.items_plan import (
    Found,
    Plan,
    PlannedResult,
    RowState,
    apply,
    children_of_new,
    independent,
    slices,
)
from aggregator.storage.revisions import snapshot_first_versions
from aggregator.storage.rows import KEY_ALIAS_PREFIX
from aggregator.storage.search_index import index_new_items
from aggregator.storage.tables import (
    ALIASES,
    ITEMS,
    REVIEWS,
    REVISION_COLUMNS,
    REVISIONS,
    SIGHTING_COLUMNS,
    SIGHTINGS,
    UPDATABLE_ITEM_COLUMNS,
)
from aggregator.storage.values import UpsertResult

_MAX_ATTEMPTS = 3
"""Plans of one batch before giving up, when other writers keep inserting its new items."""


class ItemWriter(StoreBase):
    """Items, their aliases, provenance and revisions, as crawls store them."""

    def upsert_items(self, items: Sequence[Item], seen_at: datetime) -> list[UpsertResult]:
        """Store a batch of items seen at `seen_at`, in one transaction.

        Returns one result per input item, in input order. Items are applied in order, so when
        the same (source, key) appears twice the last one wins (the first is reported "new" or
        as matched, the second "unchanged" or "updated" against it).
        """
        require_aware(seen_at, "seen_at")
        if not items:
            return []
        # PostgreSQL may end the transaction to break a deadlock with another writer: nothing
        # of it was kept, so the batch is stored again from the start.
        return retry_on_conflict(lambda: self._upsert_once(items, seen_at))

    def mark_withdrawn(self, source: str, key: str, at: datetime, reason: str) -> bool:
        """Flag a stored item as gone upstream (first date kept); False if there is none."""
        require_aware(at, "at")
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(ITEMS)
                .where(ITEMS.c.source == source, ITEMS.c.key == key)
                .values(withdrawn=func.coalesce(ITEMS.c.withdrawn, at), withdrawn_reason=reason)
            )
            return bool(result.rowcount)

    def _upsert_once(self, items: Sequence[Item], seen_at: datetime) -> list[UpsertResult]:
        with cyclic_gc_paused(), write_transaction(self.engine) as conn:
            for _attempt in range(_MAX_ATTEMPTS):
                found = self._look_up(conn, items)
                plan = self._plan_and_insert(conn, items, seen_at, found)
                if plan is not None:
                    self._write(conn, plan)
                    return [
                        UpsertResult(cast(int, state.id), outcome, changed)
                        for state, outcome, changed in plan.results
                    ]
        raise RuntimeError(
            f"gave up after {_MAX_ATTEMPTS} attempts: other writers kept inserting the same items"
        )

    def _look_up(self, conn: Connection, items: Sequence[Item]) -> Found:
        """The stored rows the batch's keys and aliases name (locked on PostgreSQL)."""
        keys: dict[str, set[str]] = {}
        aliases: dict[str, set[str]] = {}
        for item in items:
            keys.setdefault(item.source, set()).add(item.key)
            aliases.setdefault(item.source, set()).update(
                [KEY_ALIAS_PREFIX + item.key, *item.aliases]
            )

        states: dict[int, RowState] = {}
        base = select(ITEMS, REVIEWS.c.status.label("review_status")).outerjoin(
            REVIEWS, REVIEWS.c.item_id == ITEMS.c.id
        )

        def load(rows: Iterable[Any]) -> None:
            for row in rows:
                values = dict(row._mapping)
                item_id = values.pop("id")
                status = values.pop("review_status")
                states[item_id] = RowState(item_id, values, status)

        # On PostgreSQL the rows found are locked (FOR UPDATE) until the batch commits, in
        # (source, key) order: a concurrent writer of the same items waits, then plans against
        # what this one stored (so an update is recorded once, and last_seen never goes back).
        postgres = conn.dialect.name == "postgresql"
        items_by_key, alias_owners = lookup_statements(conn.dialect.name)
        for source, source_keys in sorted(keys.items()):
            for chunk in chunks(sorted(source_keys), JSON_LOOKUP_CHUNK):
                load(conn.execute(items_by_key, {"source": source, "values": json_list(chunk)}))
        alias_owner: dict[tuple[str, str], int] = {}
        for source, source_aliases in aliases.items():
            for chunk in chunks(sorted(source_aliases), JSON_LOOKUP_CHUNK):
                found = conn.execute(alias_owners, {"source": source, "values": json_list(chunk)})
                for alias_source, alias, item_id in found:
                    alias_owner[(alias_source, alias)] = item_id
        missing = sorted(set(alias_owner.values()) - states.keys())
        for id_chunk in chunks(missing, LOOKUP_CHUNK):
            by_id = base.where(member(conn, ITEMS.c.id, id_chunk))
            load(conn.execute(by_id.with_for_update(of=ITEMS) if postgres else by_id))

        by_key = {(s.values["source"], s.values["key"]): s for s in states.values()}
        by_alias = {pair: states[item_id] for pair, item_id in alias_owner.items()}
        return Found(by_key, by_alias)

    def _plan_and_insert(
        self, conn: Connection, items: Sequence[Item], seen_at: datetime, found: Found
    ) -> Plan | None:
        """Apply the batch to what was found and insert its new rows; None (and nothing kept)
        if another writer inserted one of them first."""
        if pipeline_supported(conn) and independent(items):
            return self._plan_and_insert_pipelined(conn, items, seen_at, found)
        plan = Plan()
        for item in items:
            apply(plan, item, seen_at, found.by_key, found.by_alias)
        savepoint = conn.begin_nested()
        if not self._insert_new(conn, [state for state in plan.states if state.is_new]):
            savepoint.rollback()
            return None
        savepoint.commit()
        return plan

    def _plan_and_insert_pipelined(
        self, conn: Connection, items: Sequence[Item], seen_at: datetime, found: Found
    ) -> Plan | None:
        """`_plan_and_insert` for PostgreSQL, with planning and inserting overlapped.

        The server spends longer inserting a new item (its search vector above all) than
        Python spends planning it, and the two would otherwise wait for each other. So the
        batch is planned a slice at a time and each slice's new rows, with their aliases and
        sightings, are sent in psycopg's pipeline mode without waiting: the server inserts
        one slice while the next is planned. This needs items that cannot meet within the
        batch (`independent`): a new row, once sent, is never changed by a later item. Items
        are planned in (source, key) order, so new rows are still inserted in the one order
        concurrent writers share. (`index_new_items` has nothing to do here: PostgreSQL's
        search index is the server's own GIN index.)
        """
        order = sorted(range(len(items)), key=lambda n: (items[n].source, items[n].key))
        plan = Plan()
        results: list[PlannedResult | None] = [None] * len(items)
        sent: list[tuple[Any, list[RowState]]] = []
        inserted: dict[tuple[str, str], int] = {}
        savepoint = conn.begin_nested()
        driver = conn.connection.driver_connection
        assert driver is not None
        sql = ""
        try:
            with driver.pipeline():
                for start, end in slices(len(order)):
                    first_state = len(plan.states)
                    alias_mark, sighting_mark = len(plan.aliases), len(plan.sightings)
                    for n in order[start:end]:
                        apply(plan, items[n], seen_at, found.by_key, found.by_alias)
                        results[n] = plan.results[-1]
                    new_states = [state for state in plan.states[first_state:] if state.is_new]
                    if new_states:
                        aliases, sightings = children_of_new(
                            plan, new_states, alias_mark, sighting_mark
                        )
                        sql, params = new_rows_with_children_statement(
                            conn, new_states, aliases, sightings
                        )
                        cursor = driver.cursor()
                        cursor.execute(sql, params)
                        sent.append((cursor, new_states))
                for cursor, _states in sent:
                    inserted.update(((source, key), item_id) for item_id, source, key in cursor)
        except conn.dialect.loaded_dbapi.Error as error:
            # raised by the driver itself, not through SQLAlchemy: wrapped as SQLAlchemy wraps
            # it, so callers (and `retry_on_conflict`) see one kind of error
            raise DBAPIError.instance(
                sql, None, error, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from error
        if len(inserted) < sum(len(new_states) for _cursor, new_states in sent):
            savepoint.rollback()  # another writer inserted one of them first
            return None
        savepoint.commit()
        for _cursor, new_states in sent:
            for state in new_states:
                state.id = inserted[(state.values["source"], state.values["key"])]
        plan.results = cast(list[PlannedResult], results)
        return plan

    def _insert_new(self, conn: Connection, states: Sequence[RowState]) -> bool:
        """Insert new rows and give their states ids; False if another writer inserted one
        of them first (the caller rolls back)."""
        # in (source, key) order, so concurrent writers on PostgreSQL lock rows in one order
        if not states:
            return True
        new_states = sorted(states, key=lambda state: (state.values["source"], state.values["key"]))
        if conn.dialect.name == "postgresql":
            result = conn.exec_driver_sql(*new_rows_statement(conn, new_states))
            inserted = {(source, key): item_id for item_id, source, key in result}
            if len(inserted) < len(new_states):
                return False
            for state in new_states:
                state.id = inserted[(state.values["source"], state.values["key"])]
        else:
            columns = tuple(new_states[0].values)  # every new state has the same columns
            row_of = operator.itemgetter(*columns)
            rows = [row_of(state.values) for state in new_states]
            # sqlite3's executemany cannot return rows, so the ids are chosen here: after the
            # highest stored one, which nobody else can move under BEGIN IMMEDIATE
            highest = conn.exec_driver_sql("SELECT max(id) FROM items").scalar() or 0
            ids = range(highest + 1, highest + 1 + len(new_states))
            numbered = [(item_id, *row) for item_id, row in zip(ids, rows, strict=True)]
            result = bulk_insert(conn, ITEMS, ("id", *columns), numbered, ITEM_CONFLICT)
            if result.rowcount < len(new_states):
                return False
            for state, item_id in zip(new_states, ids, strict=True):
                state.id = item_id
        index_new_items(conn, [cast(int, state.id) for state in new_states])
        return True

    def _write(self, conn: Connection, plan: Plan) -> None:
        touched = sorted(
            (state for state in plan.states if not state.is_new), key=lambda state: state.id or 0
        )
        if touched:
            conn.execute(
                update(ITEMS).where(ITEMS.c.id == bindparam("b_id")),
                [
                    {
                        "b_id": state.id,
                        **{name: state.values[name] for name in UPDATABLE_ITEM_COLUMNS},
                    }
                    for state in touched
                ],
            )

        # No review row is written for a new item: without one it reads as new and in need of
        # review everywhere (`rows.with_review`, the review app's queries, the exports), and
        # the editor's first decision creates it (`reviews.ensure_review`). A row per new item
        # was a fifth of the rows a first crawl writes.
        to_flag = [
            state.id
            for state in plan.states
            if not state.is_new and state.updated and state.status not in (None, "rejected")
        ]
        for id_chunk in chunks(to_flag, LOOKUP_CHUNK):
            conn.execute(
                update(REVIEWS)
                .where(REVIEWS.c.item_id.in_(id_chunk), REVIEWS.c.status != "rejected")
                .values(needs_review=True)
            )

        if plan.aliases:
            bulk_insert(
                conn,
                ALIASES,
                ("item_id", "source", "alias"),
                [(state.id, source, alias) for (source, alias), state in plan.aliases.items()],
                ALIAS_CONFLICT,
            )

        if plan.sightings:
            bulk_insert(
                conn,
                SIGHTINGS,
                ("item_id", *SIGHTING_COLUMNS),
                [
                    (state.id, source, url, first, last)
                    for (state, source, url), (first, last) in plan.sightings.items()
                ],
                SIGHTING_CONFLICT,
            )

        if plan.before_change:
            snapshot_first_versions(
                conn,
                {cast(int, state.id): values for state, values in plan.before_change.items()},
            )
        if plan.revisions:
            bulk_insert(
                conn,
                REVISIONS,
                REVISION_COLUMNS,
                [
                    (
                        state.id,
                        revision["seen_at"],
                        revision["kind"],
                        revision["change_note"],
                        revision["snapshot"],
                        revision["changed_fields"],
                    )
                    for state, revision in plan.revisions
                ],
            )


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector for the length of one batch.

    A batch allocates some thirty short-lived containers per item (column values, the hashed
    substance, the revision snapshot, driver rows), all freed by reference counting. They still
    trigger collections, and each full one walks every object in the process: with 100,000
    items held by the caller that took a third of the time of an upsert. Refcounting frees
    everything as before; cycles made meanwhile wait for the next collection. If collection was
    already off (or another thread turned it off), it is left as found.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
