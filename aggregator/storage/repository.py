"""The one storage module that the pipelines, the review app and the exports use.

`Repository.upsert_items` is the store step of the crawl (ARCHITECTURE 1, identify & store):
each batch is one transaction, looked up in bulk, and every item comes out "new", "updated"
(a substantive change, recorded as a revision) or "unchanged". Editor decisions live in
`reviews` and a crawl only ever raises `needs_review` there, never for a rejected item.

The same code runs on SQLite and PostgreSQL: inserts of new items use
`INSERT … ON CONFLICT DO NOTHING … RETURNING`, so an item that another writer inserted in the
meantime is detected, and the batch is re-planned against it inside a savepoint.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, cast

import orjson
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Select,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import (
    cast as cast_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from aggregator.classify.rules import Classification
from aggregator.dedupe.changes import change_kind, diff_snapshots
from aggregator.dedupe.clusters import Candidate, Match
from aggregator.schema import (
    Attachment,
    DocType,
    Item,
    Link,
    Precision,
    Sighting,
    _jsonable,
    field_names,
)
from aggregator.storage.db import (
    chunks,
    dialect_insert,
    make_engine,
    require_aware,
    write_transaction,
)
from aggregator.storage.exporting import ExportRow, ExportSelection
from aggregator.storage.models import (
    REVIEW_STATUSES,
    RUN_STATUSES,
    AliasRow,
    ClassificationRow,
    ClusterMemberRow,
    ClusterRow,
    ClusterSplitRow,
    CrawlRunRow,
    ItemRow,
    ReviewEventRow,
    ReviewRow,
    RevisionRow,
    SightingRow,
)
from aggregator.storage.search_index import index_new_items

_T = TypeVar("_T")

Outcome = Literal["new", "updated", "cosmetic", "unchanged"]
"""updated: a substantive change (back to the editors); cosmetic: recorded, not re-queued."""

SUBSTANTIVE_FIELDS: tuple[str, ...] = (
    "title",
    "url",
    "summary",
    "doc_type",
    "published",
    "published_precision",
    "updated",
    "change_note",
    "event_start",
    "event_end",
    "attachments",
    "links",
)
"""The fields `content_hash` covers: a change in any of them is an update."""

_OTHER_CRAWL_FIELDS: tuple[str, ...] = (
    "key",
    "publisher",
    "topics",
    "nations",
    "withdrawn",
    "withdrawn_reason",
)
"""Crawl-owned but not substantive: refreshed on every sighting, never a revision alone."""

_ITEM_FIELD_NAMES = tuple(field_names())

_COMPARED_FIELDS = tuple(
    name for name in field_names() if name in SUBSTANTIVE_FIELDS or name in _OTHER_CRAWL_FIELDS
)

RevisionKind = Literal["new", "update", "cosmetic"]
"""update: a substantive change; cosmetic: a "last updated" bump or retouched attachment titles."""

KEY_ALIAS_PREFIX = "key:"
"""When an item's key changes, its old key is kept as the alias "key:<old>"."""

_LOOKUP_CHUNK = 500
_MAX_ATTEMPTS = 3
_RETRY_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure

_ITEMS = cast(Table, ItemRow.__table__)
_ALIASES = cast(Table, AliasRow.__table__)
_SIGHTINGS = cast(Table, SightingRow.__table__)
_REVISIONS = cast(Table, RevisionRow.__table__)
_REVIEWS = cast(Table, ReviewRow.__table__)
_RUNS = cast(Table, CrawlRunRow.__table__)
_CLUSTERS = cast(Table, ClusterRow.__table__)
_MEMBERS = cast(Table, ClusterMemberRow.__table__)
_SPLITS = cast(Table, ClusterSplitRow.__table__)
_EVENTS = cast(Table, ReviewEventRow.__table__)

# Editor actions: the review status and queue flag each one leaves.
REVIEW_ACTIONS: dict[str, tuple[str, bool]] = {
    "approve": ("approved", False),
    "reject": ("rejected", False),
    "defer": ("deferred", False),
    "reopen": ("new", True),
}
_CLASSIFICATIONS = cast(Table, ClassificationRow.__table__)

# Written on every sighting of an existing item (never id, source or first_seen).
_UPDATABLE_COLUMNS = tuple(
    c.name for c in _ITEMS.columns if c.name not in {"id", "source", "first_seen"}
)


# --- public value types ---------------------------------------------------------------------


@dataclass(frozen=True)
class UpsertResult:
    """What `upsert_items` did with one input item.

    `changed_fields` lists, in schema order, the stored fields whose value changed (for
    "updated" at least one substantive field; an "unchanged" item may still list key, publisher,
    topics or nations, which are refreshed without a revision; "new" lists nothing).
    """

    item_id: int
    outcome: Outcome
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class StoredItem:
    """An item as stored, with its review state beside it."""

    id: int
    item: Item
    status: str
    needs_review: bool
    content_hash: str
    reason: str | None = None
    edited_title: str | None = None
    edited_summary: str | None = None
    section: str | None = None
    include_withdrawn: bool = False

    @property
    def title(self) -> str:
        """What editors and bulletins show: the editor's title, else the publisher's."""
        return self.edited_title or self.item.title

    @property
    def summary(self) -> str:
        return self.edited_summary or self.item.summary


@dataclass(frozen=True)
class ReviewEvent:
    """One editor action, with the review state before and after it (so it can be undone)."""

    id: int
    item_id: int
    at: datetime
    actor: str | None
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Revision:
    """One recorded version of an item (`snapshot` is `Item.to_json()` at `seen_at`).

    A new item's first version is not written as a revision: until the item first changes,
    its row is that version, and `revisions()` reads it from there (with `id` None). The
    first change (or topics refreshed by a crawl or a reclassification) records the version it
    replaces, from the row before the change, as a "new" revision seen when the item was first
    seen. Writing a copy of every item when it is first seen cost a third of the time of
    storing it, for the few items that ever change (bench/storage_bench.py).
    """

    id: int | None
    item_id: int
    seen_at: datetime
    kind: RevisionKind
    change_note: str | None
    snapshot: dict[str, Any]
    changed_fields: tuple[str, ...]


@dataclass
class RunStats:
    """The counts of one crawl run, as `finish_run` stores them."""

    status: str = "ok"
    finished_at: datetime | None = None
    requests: int = 0
    responses_by_status: dict[str, int] = field(default_factory=dict)
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_dropped: int = 0
    dropped_reasons: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CrawlRun:
    """A stored crawl run: its identity plus its `RunStats` (status "running" until finished)."""

    id: int
    source: str
    started_at: datetime
    stats: RunStats


# --- content hash ---------------------------------------------------------------------------


def normalise_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def content_hash(item: Item) -> str:
    """The sha256 hex digest of the item's substantive fields (`SUBSTANTIVE_FIELDS`).

    Text is whitespace-normalised and datetimes are compared in UTC first, so cosmetic
    differences do not count as an update.
    """
    return _hash_substance(_substance(_columns_from_item(item)))


_HASH_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""The encoder `json.dumps(…, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
builds on every call, built once."""


def _hash_substance(substance: Mapping[str, Any]) -> str:
    """sha256 of the substance as `_HASH_ENCODER` writes it, in UTF-8 (the stored hashes).

    orjson writes the same bytes for what a substance holds (ASCII keys, strings, integers,
    null and lists: tests/storage/test_content_hash.py checks it over arbitrary text) five
    times faster, and the hash is a tenth of the time of storing an item. Anything orjson
    refuses (an integer beyond 64 bits, a lone surrogate) goes through the encoder itself.
    """
    try:
        encoded = orjson.dumps(substance, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        encoded = _HASH_ENCODER.encode(substance).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _substance(values: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of the substantive fields of a row's column values."""
    return {
        "title": normalise_whitespace(values["title"]),
        "url": values["url"].strip(),
        "summary": normalise_whitespace(values["summary"]),
        "doc_type": values["doc_type"],
        "published": _iso(values["published"]),
        "published_precision": values["published_precision"],
        "updated": _iso(values["updated"]),
        "change_note": normalise_whitespace(values["change_note"] or "") or None,
        "event_start": _iso(values["event_start"]),
        "event_end": _iso(values["event_end"]),
        "attachments": [
            {
                "title": normalise_whitespace(a["title"]),
                "url": a["url"].strip(),
                "media_type": a.get("media_type"),
                "size": a.get("size"),
            }
            for a in values["attachments"]
        ],
        "links": [
            {"label": normalise_whitespace(link["label"]), "url": link["url"].strip()}
            for link in values["links"]
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


# --- item <-> row ---------------------------------------------------------------------------


def _columns_from_item(item: Item) -> dict[str, Any]:
    """The crawl-written columns of `items` for an Item (not first/last seen, not the hash)."""
    return {
        "source": item.source,
        "key": item.key,
        "publisher": item.publisher,
        "title": item.title,
        "url": item.url,
        "summary": item.summary,
        "doc_type": DocType(item.doc_type).value,
        "topics": list(item.topics),
        "nations": list(item.nations),
        "published": item.published,
        "published_precision": Precision(item.published_precision).value,
        "updated": item.updated,
        "change_note": item.change_note,
        "event_start": item.event_start,
        "event_end": item.event_end,
        # what dataclasses.asdict gives for these flat dataclasses, without its deep copy
        "attachments": [
            {"title": a.title, "url": a.url, "media_type": a.media_type, "size": a.size}
            for a in item.attachments
        ],
        "links": [{"label": link.label, "url": link.url} for link in item.links],
        "withdrawn": item.withdrawn,
        "withdrawn_reason": item.withdrawn_reason,
    }


def _retry_on_conflict(work: Callable[[], _T]) -> _T:
    """Run a whole write transaction, again if PostgreSQL ended it to break a deadlock or a
    serialization conflict with another writer (nothing of it was kept)."""
    for attempt in range(_MAX_ATTEMPTS):
        try:
            return work()
        except DBAPIError as error:
            sqlstate = getattr(error.orig, "sqlstate", None)
            if attempt + 1 == _MAX_ATTEMPTS or sqlstate not in _RETRY_SQLSTATES:
                raise
    raise AssertionError("unreachable")


def _with_review() -> Select[Any]:
    """Items joined to their review state (an item without a review row reads as new)."""
    return select(
        _ITEMS,
        func.coalesce(_REVIEWS.c.status, "new").label("review_status"),
        func.coalesce(_REVIEWS.c.needs_review, true()).label("review_needed"),
        _REVIEWS.c.reason.label("review_reason"),
        _REVIEWS.c.edited_title,
        _REVIEWS.c.edited_summary,
        _REVIEWS.c.section,
        func.coalesce(_REVIEWS.c.include_withdrawn, false()).label("keep_withdrawn"),
    ).outerjoin(_REVIEWS, _REVIEWS.c.item_id == _ITEMS.c.id)


def _stored_item(
    row: Mapping[Any, Any],
    aliases: Mapping[int, list[str]],
    provenance: Mapping[int, list[Sighting]],
) -> StoredItem:
    return StoredItem(
        id=row["id"],
        item=_item_from_columns(row, aliases.get(row["id"], []), provenance.get(row["id"], [])),
        status=row["review_status"],
        needs_review=bool(row["review_needed"]),
        content_hash=row["content_hash"],
        reason=row["review_reason"],
        edited_title=row["edited_title"],
        edited_summary=row["edited_summary"],
        section=row["section"],
        include_withdrawn=bool(row["keep_withdrawn"]),
    )


def _item_from_columns(
    values: Mapping[Any, Any], aliases: Sequence[str], provenance: Sequence[Sighting]
) -> Item:
    return Item(
        key=values["key"],
        source=values["source"],
        publisher=values["publisher"],
        title=values["title"],
        url=values["url"],
        summary=values["summary"],
        doc_type=DocType(values["doc_type"]),
        topics=list(values["topics"]),
        nations=list(values["nations"]),
        published=values["published"],
        published_precision=Precision(values["published_precision"]),
        updated=values["updated"],
        change_note=values["change_note"],
        first_seen=values["first_seen"],
        last_seen=values["last_seen"],
        event_start=values["event_start"],
        event_end=values["event_end"],
        attachments=[Attachment(**a) for a in values["attachments"]],
        links=[Link(**link) for link in values["links"]],
        provenance=list(provenance),
        aliases=list(aliases),
        withdrawn=values["withdrawn"],
        withdrawn_reason=values["withdrawn_reason"],
    )


def _changed_fields(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_substance: Mapping[str, Any],
    new_substance: Mapping[str, Any],
) -> tuple[str, ...]:
    """The compared fields that differ (`*_substance` is `_substance` of `old` and `new`)."""
    changed = []
    for name in _COMPARED_FIELDS:
        if name in SUBSTANTIVE_FIELDS:
            differs = old_substance[name] != new_substance[name]
        else:
            differs = old[name] != new[name]
        if differs:
            changed.append(name)
    return tuple(changed)


# --- the batch plan -------------------------------------------------------------------------


@dataclass(eq=False)
class _State:
    """One items row as the batch will leave it (hashable by identity)."""

    id: int | None
    values: dict[str, Any]
    status: str | None  # review status; None if the row has no review yet
    is_new: bool = False  # inserted by this batch
    updated: bool = False  # a substantive update in this batch


@dataclass
class _Found:
    """The stored rows a batch names, by (source, key) and by (source, alias)."""

    by_key: dict[tuple[str, str], _State]
    by_alias: dict[tuple[str, str], _State]


@dataclass
class _Plan:
    states: list[_State] = field(default_factory=list)  # every row the batch touches, once
    touched: set[_State] = field(default_factory=set)
    results: list[tuple[_State, Outcome, tuple[str, ...]]] = field(default_factory=list)
    aliases: dict[tuple[str, str], _State] = field(default_factory=dict)
    sightings: dict[tuple[_State, str, str], tuple[datetime, datetime]] = field(
        default_factory=dict
    )
    revisions: list[tuple[_State, dict[str, Any]]] = field(default_factory=list)
    # items new in this batch, whose first version has no revision yet (see `Revision`)
    unrecorded: dict[_State, Item] = field(default_factory=dict)
    # stored rows changed by this batch, as they were before its first change
    before_change: dict[_State, dict[str, Any]] = field(default_factory=dict)


class Repository:
    """Items, their aliases, provenance, revisions and review state, and crawl runs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Repository:
        """A repository on `url`. It does not migrate: call `db.upgrade(url)` first."""
        return cls(make_engine(url))

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    # --- items ------------------------------------------------------------------------------

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
        return _retry_on_conflict(lambda: self._upsert_once(items, seen_at))

    def _upsert_once(self, items: Sequence[Item], seen_at: datetime) -> list[UpsertResult]:
        with _cyclic_gc_paused(), write_transaction(self.engine) as conn:
            for _attempt in range(_MAX_ATTEMPTS):
                found = self._look_up(conn, items)
                plan = self._plan_and_insert(conn, items, seen_at, found)
                if plan is not None:
                    self._write(conn, plan, seen_at)
                    return [
                        UpsertResult(cast(int, state.id), outcome, changed)
                        for state, outcome, changed in plan.results
                    ]
        raise RuntimeError(
            f"gave up after {_MAX_ATTEMPTS} attempts: other writers kept inserting the same items"
        )

    def _look_up(self, conn: Connection, items: Sequence[Item]) -> _Found:
        """The stored rows the batch's keys and aliases name (locked on PostgreSQL)."""
        keys: dict[str, set[str]] = {}
        aliases: dict[str, set[str]] = {}
        for item in items:
            keys.setdefault(item.source, set()).add(item.key)
            aliases.setdefault(item.source, set()).update(
                [KEY_ALIAS_PREFIX + item.key, *item.aliases]
            )

        states: dict[int, _State] = {}
        base = select(_ITEMS, _REVIEWS.c.status.label("review_status")).outerjoin(
            _REVIEWS, _REVIEWS.c.item_id == _ITEMS.c.id
        )

        def load(rows: Iterable[Any]) -> None:
            for row in rows:
                values = dict(row._mapping)
                item_id = values.pop("id")
                status = values.pop("review_status")
                states[item_id] = _State(item_id, values, status)

        # On PostgreSQL the rows found are locked (FOR UPDATE) until the batch commits, in
        # (source, key) order: a concurrent writer of the same items waits, then plans against
        # what this one stored (so an update is recorded once, and last_seen never goes back).
        postgres = conn.dialect.name == "postgresql"
        items_by_key, alias_owners = _lookup_statements(conn.dialect.name)
        for source, source_keys in sorted(keys.items()):
            for chunk in chunks(sorted(source_keys), _JSON_LOOKUP_CHUNK):
                load(conn.execute(items_by_key, {"source": source, "values": _json_list(chunk)}))
        alias_owner: dict[tuple[str, str], int] = {}
        for source, source_aliases in aliases.items():
            for chunk in chunks(sorted(source_aliases), _JSON_LOOKUP_CHUNK):
                found = conn.execute(alias_owners, {"source": source, "values": _json_list(chunk)})
                for alias_source, alias, item_id in found:
                    alias_owner[(alias_source, alias)] = item_id
        missing = sorted(set(alias_owner.values()) - states.keys())
        for id_chunk in chunks(missing, _LOOKUP_CHUNK):
            by_id = base.where(_member(conn, _ITEMS.c.id, id_chunk))
            load(conn.execute(by_id.with_for_update(of=_ITEMS) if postgres else by_id))

        by_key = {(s.values["source"], s.values["key"]): s for s in states.values()}
        by_alias = {pair: states[item_id] for pair, item_id in alias_owner.items()}
        return _Found(by_key, by_alias)

    def _plan_and_insert(
        self, conn: Connection, items: Sequence[Item], seen_at: datetime, found: _Found
    ) -> _Plan | None:
        """Apply the batch to what was found and insert its new rows; None (and nothing kept)
        if another writer inserted one of them first."""
        if _pipeline_supported(conn) and _independent(items):
            return self._plan_and_insert_pipelined(conn, items, seen_at, found)
        plan = _Plan()
        for item in items:
            self._apply(plan, item, seen_at, found.by_key, found.by_alias)
        savepoint = conn.begin_nested()
        if not self._insert_new(conn, [state for state in plan.states if state.is_new]):
            savepoint.rollback()
            return None
        savepoint.commit()
        return plan

    def _plan_and_insert_pipelined(
        self, conn: Connection, items: Sequence[Item], seen_at: datetime, found: _Found
    ) -> _Plan | None:
        """`_plan_and_insert` for PostgreSQL, with planning and inserting overlapped.

        The server spends longer inserting a new item (its search vector above all) than
        Python spends planning it, and the two would otherwise wait for each other. So the
        batch is planned a slice at a time and each slice's new rows, with their aliases and
        sightings, are sent in psycopg's pipeline mode without waiting: the server inserts
        one slice while the next is planned. This needs items that cannot meet within the
        batch (`_independent`): a new row, once sent, is never changed by a later item. Items
        are planned in (source, key) order, so new rows are still inserted in the one order
        concurrent writers share. (`index_new_items` has nothing to do here: PostgreSQL's
        search index is the server's own GIN index.)
        """
        order = sorted(range(len(items)), key=lambda n: (items[n].source, items[n].key))
        plan = _Plan()
        results: list[tuple[_State, Outcome, tuple[str, ...]] | None] = [None] * len(items)
        sent: list[tuple[Any, list[_State]]] = []
        inserted: dict[tuple[str, str], int] = {}
        savepoint = conn.begin_nested()
        driver = conn.connection.driver_connection
        assert driver is not None
        sql = ""
        try:
            with driver.pipeline():
                for start, end in _slices(len(order)):
                    first_state = len(plan.states)
                    alias_mark, sighting_mark = len(plan.aliases), len(plan.sightings)
                    for n in order[start:end]:
                        self._apply(plan, items[n], seen_at, found.by_key, found.by_alias)
                        results[n] = plan.results[-1]
                    new_states = [state for state in plan.states[first_state:] if state.is_new]
                    if new_states:
                        aliases, sightings = _children_of_new(
                            plan, new_states, alias_mark, sighting_mark
                        )
                        sql, params = _new_rows_with_children_statement(
                            conn, new_states, aliases, sightings
                        )
                        cursor = driver.cursor()
                        cursor.execute(sql, params)
                        sent.append((cursor, new_states))
                for cursor, _states in sent:
                    inserted.update(((source, key), item_id) for item_id, source, key in cursor)
        except conn.dialect.loaded_dbapi.Error as error:
            # raised by the driver itself, not through SQLAlchemy: wrapped as SQLAlchemy wraps
            # it, so callers (and `_retry_on_conflict`) see one kind of error
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
        plan.results = cast(list[tuple[_State, Outcome, tuple[str, ...]]], results)
        return plan

    @staticmethod
    def _apply(
        plan: _Plan,
        item: Item,
        seen_at: datetime,
        by_key: dict[tuple[str, str], _State],
        by_alias: dict[tuple[str, str], _State],
    ) -> None:
        source = item.source
        values = _columns_from_item(item)
        substance = _substance(values)
        values["content_hash"] = _hash_substance(substance)
        state = by_key.get((source, item.key))
        if state is None:
            for alias in (KEY_ALIAS_PREFIX + item.key, *item.aliases):
                state = by_alias.get((source, alias))
                if state is not None:
                    break

        outcome: Outcome
        changed: tuple[str, ...]
        if state is None:
            if item.first_seen is not None:
                require_aware(item.first_seen, "first_seen")
            values["first_seen"] = item.first_seen or seen_at
            values["last_seen"] = seen_at
            state = _State(None, values, "new", is_new=True)
            by_key[(source, item.key)] = state
            outcome, changed = "new", ()
            plan.unrecorded[state] = item  # its row is this version until it changes
        else:
            old = state.values
            if old["key"] != item.key:
                by_key.pop((source, old["key"]), None)
                by_key[(source, item.key)] = state
                old_key_alias = (source, KEY_ALIAS_PREFIX + old["key"])
                plan.aliases.setdefault(old_key_alias, state)
                by_alias.setdefault(old_key_alias, state)
            old_substance = _substance(old)
            changed = _changed_fields(old, values, old_substance, substance)
            new_values = dict(old)
            if values["content_hash"] != old["content_hash"]:
                new_values.update(values)
                kind = change_kind(old_substance, substance, changed)
                state.updated = state.updated or kind == "substantive"
                outcome = "updated" if kind == "substantive" else "cosmetic"
            else:
                new_values.update({name: values[name] for name in _OTHER_CRAWL_FIELDS})
                outcome = "unchanged"
            new_values["last_seen"] = max(old["last_seen"], seen_at)
            if old["withdrawn"] is not None and new_values["withdrawn"] is not None:
                new_values["withdrawn"] = old["withdrawn"]  # the date it was first seen gone
            state.values = new_values
            if changed:
                # The row is about to stop being the item's first version (see `Revision`):
                # that version gets its own snapshot now, from the row as it was.
                first_item = plan.unrecorded.pop(state, None)
                if first_item is not None:
                    first_seen = {"first_seen": old["first_seen"], "last_seen": old["first_seen"]}
                    recorded = _revision(first_item, first_seen, old["first_seen"], "new", ())
                    plan.revisions.append((state, recorded))
                elif not state.is_new:
                    plan.before_change.setdefault(state, old)
            if outcome != "unchanged":
                kind_name: RevisionKind = "update" if outcome == "updated" else "cosmetic"
                plan.revisions.append(
                    (state, _revision(item, new_values, seen_at, kind_name, changed))
                )
        if state not in plan.touched:
            plan.touched.add(state)
            plan.states.append(state)
        plan.results.append((state, outcome, changed))

        for alias in item.aliases:
            plan.aliases.setdefault((source, alias), state)
            by_alias.setdefault((source, alias), state)
        for sighting in item.provenance:
            require_aware(sighting.fetched_at, "provenance fetched_at")
            sighting_key = (state, sighting.source, sighting.url)
            first = last = sighting.fetched_at
            if sighting_key in plan.sightings:
                earlier_first, earlier_last = plan.sightings[sighting_key]
                first, last = min(first, earlier_first), max(last, earlier_last)
            plan.sightings[sighting_key] = (first, last)

    def _insert_new(self, conn: Connection, states: Sequence[_State]) -> bool:
        """Insert new rows and give their states ids; False if another writer inserted one
        of them first (the caller rolls back)."""
        # in (source, key) order, so concurrent writers on PostgreSQL lock rows in one order
        if not states:
            return True
        new_states = sorted(states, key=lambda state: (state.values["source"], state.values["key"]))
        if conn.dialect.name == "postgresql":
            result = conn.exec_driver_sql(*_new_rows_statement(conn, new_states))
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
            result = _bulk_insert(conn, _ITEMS, ("id", *columns), numbered, _ITEM_CONFLICT)
            if result.rowcount < len(new_states):
                return False
            for state, item_id in zip(new_states, ids, strict=True):
                state.id = item_id
        index_new_items(conn, [cast(int, state.id) for state in new_states])
        return True

    def _write(self, conn: Connection, plan: _Plan, seen_at: datetime) -> None:
        touched = sorted(
            (state for state in plan.states if not state.is_new), key=lambda state: state.id or 0
        )
        if touched:
            conn.execute(
                update(_ITEMS).where(_ITEMS.c.id == bindparam("b_id")),
                [
                    {"b_id": state.id, **{name: state.values[name] for name in _UPDATABLE_COLUMNS}}
                    for state in touched
                ],
            )

        # No review row is written for a new item: without one it reads as new and in need of
        # review everywhere (`_with_review`, the review app's queries, the exports), and the
        # editor's first decision creates it (`_ensure_review`). A row per new item was a
        # fifth of the rows a first crawl writes.
        to_flag = [
            state.id
            for state in plan.states
            if not state.is_new and state.updated and state.status not in (None, "rejected")
        ]
        for id_chunk in chunks(to_flag, _LOOKUP_CHUNK):
            conn.execute(
                update(_REVIEWS)
                .where(_REVIEWS.c.item_id.in_(id_chunk), _REVIEWS.c.status != "rejected")
                .values(needs_review=True)
            )

        if plan.aliases:
            _bulk_insert(
                conn,
                _ALIASES,
                ("item_id", "source", "alias"),
                [(state.id, source, alias) for (source, alias), state in plan.aliases.items()],
                _ALIAS_CONFLICT,
            )

        if plan.sightings:
            _bulk_insert(
                conn,
                _SIGHTINGS,
                ("item_id", *_SIGHTING_COLUMNS),
                [
                    (state.id, source, url, first, last)
                    for (state, source, url), (first, last) in plan.sightings.items()
                ],
                _SIGHTING_CONFLICT,
            )

        if plan.before_change:
            self._snapshot_first_versions(
                conn,
                {cast(int, state.id): values for state, values in plan.before_change.items()},
            )
        if plan.revisions:
            _bulk_insert(
                conn,
                _REVISIONS,
                ("item_id", "seen_at", "kind", "change_note", "snapshot", "changed_fields"),
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

    def _snapshot_first_versions(
        self, conn: Connection, states: Mapping[int, Mapping[Any, Any]]
    ) -> None:
        """Record the first version of each item about to change, if it is not recorded yet.

        `states` holds, by item id, each row as it is before the change: while an item has
        never changed, its row is its first version. That version becomes a "new" revision,
        seen when the item was first seen, before the revision of the change (see `Revision`).
        """
        recorded: set[int] = set()
        for id_chunk in chunks(sorted(states), _LOOKUP_CHUNK):
            firsts = select(_REVISIONS.c.item_id).where(
                _member(conn, _REVISIONS.c.item_id, id_chunk), _REVISIONS.c.kind == "new"
            )
            recorded.update(conn.execute(firsts).scalars())
        unrecorded = sorted(set(states) - recorded)
        if not unrecorded:
            return
        aliases, provenance = self._children(conn, unrecorded)
        rows: list[tuple[Any, ...]] = []
        for item_id in unrecorded:
            values = states[item_id]
            first_seen = values["first_seen"]
            snapshot = _row_snapshot(values, aliases.get(item_id, []), provenance.get(item_id, []))
            rows.append((item_id, first_seen, "new", values["change_note"], snapshot, []))
        _bulk_insert(
            conn,
            _REVISIONS,
            ("item_id", "seen_at", "kind", "change_note", "snapshot", "changed_fields"),
            rows,
        )

    def keys(self, source: str) -> list[str]:
        """Every key stored for a source (one query; used to stop pagination at known items)."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(select(_ITEMS.c.key).where(_ITEMS.c.source == source)).scalars()
            )

    def item_times(self, source: str) -> list[tuple[datetime, datetime | None]]:
        """(first seen, published) of each of a source's items: its silence and its cadence."""
        with self.engine.connect() as conn:
            query = select(_ITEMS.c.first_seen, _ITEMS.c.published).where(_ITEMS.c.source == source)
            return [(row[0], row[1]) for row in conn.execute(query)]

    def get_item(self, source: str, key: str) -> Item | None:
        """The stored item with this key, or whose key this was (alias "key:<key>")."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_ITEMS).where(_ITEMS.c.source == source, _ITEMS.c.key == key)
            ).first()
            if row is None:
                row = conn.execute(
                    select(_ITEMS)
                    .join(_ALIASES, _ALIASES.c.item_id == _ITEMS.c.id)
                    .where(
                        _ALIASES.c.source == source,
                        _ALIASES.c.alias == KEY_ALIAS_PREFIX + key,
                    )
                ).first()
            if row is None:
                return None
            values = row._mapping
            aliases, provenance = self._children(conn, [values["id"]])
            return _item_from_columns(
                values, aliases.get(values["id"], []), provenance.get(values["id"], [])
            )

    def list_items(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[StoredItem]:
        """Stored items, newest first by `first_seen`.

        `since` keeps items first seen at or after it; `status` filters on the review status
        ("new", "approved", "rejected", "deferred").
        """
        review_status = func.coalesce(_REVIEWS.c.status, "new")
        stmt = _with_review().order_by(_ITEMS.c.first_seen.desc(), _ITEMS.c.id.desc())
        if source is not None:
            stmt = stmt.where(_ITEMS.c.source == source)
        if since is not None:
            require_aware(since, "since")
            stmt = stmt.where(_ITEMS.c.first_seen >= since)
        if status is not None:
            stmt = stmt.where(review_status == status)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            rows = [row._mapping for row in conn.execute(stmt)]
            aliases, provenance = self._children(conn, [row["id"] for row in rows])
        return [_stored_item(row, aliases, provenance) for row in rows]

    @staticmethod
    def _children(
        conn: Connection, item_ids: Sequence[int]
    ) -> tuple[dict[int, list[str]], dict[int, list[Sighting]]]:
        aliases: dict[int, list[str]] = {}
        provenance: dict[int, list[Sighting]] = {}
        for id_chunk in chunks(list(item_ids), _LOOKUP_CHUNK):
            alias_rows = conn.execute(
                select(_ALIASES.c.item_id, _ALIASES.c.alias)
                .where(_ALIASES.c.item_id.in_(id_chunk))
                .order_by(_ALIASES.c.id)
            )
            for item_id, alias in alias_rows:
                aliases.setdefault(item_id, []).append(alias)
            sighting_rows = conn.execute(
                select(
                    _SIGHTINGS.c.item_id,
                    _SIGHTINGS.c.source,
                    _SIGHTINGS.c.url,
                    _SIGHTINGS.c.last_fetched_at,
                )
                .where(_SIGHTINGS.c.item_id.in_(id_chunk))
                .order_by(_SIGHTINGS.c.id)
            )
            for item_id, source, url, fetched_at in sighting_rows:
                provenance.setdefault(item_id, []).append(Sighting(source, url, fetched_at))
        return aliases, provenance

    def diff(self, revision_id: int) -> list[str]:
        """A readable diff of one revision against the one before it (empty for "new")."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_REVISIONS).where(_REVISIONS.c.id == revision_id)).first()
            if row is None:
                raise KeyError(f"no revision {revision_id}")
            previous = conn.execute(
                select(_REVISIONS.c.snapshot)
                .where(_REVISIONS.c.item_id == row.item_id, _REVISIONS.c.id < revision_id)
                .order_by(_REVISIONS.c.id.desc())
                .limit(1)
            ).scalar()
        if previous is None:
            return []
        return [d.text for d in diff_snapshots(previous, row.snapshot)]

    def revisions(self, item_id: int) -> list[Revision]:
        """The item's versions, oldest first: for an item that never changed, its first version
        read from its row (with no id: it is not stored as a revision, see `Revision`)."""
        stmt = (
            select(_REVISIONS)
            .where(_REVISIONS.c.item_id == item_id)
            .order_by(_REVISIONS.c.seen_at, _REVISIONS.c.id)
        )
        with self.engine.connect() as conn:
            found = [
                Revision(
                    id=row.id,
                    item_id=row.item_id,
                    seen_at=row.seen_at,
                    kind=row.kind,
                    change_note=row.change_note,
                    snapshot=row.snapshot,
                    changed_fields=tuple(row.changed_fields),
                )
                for row in conn.execute(stmt)
            ]
            if found:
                return found
            item = conn.execute(select(_ITEMS).where(_ITEMS.c.id == item_id)).first()
            if item is None:
                return []
            aliases, provenance = self._children(conn, [item_id])
        first_seen = item.first_seen
        snapshot = _row_snapshot(
            item._mapping, aliases.get(item_id, []), provenance.get(item_id, [])
        )
        return [Revision(None, item_id, first_seen, "new", item.change_note, snapshot, ())]

    # --- review -----------------------------------------------------------------------------

    def set_review_status(
        self,
        item_id: int,
        status: str,
        *,
        updated_at: datetime,
        updated_by: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Record an editor's decision; the item no longer needs review."""
        if status not in REVIEW_STATUSES:
            raise ValueError(f"unknown review status {status!r}: expected one of {REVIEW_STATUSES}")
        require_aware(updated_at, "updated_at")
        with write_transaction(self.engine) as conn:
            _ensure_review(conn, item_id, updated_at)
            result = conn.execute(
                update(_REVIEWS)
                .where(_REVIEWS.c.item_id == item_id)
                .values(
                    status=status,
                    needs_review=False,
                    reason=reason,
                    updated_at=updated_at,
                    updated_by=updated_by,
                )
            )
            if result.rowcount != 1:
                raise KeyError(f"no review for item {item_id}")

    # --- editors' decisions, with their audit record ----------------------------------------

    def review(
        self,
        item_id: int,
        action: str,
        *,
        at: datetime,
        actor: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Approve, reject (with a reason), defer or reopen an item; the audit event's id.

        A crawl never changes what this writes: a rejected item stays rejected (a tombstone:
        it never comes back as new) and is not re-queued by updates.
        """
        if action not in REVIEW_ACTIONS:
            known = ", ".join(sorted(REVIEW_ACTIONS))
            raise ValueError(f"unknown action {action!r}: expected one of {known}")
        if action == "reject" and not reason:
            raise ValueError("a rejection needs a reason")
        status, needs_review = REVIEW_ACTIONS[action]
        changes = {"status": status, "needs_review": needs_review, "reason": reason}
        return self._change_review(item_id, action, changes, at=at, actor=actor)

    def edit(
        self,
        item_id: int,
        *,
        at: datetime,
        actor: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        section: str | None = None,
    ) -> int:
        """Set the editor's title, summary or bulletin section (a crawl never overwrites them;
        an empty string clears an edit)."""
        changes: dict[str, Any] = {}
        fields = (("edited_title", title), ("edited_summary", summary), ("section", section))
        for name, value in fields:
            if value is not None:
                changes[name] = value.strip() or None
        if not changes:
            raise ValueError("nothing to edit: give a title, summary or section")
        return self._change_review(item_id, "edit", changes, at=at, actor=actor)

    def keep_withdrawn(
        self, item_id: int, keep: bool, *, at: datetime, actor: str | None = None
    ) -> int:
        """Let a withdrawn item into bulletins and feeds after all (or stop it again)."""
        return self._change_review(
            item_id, "keep_withdrawn", {"include_withdrawn": keep}, at=at, actor=actor
        )

    def mark_withdrawn(self, source: str, key: str, at: datetime, reason: str) -> bool:
        """Flag a stored item as gone upstream (first date kept); False if there is none."""
        require_aware(at, "at")
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(_ITEMS)
                .where(_ITEMS.c.source == source, _ITEMS.c.key == key)
                .values(withdrawn=func.coalesce(_ITEMS.c.withdrawn, at), withdrawn_reason=reason)
            )
            return bool(result.rowcount)

    def undo(self, event_id: int, *, at: datetime, actor: str | None = None) -> int:
        """Put back the review state an earlier action changed; recorded as its own event."""
        with self.engine.connect() as conn:
            event = conn.execute(select(_EVENTS).where(_EVENTS.c.id == event_id)).first()
        if event is None:
            raise KeyError(f"no review event {event_id}")
        if event.action == "split":
            return self._undo_split(event, at=at, actor=actor)
        before = dict(event.detail.get("before") or {})
        return self._change_review(
            event.item_id, "undo", before, at=at, actor=actor, undid=event_id
        )

    def _undo_split(self, event: Any, *, at: datetime, actor: str | None) -> int:
        """Put a split item back in the cluster it left (recreated if it had dissolved) and
        forget the split pairs, so the matcher may merge them again."""
        detail = event.detail
        item_id, others = event.item_id, [int(o) for o in detail["others"]]
        member = detail["member"]
        with write_transaction(self.engine) as conn:
            conn.execute(
                _SPLITS.delete().where(
                    or_(
                        *[
                            and_(
                                _SPLITS.c.item_a == min(item_id, o),
                                _SPLITS.c.item_b == max(item_id, o),
                            )
                            for o in others
                        ]
                    )
                )
            )
            cluster_id = conn.execute(
                select(_MEMBERS.c.cluster_id).where(_MEMBERS.c.item_id.in_(others))
            ).scalar()
            if cluster_id is None:
                cluster_id = conn.execute(
                    insert(_CLUSTERS)
                    .values(publisher_item_id=detail["publisher_item_id"], created_at=at)
                    .returning(_CLUSTERS.c.id)
                ).scalar_one()
                conn.execute(
                    insert(_MEMBERS),
                    [
                        {
                            "item_id": o,
                            "cluster_id": cluster_id,
                            "matched_item_id": None,
                            "kind": "first",
                            "reason": "first member",
                            "score": 1.0,
                            "added_at": at,
                        }
                        for o in others
                    ],
                )
            conn.execute(
                dialect_insert(conn, _MEMBERS).on_conflict_do_nothing(index_elements=["item_id"]),
                [{"item_id": item_id, "cluster_id": cluster_id, "added_at": at, **member}],
            )
            if detail["publisher_item_id"] == item_id:
                conn.execute(
                    update(_CLUSTERS)
                    .where(_CLUSTERS.c.id == cluster_id)
                    .values(publisher_item_id=item_id)
                )
            return int(
                conn.execute(
                    insert(_EVENTS)
                    .values(
                        item_id=item_id,
                        at=at,
                        actor=actor,
                        action="undo",
                        detail={"undid": event.id, "rejoined": cluster_id},
                    )
                    .returning(_EVENTS.c.id)
                ).scalar_one()
            )

    def events(self, item_id: int) -> list[ReviewEvent]:
        """The audit record of an item, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_EVENTS).where(_EVENTS.c.item_id == item_id).order_by(_EVENTS.c.id)
            ).all()
        return [ReviewEvent(r.id, r.item_id, r.at, r.actor, r.action, dict(r.detail)) for r in rows]

    def _change_review(
        self,
        item_id: int,
        action: str,
        changes: dict[str, Any],
        *,
        at: datetime,
        actor: str | None,
        undid: int | None = None,
    ) -> int:
        require_aware(at, "at")

        def change() -> int:
            with write_transaction(self.engine) as conn:
                _ensure_review(conn, item_id, at)
                # Locked on PostgreSQL (SQLite's BEGIN IMMEDIATE already excludes other
                # writers), so the audit's "before" is what this change replaced.
                current = conn.execute(
                    select(_REVIEWS).where(_REVIEWS.c.item_id == item_id).with_for_update()
                ).first()
                if current is None:
                    raise KeyError(f"no item {item_id}")
                before = {name: current._mapping[name] for name in changes}
                conn.execute(
                    update(_REVIEWS)
                    .where(_REVIEWS.c.item_id == item_id)
                    .values(**changes, updated_at=at, updated_by=actor)
                )
                detail: dict[str, Any] = {"before": before, "after": changes}
                if undid is not None:
                    detail["undid"] = undid
                return int(
                    conn.execute(
                        insert(_EVENTS)
                        .values(item_id=item_id, at=at, actor=actor, action=action, detail=detail)
                        .returning(_EVENTS.c.id)
                    ).scalar_one()
                )

        # A crawler updating the same item may deadlock with this: the editor's change is
        # then made again, never lost.
        return _retry_on_conflict(change)

    # --- crawl runs -------------------------------------------------------------------------

    def start_run(self, source: str, started_at: datetime) -> int:
        """Record the start of a crawl of `source`; returns the run id for `finish_run`."""
        require_aware(started_at, "started_at")
        with write_transaction(self.engine) as conn:
            stats = RunStats(status="running")
            return int(
                conn.execute(
                    insert(_RUNS).returning(_RUNS.c.id),
                    {"source": source, "started_at": started_at, **_run_columns(stats)},
                ).scalar_one()
            )

    def finish_run(self, run_id: int, stats: RunStats) -> None:
        """Store the final counts and status of a run."""
        if stats.status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {stats.status!r}: expected one of {RUN_STATUSES}")
        if stats.finished_at is not None:
            require_aware(stats.finished_at, "finished_at")
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(_RUNS).where(_RUNS.c.id == run_id).values(**_run_columns(stats))
            )
            if result.rowcount != 1:
                raise KeyError(f"no crawl run {run_id}")

    def runs(self, source: str | None = None, limit: int = 20) -> list[CrawlRun]:
        """The latest runs, newest first, optionally of one source."""
        stmt = select(_RUNS).order_by(_RUNS.c.started_at.desc(), _RUNS.c.id.desc()).limit(limit)
        if source is not None:
            stmt = stmt.where(_RUNS.c.source == source)
        with self.engine.connect() as conn:
            return [
                CrawlRun(
                    id=row.id,
                    source=row.source,
                    started_at=row.started_at,
                    stats=RunStats(
                        status=row.status,
                        finished_at=row.finished_at,
                        requests=row.requests,
                        responses_by_status=dict(row.responses_by_status),
                        items_new=row.items_new,
                        items_updated=row.items_updated,
                        items_unchanged=row.items_unchanged,
                        items_dropped=row.items_dropped,
                        dropped_reasons=dict(row.dropped_reasons),
                        errors=list(row.errors),
                    ),
                )
                for row in conn.execute(stmt)
            ]

    # --- classification ---------------------------------------------------------------------

    def save_classifications(
        self,
        pairs: Sequence[tuple[int, Classification]],
        classified_at: datetime | None = None,
    ) -> None:
        """Store the classification of each (item id, classification), in one transaction.

        An existing classification is replaced. The item's `topics` and `nations` are set to
        the classification's (they are derived, not substantive: no revision, no change to
        the content hash); `doc_type`, the other crawl fields and the item's review state are
        never touched. `classified_at` defaults to each classification's own, else now.
        """
        if not pairs:
            return
        if classified_at is not None:
            require_aware(classified_at, "classified_at")
        now = datetime.now(UTC)
        latest: dict[int, Classification] = {}
        for item_id, result in pairs:
            latest[item_id] = result  # the last classification of an item wins
        rows = [
            _classification_columns(item_id, result, classified_at or result.classified_at or now)
            for item_id, result in sorted(latest.items())
        ]

        def store() -> None:
            with write_transaction(self.engine) as conn:
                self._snapshot_before_topics_change(conn, rows)
                stmt = dialect_insert(conn, _CLASSIFICATIONS)
                replace = {
                    name: stmt.excluded[name]
                    for name in (c.name for c in _CLASSIFICATIONS.columns)
                    if name != "item_id"
                }
                for chunk in chunks(rows, _LOOKUP_CHUNK):
                    conn.execute(
                        stmt.on_conflict_do_update(index_elements=["item_id"], set_=replace),
                        list(chunk),
                    )
                conn.execute(
                    update(_ITEMS).where(_ITEMS.c.id == bindparam("b_id")),
                    [
                        {"b_id": r["item_id"], "topics": r["topics"], "nations": r["nations"]}
                        for r in rows
                    ],
                )

        # Another crawler's upsert locks the same items in key order; these rows go in id
        # order, so PostgreSQL may end one side to break a deadlock: store again.
        _retry_on_conflict(store)

    def _snapshot_before_topics_change(
        self, conn: Connection, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Snapshot the first version of items whose topics or nations are about to change."""
        wanted = {r["item_id"]: (r["topics"], r["nations"]) for r in rows}
        changing: dict[int, Mapping[Any, Any]] = {}
        for id_chunk in chunks(sorted(wanted), _LOOKUP_CHUNK):
            for row in conn.execute(select(_ITEMS).where(_member(conn, _ITEMS.c.id, id_chunk))):
                values = row._mapping
                if (values["topics"], values["nations"]) != wanted[values["id"]]:
                    changing[values["id"]] = values
        if changing:
            self._snapshot_first_versions(conn, changing)

    def classification(self, item_id: int) -> Classification | None:
        """The stored classification of an item, or None if it has never been classified."""
        return self.relevance_of([item_id]).get(item_id)

    def relevance_of(self, item_ids: Sequence[int]) -> dict[int, Classification]:
        """The stored classifications of these items (items never classified are absent)."""
        found: dict[int, Classification] = {}
        with self.engine.connect() as conn:
            for id_chunk in chunks(sorted(set(item_ids)), _LOOKUP_CHUNK):
                query = select(_CLASSIFICATIONS).where(_CLASSIFICATIONS.c.item_id.in_(id_chunk))
                for row in conn.execute(query):
                    found[row.item_id] = _classification_from_row(row._mapping)
        return found

    # --- cross-source clusters --------------------------------------------------------------

    def cluster_candidates(self) -> list[Candidate]:
        """Every stored item as the cluster matcher sees it (one query, no children)."""
        query = select(
            _ITEMS.c.id,
            _ITEMS.c.source,
            _ITEMS.c.publisher,
            _ITEMS.c.url,
            _ITEMS.c.title,
            _ITEMS.c.published,
            _ITEMS.c.attachments,
            _ITEMS.c.links,
        )
        with self.engine.connect() as conn:
            return [
                Candidate(
                    item_id=row.id,
                    source=row.source,
                    publisher=row.publisher,
                    url=row.url,
                    title=row.title,
                    published=row.published,
                    attachment_urls=tuple(a["url"] for a in row.attachments or []),
                    link_urls=tuple(link["url"] for link in row.links or []),
                )
                for row in conn.execute(query)
            ]

    def split_pairs(self) -> set[frozenset[int]]:
        """Pairs an editor split apart; the matcher never merges them again."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(_SPLITS.c.item_a, _SPLITS.c.item_b))
            return {frozenset((a, b)) for a, b in rows}

    def merge(self, item_id: int, match: Match, at: datetime) -> int:
        """Put `item_id` and `match.item_id` in one cluster, recording why; the cluster id.

        Joins an existing cluster of either item; two existing clusters become one.
        """
        with write_transaction(self.engine) as conn:
            owner = dict(
                conn.execute(
                    select(_MEMBERS.c.item_id, _MEMBERS.c.cluster_id).where(
                        _MEMBERS.c.item_id.in_([item_id, match.item_id])
                    )
                ).all()
            )
            mine, theirs = owner.get(item_id), owner.get(match.item_id)
            if mine is not None and mine == theirs:
                return mine
            if mine is None and theirs is None:
                cluster_id = conn.execute(
                    insert(_CLUSTERS)
                    .values(publisher_item_id=match.item_id, created_at=at)
                    .returning(_CLUSTERS.c.id)
                ).scalar_one()
                conn.execute(
                    insert(_MEMBERS).values(
                        item_id=match.item_id,
                        cluster_id=cluster_id,
                        matched_item_id=None,
                        kind="first",
                        reason="first member",
                        score=1.0,
                        added_at=at,
                    )
                )
            else:
                cluster_id = theirs if theirs is not None else cast(int, mine)
                if mine is not None and theirs is not None:
                    # Two clusters meet: the newer one's members join the older one.
                    cluster_id, other = min(mine, theirs), max(mine, theirs)
                    conn.execute(
                        update(_MEMBERS)
                        .where(_MEMBERS.c.cluster_id == other)
                        .values(cluster_id=cluster_id)
                    )
                    conn.execute(_CLUSTERS.delete().where(_CLUSTERS.c.id == other))
            if mine is None:
                conn.execute(
                    insert(_MEMBERS).values(
                        item_id=item_id,
                        cluster_id=cluster_id,
                        matched_item_id=match.item_id,
                        kind=match.kind,
                        reason=match.reason,
                        score=match.score,
                        added_at=at,
                    )
                )
            return cluster_id

    def set_publisher_of_record(self, cluster_id: int, item_id: int) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(_CLUSTERS)
                .where(_CLUSTERS.c.id == cluster_id)
                .values(publisher_item_id=item_id)
            )

    def clusters(self, item_id: int | None = None) -> list[Cluster]:
        """Clusters with their members (all, or the one holding `item_id`)."""
        with self.engine.connect() as conn:
            query = select(_CLUSTERS).order_by(_CLUSTERS.c.id)
            if item_id is not None:
                held = select(_MEMBERS.c.cluster_id).where(_MEMBERS.c.item_id == item_id)
                query = query.where(_CLUSTERS.c.id.in_(held))
            clusters = conn.execute(query).all()
            members = conn.execute(
                select(_MEMBERS, _ITEMS.c.source, _ITEMS.c.publisher, _ITEMS.c.title)
                .join(_ITEMS, _ITEMS.c.id == _MEMBERS.c.item_id)
                .where(_MEMBERS.c.cluster_id.in_([c.id for c in clusters]))
                .order_by(_MEMBERS.c.added_at, _MEMBERS.c.item_id)
            ).all()
        return [
            Cluster(
                id=c.id,
                publisher_item_id=c.publisher_item_id,
                members=[
                    ClusterMember(
                        item_id=m.item_id,
                        source=m.source,
                        publisher=m.publisher,
                        title=m.title,
                        kind=m.kind,
                        reason=m.reason,
                        matched_item_id=m.matched_item_id,
                    )
                    for m in members
                    if m.cluster_id == c.id
                ],
            )
            for c in clusters
        ]

    def split(self, item_id: int, at: datetime, actor: str | None = None) -> None:
        """Take an item out of its cluster for good: every pair it formed there is recorded
        as split, so later crawls never merge it back."""
        with write_transaction(self.engine) as conn:
            cluster_id = conn.execute(
                select(_MEMBERS.c.cluster_id).where(_MEMBERS.c.item_id == item_id)
            ).scalar()
            if cluster_id is None:
                raise KeyError(f"item {item_id} is in no cluster")
            member = conn.execute(select(_MEMBERS).where(_MEMBERS.c.item_id == item_id)).one()
            lead = conn.execute(
                select(_CLUSTERS.c.publisher_item_id).where(_CLUSTERS.c.id == cluster_id)
            ).scalar_one()
            others = list(
                conn.execute(
                    select(_MEMBERS.c.item_id).where(
                        _MEMBERS.c.cluster_id == cluster_id, _MEMBERS.c.item_id != item_id
                    )
                ).scalars()
            )
            # Recorded in the audit with what undo needs to put the item back.
            conn.execute(
                insert(_EVENTS).values(
                    item_id=item_id,
                    at=at,
                    actor=actor,
                    action="split",
                    detail={
                        "cluster_id": cluster_id,
                        "publisher_item_id": lead,
                        "others": others,
                        "member": {
                            "kind": member.kind,
                            "reason": member.reason,
                            "score": member.score,
                            "matched_item_id": member.matched_item_id,
                        },
                    },
                )
            )
            conn.execute(
                dialect_insert(conn, _SPLITS).on_conflict_do_nothing(
                    index_elements=["item_a", "item_b"]
                ),
                [
                    {
                        "item_a": min(item_id, o),
                        "item_b": max(item_id, o),
                        "split_at": at,
                        "actor": actor,
                    }
                    for o in others
                ],
            )
            conn.execute(_MEMBERS.delete().where(_MEMBERS.c.item_id == item_id))
            if len(others) < 2:
                conn.execute(_CLUSTERS.delete().where(_CLUSTERS.c.id == cluster_id))
            else:
                conn.execute(
                    update(_CLUSTERS)
                    .where(_CLUSTERS.c.id == cluster_id, _CLUSTERS.c.publisher_item_id == item_id)
                    .values(publisher_item_id=others[0])
                )

    # --- exports (aggregator/storage/exporting.py) ------------------------------------------

    def iter_export(self, selection: ExportSelection, batch: int = 500) -> Iterator[ExportRow]:
        """Stream the items an export selects, with the editor's edits beside each one.

        One statement with a server-side cursor (`yield_per`), in item-id order unless
        `selection.order` says otherwise; aliases, provenance and revision dates are read per
        batch, so memory stays that of one batch. Withdrawn items are left out unless an
        editor kept them; with `selection.consumer`, so is what that consumer already has.
        """
        from aggregator.storage.exporting import iter_export

        return iter_export(self, selection, batch)

    def export_newest_change(self, selection: ExportSelection) -> datetime | None:
        """The newest review or content change among the selected items (feeds' updated)."""
        from aggregator.storage.exporting import newest_change

        return newest_change(self, selection)

    def record_deliveries(self, consumer: str, item_ids: Iterable[int], at: datetime) -> int:
        """Record that `consumer` was sent these items; call it only once the output is
        complete. Returns how many were not recorded before."""
        from aggregator.storage.exporting import record_deliveries

        require_aware(at, "at")
        return record_deliveries(self, consumer, item_ids, at)

    # --- the review app (aggregator/review/) -------------------------------------------------

    def stored_items(self, item_ids: Sequence[int]) -> dict[int, StoredItem]:
        """The stored items with these ids, with their review state (unknown ids are absent)."""
        found: dict[int, StoredItem] = {}
        with self.engine.connect() as conn:
            for id_chunk in chunks(sorted(set(item_ids)), _LOOKUP_CHUNK):
                query = _with_review().where(_ITEMS.c.id.in_(id_chunk))
                rows = [row._mapping for row in conn.execute(query)]
                aliases, provenance = self._children(conn, [row["id"] for row in rows])
                for row in rows:
                    found[row["id"]] = _stored_item(row, aliases, provenance)
        return found


@dataclass(frozen=True)
class ClusterMember:
    item_id: int
    source: str
    publisher: str
    title: str
    kind: str  # how it matched: url, link, attachment, title; "first" for the first member
    reason: str
    matched_item_id: int | None


@dataclass(frozen=True)
class Cluster:
    id: int
    publisher_item_id: int
    members: list[ClusterMember]

    @property
    def publisher(self) -> ClusterMember:
        """The publisher of record; the other members are provenance ("via NSPCC")."""
        return next(m for m in self.members if m.item_id == self.publisher_item_id)


# --- helpers --------------------------------------------------------------------------------


def _classification_columns(
    item_id: int, result: Classification, classified_at: datetime
) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "doc_type": DocType(result.doc_type).value,
        "topics": list(result.topics),
        "nations": list(result.nations),
        "relevance": float(result.relevance),
        "relevant": bool(result.relevant),
        "evidence": result.evidence(),
        "vocabulary_version": result.vocabulary_version,
        "classified_at": classified_at,
        "text": result.text,
        "type_hint": result.type_hint,
        "nation_hints": list(result.nation_hints),
    }


def _classification_from_row(values: Mapping[Any, Any]) -> Classification:
    evidence = values["evidence"] or {}
    return Classification(
        doc_type=DocType(values["doc_type"]),
        doc_type_evidence=evidence.get("doc_type", ""),
        topics=list(values["topics"]),
        topic_evidence=list(evidence.get("topics", [])),
        nations=list(values["nations"]),
        nation_evidence=list(evidence.get("nations", [])),
        relevance=float(values["relevance"]),
        relevant=bool(values["relevant"]),
        relevance_evidence=list(evidence.get("relevance", [])),
        vocabulary_version=values["vocabulary_version"],
        text=values["text"],
        type_hint=values["type_hint"],
        nation_hints=list(values["nation_hints"]),
        classified_at=values["classified_at"],
    )


def _revision(
    item: Item,
    values: Mapping[str, Any],
    seen_at: datetime,
    kind: RevisionKind,
    changed: tuple[str, ...],
) -> dict[str, Any]:
    return {
        "seen_at": seen_at,
        "kind": kind,
        "change_note": item.change_note,
        "snapshot": _snapshot(item, values["first_seen"], values["last_seen"]),
        "changed_fields": list(changed),
    }


_JSON_FIELDS = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (Attachment, Link, Sighting)
}
_SCALARS = (str, int, float, bool, type(None))


def _snapshot(item: Item, first_seen: datetime, last_seen: datetime) -> dict[str, Any]:
    """`dataclasses.replace(item, first_seen=…, last_seen=…).to_json()`, without the copy and
    the per-value `dataclasses.fields` calls: the same keys in the same order, and every value
    that is not a plain scalar, list or one of the schema's own dataclasses goes through the
    schema's `_jsonable` itself (datetimes, enums), so the result is identical."""
    snapshot = {}
    for name in _ITEM_FIELD_NAMES:
        if name == "first_seen":
            value: Any = first_seen
        elif name == "last_seen":
            value = last_seen
        else:
            value = getattr(item, name)
        snapshot[name] = _json_value(value)
    return snapshot


def _row_snapshot(
    values: Mapping[Any, Any], aliases: Sequence[str], provenance: Sequence[Sighting]
) -> dict[str, Any]:
    """The snapshot of an item's first version, from its stored row (unchanged since):
    seen, first and last, when it was first seen."""
    public_aliases = [alias for alias in aliases if not alias.startswith(KEY_ALIAS_PREFIX)]
    item = _item_from_columns(values, public_aliases, provenance)
    return _snapshot(item, values["first_seen"], values["first_seen"])


def _json_value(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_json_value(v) for v in value]
    names = _JSON_FIELDS.get(kind)
    if names is not None:
        return {name: _json_value(getattr(value, name)) for name in names}
    return _jsonable(value)


def _run_columns(stats: RunStats) -> dict[str, Any]:
    return {
        "status": stats.status,
        "finished_at": stats.finished_at,
        "requests": stats.requests,
        "responses_by_status": {str(k): int(v) for k, v in stats.responses_by_status.items()},
        "items_new": stats.items_new,
        "items_updated": stats.items_updated,
        "items_unchanged": stats.items_unchanged,
        "items_dropped": stats.items_dropped,
        "dropped_reasons": {str(k): int(v) for k, v in stats.dropped_reasons.items()},
        "errors": [dict(error) for error in stats.errors],
    }


def _ensure_review(conn: Connection, item_id: int, at: datetime) -> None:
    """Give an item that has none its review row, as "new" and needing review (what an item
    without one reads as), so an editor's change can update it. Nothing if there is no item."""
    default = select(
        _ITEMS.c.id,
        literal("new").label("status"),
        true().label("needs_review"),
        literal(at, _REVIEWS.c.updated_at.type).label("updated_at"),
    ).where(_ITEMS.c.id == item_id)
    conn.execute(
        dialect_insert(conn, _REVIEWS)
        .from_select(["item_id", "status", "needs_review", "updated_at"], default)
        .on_conflict_do_nothing(index_elements=["item_id"])
    )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
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


_PLAIN_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
"""orjson options that leave datetimes and dataclasses to `json.dumps`, which refuses them."""


def _dump_json(value: Any) -> str:
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


def _convert(binder: _Binder | None, column: Sequence[Any]) -> Sequence[Any]:
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


_Binder = Callable[[Any], Any]
_BINDERS: dict[tuple[str, str, str, tuple[str, ...]], tuple[_Binder | None, ...]] = {}


def _binders(
    conn: Connection, table: Table, columns: tuple[str, ...]
) -> tuple[_Binder | None, ...]:
    """Per column, what SQLAlchemy would do to a Python value before handing it to the driver.

    JSON is `json.dumps` on both engines (what SQLAlchemy's JSON type serialises with when the
    engine sets no `json_serializer`; psycopg's `Json` wrapper also uses `json.dumps`), as text,
    so it can go into a PostgreSQL array; the rest is each type's own bind processor (UTC
    datetimes; SQLite's datetime text and booleans)."""
    dialect = conn.dialect
    cache_key = (dialect.name, dialect.driver, table.name, columns)
    binders = _BINDERS.get(cache_key)
    if binders is None:
        found: list[_Binder | None] = []
        for name in columns:
            column_type = table.c[name].type
            if isinstance(column_type, JSON):
                found.append(_dump_json)
            else:
                found.append(column_type.dialect_impl(dialect).bind_processor(dialect))
        binders = _BINDERS[cache_key] = tuple(found)
    return binders


def _bulk_insert(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    tail: str = "",
) -> Any:
    """`INSERT INTO table (columns) … tail` of `rows` (Python values), straight to the driver
    (see `_bulk_statement`). Returns the driver-level result (rows of a RETURNING,
    `rowcount`). `rows` must not be empty."""
    sql, params = _bulk_statement(conn, table, columns, rows, tail)
    return conn.exec_driver_sql(sql, params)


def _bulk_statement(
    conn: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Sequence[Any]],
    tail: str = "",
) -> tuple[str, Any]:
    """`INSERT INTO table (columns) … tail` of `rows` (Python values), for the driver.

    SQLAlchemy Core spends more per row compiling and processing parameters than the database
    spends inserting it, so the statement is written here once and the values converted as
    SQLAlchemy would (`_column_values`). SQLite: one `executemany` of `VALUES (?, …)`.
    PostgreSQL: one statement, `INSERT … SELECT * FROM unnest(%b::type[], …)`, one array per
    column (a multi-row VALUES list of thousands of placeholders is slow for psycopg to convert
    and for the server to parse), sent in binary (psycopg quotes a text array in Python: 50 ms
    for 1,000 revision snapshots, against 1 ms in binary). `tail` is the ON CONFLICT /
    RETURNING clause, the same on both. Returns the SQL and its parameters.
    """
    columns, converted = _column_values(conn, table, columns, rows)
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    if conn.dialect.name == "postgresql":
        arrays = _unnest_arguments(conn, table, columns)
        sql = f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({arrays}) {tail}"
        return sql, tuple(converted)  # one parameter per column (a list would mean many rows)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}) {tail}"
    return sql, list(zip(*converted, strict=True))


def _column_values(
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
        [binder(v) for v in column] if binder is _dump_json else list(_convert(binder, column))
        for binder, column in zip(_binders(conn, table, columns), values, strict=True)
    ]
    return columns, converted


def _unnest_arguments(conn: Connection, table: Table, columns: tuple[str, ...]) -> str:
    """PostgreSQL: `%b::type[], …`, one binary array parameter per column of `table`."""
    return ", ".join(
        f"%b::{table.c[name].type.compile(dialect=conn.dialect)}[]" for name in columns
    )


_ITEM_CONFLICT = "ON CONFLICT (source, key) DO NOTHING"
_ALIAS_CONFLICT = "ON CONFLICT (source, alias) DO NOTHING"
# a sighting seen again keeps its first time and moves its last time forward only
_SIGHTING_CONFLICT = (
    "ON CONFLICT (item_id, source, url) DO UPDATE SET last_fetched_at = CASE"
    " WHEN excluded.last_fetched_at > sightings.last_fetched_at"
    " THEN excluded.last_fetched_at ELSE sightings.last_fetched_at END"
)
_SIGHTING_COLUMNS = ("source", "url", "first_fetched_at", "last_fetched_at")


def _new_rows_statement(conn: Connection, states: Sequence[_State]) -> tuple[str, Any]:
    """PostgreSQL: the INSERT of new items rows, returning `(id, source, key)` of each row
    inserted (a row another writer inserted first is skipped, and so not returned)."""
    columns = tuple(states[0].values)  # every new state has the same columns
    row_of = operator.itemgetter(*columns)
    rows = [row_of(state.values) for state in states]
    return _bulk_statement(
        conn, _ITEMS, columns, rows, _ITEM_CONFLICT + " RETURNING id, source, key"
    )


def _new_rows_with_children_statement(
    conn: Connection,
    states: Sequence[_State],
    aliases: Sequence[tuple[str, str, str]],
    sightings: Sequence[tuple[str, str, str, str, datetime, datetime]],
) -> tuple[str, Any]:
    """PostgreSQL: `_new_rows_statement`, with the new items' aliases and sightings inserted
    by the same statement, so it needs no ids from the client (data-modifying WITH queries,
    joined to the inserted rows by (source, key); an item another writer inserted first gets
    none). `aliases` are (item key, source, alias); `sightings` are (item source, item key,
    source, url, first fetched, last fetched), one per (item, source, url): a row only just
    inserted has no sightings to conflict with."""
    items_sql, items_params = _new_rows_statement(conn, states)
    sql = f"WITH new_items AS ({items_sql})"
    params = list(items_params)
    quote = conn.dialect.identifier_preparer.quote
    if aliases:
        alias_columns, alias_values = _column_values(
            conn, _ALIASES, ("source", "alias"), [row[1:] for row in aliases]
        )
        names = ", ".join(map(quote, alias_columns))
        sql += (
            f", new_aliases AS (INSERT INTO item_aliases (item_id, {names})"
            f" SELECT new_items.id, {', '.join('v.' + quote(c) for c in alias_columns)}"
            f" FROM unnest({_unnest_arguments(conn, _ALIASES, alias_columns)}, %b::text[])"
            f" AS v({names}, item_key)"
            " JOIN new_items ON new_items.source = v.source AND new_items.key = v.item_key"
            f" {_ALIAS_CONFLICT})"
        )
        params += [*alias_values, [row[0] for row in aliases]]
    if sightings:
        sighting_columns, sighting_values = _column_values(
            conn, _SIGHTINGS, _SIGHTING_COLUMNS, [row[2:] for row in sightings]
        )
        names = ", ".join(map(quote, sighting_columns))
        sql += (
            f", new_sightings AS (INSERT INTO sightings (item_id, {names})"
            f" SELECT new_items.id, {', '.join('v.' + quote(c) for c in sighting_columns)}"
            f" FROM unnest({_unnest_arguments(conn, _SIGHTINGS, sighting_columns)},"
            " %b::text[], %b::text[])"
            f" AS v({names}, item_source, item_key)"
            " JOIN new_items ON new_items.source = v.item_source AND new_items.key = v.item_key)"
        )
        params += [*sighting_values, [row[0] for row in sightings], [row[1] for row in sightings]]
    return sql + " SELECT id, source, key FROM new_items", tuple(params)


def _children_of_new(
    plan: _Plan, states: Sequence[_State], alias_mark: int, sighting_mark: int
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str, datetime, datetime]]]:
    """The aliases and sightings the plan holds for `states` (new rows), taken out of the
    plan, as `_new_rows_with_children_statement` wants them. Only entries after the marks
    (the plan's sizes before these states were planned) are looked at."""
    wanted = set(states)  # `_State` compares and hashes by identity
    aliases = []
    for (source, alias), state in list(itertools.islice(plan.aliases.items(), alias_mark, None)):
        if state in wanted:
            aliases.append((state.values["key"], source, alias))
            del plan.aliases[(source, alias)]
    sightings = []
    for key, (first, last) in list(itertools.islice(plan.sightings.items(), sighting_mark, None)):
        state, source, url = key
        if state in wanted:
            values = state.values
            sightings.append((values["source"], values["key"], source, url, first, last))
            del plan.sightings[key]
    return aliases, sightings


_FIRST_SLICE = 100
_SLICE = 400


def _slices(count: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the slices a batch of `count` items is planned in when planning
    overlaps inserting (`_plan_and_insert_pipelined`). The server waits idle while the first
    is planned, so it is small; the others are large enough that a statement's fixed cost is
    spread over many rows."""
    start, size = 0, _FIRST_SLICE
    while start < count:
        yield start, min(start + size, count)
        start, size = start + size, _SLICE


def _pipeline_supported(conn: Connection) -> bool:
    """PostgreSQL through psycopg with a libpq that has pipeline mode (14 or later; the
    psycopg[binary] wheels bundle one)."""
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return False
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def _independent(items: Sequence[Item]) -> bool:
    """Whether no item of the batch can find another's row: no (source, key) twice, and no
    alias (a key's own alias included) named by two items. Then planning one item never
    changes the row planned for another, whatever the order."""
    keys: set[tuple[str, str]] = set()
    aliases: set[tuple[str, str]] = set()
    for item in items:
        source = item.source
        if (source, item.key) in keys:
            return False
        keys.add((source, item.key))
        for alias in (KEY_ALIAS_PREFIX + item.key, *item.aliases):
            if (source, alias) in aliases:
                return False
            aliases.add((source, alias))
    return True


_JSON_LOOKUP_CHUNK = 5000
"""Keys or aliases looked up per statement: they go as one JSON text, so no placeholder limit
applies, and fewer statements cost less to send (a lookup statement was about 1 ms of
building and binding, whatever its length)."""


def _json_list(values: Sequence[str]) -> str:
    return orjson.dumps(list(values)).decode()


@functools.cache
def _lookup_statements(dialect: str) -> tuple[Select[Any], Select[Any]]:
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
            select(_ITEMS)
            .where(_ITEMS.c.source == source, _ITEMS.c.key == wanted.c.value)
            .limit(1)
            .with_for_update()
            .lateral()
        )
        items_by_key = select(*item.c, _REVIEWS.c.status.label("review_status")).select_from(
            wanted.join(item, true()).outerjoin(_REVIEWS, _REVIEWS.c.item_id == item.c.id)
        )
        alias = (
            select(_ALIASES.c.source, _ALIASES.c.alias, _ALIASES.c.item_id)
            .where(_ALIASES.c.source == source, _ALIASES.c.alias == wanted.c.value)
            .limit(1)
            .lateral()
        )
        alias_owners = select(alias.c.source, alias.c.alias, alias.c.item_id).select_from(
            wanted.join(alias, true())
        )
        return items_by_key, alias_owners
    listed = select(func.json_each(values).table_valued("value").c.value)
    items_by_key = (
        select(_ITEMS, _REVIEWS.c.status.label("review_status"))
        .outerjoin(_REVIEWS, _REVIEWS.c.item_id == _ITEMS.c.id)
        .where(_ITEMS.c.source == source, _ITEMS.c.key.in_(listed))
    )
    alias_owners = select(_ALIASES.c.source, _ALIASES.c.alias, _ALIASES.c.item_id).where(
        _ALIASES.c.source == source, _ALIASES.c.alias.in_(listed)
    )
    return items_by_key, alias_owners


def _member(conn: Connection, column: Any, values: Sequence[Any]) -> Any:
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
