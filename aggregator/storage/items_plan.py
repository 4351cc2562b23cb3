"""The plan of an upsert batch: what each item of the batch does to the stored rows.

`apply` takes one item against the rows the batch found (by key, else by alias) and records in
a `Plan` the row as the batch will leave it, the outcome ("new", "updated", "cosmetic",
"unchanged"), the aliases and sightings to add and the revisions to write. Planning is pure
Python over rows already read; `items_write.ItemWriter` reads the rows, plans, then writes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aggregator.dedupe.changes import change_kind
from aggregator.schema import Item, field_names
from aggregator.storage.db import require_aware
from aggregator.storage.hashing import SUBSTANTIVE_FIELDS, hash_substance, substance
from aggregator.storage.rows import KEY_ALIAS_PREFIX, columns_from_item, revision_values
from aggregator.storage.values import Outcome, RevisionKind

OTHER_CRAWL_FIELDS: tuple[str, ...] = (
    "key",
    "publisher",
    "topics",
    "nations",
    "withdrawn",
    "withdrawn_reason",
)
"""Crawl-owned but not substantive: refreshed on every sighting, never a revision alone."""

COMPARED_FIELDS: tuple[str, ...] = tuple(
    name for name in field_names() if name in SUBSTANTIVE_FIELDS or name in OTHER_CRAWL_FIELDS
)
"""The fields an `UpsertResult` may list as changed, in schema order."""


@dataclass(eq=False)
class RowState:
    """One items row as the batch will leave it (hashable by identity)."""

    id: int | None
    values: dict[str, Any]
    status: str | None  # review status; None if the row has no review yet
    is_new: bool = False  # inserted by this batch
    updated: bool = False  # a substantive update in this batch


@dataclass
class Found:
    """The stored rows a batch names, by (source, key) and by (source, alias)."""

    by_key: dict[tuple[str, str], RowState]
    by_alias: dict[tuple[str, str], RowState]


PlannedResult = tuple[RowState, Outcome, tuple[str, ...]]
"""The row an input item ended up in, its outcome and its changed fields."""


@dataclass
class Plan:
    """Everything one batch writes, gathered before anything is written."""

    states: list[RowState] = field(default_factory=list)  # every row the batch touches, once
    touched: set[RowState] = field(default_factory=set)
    results: list[PlannedResult] = field(default_factory=list)
    aliases: dict[tuple[str, str], RowState] = field(default_factory=dict)
    sightings: dict[tuple[RowState, str, str], tuple[datetime, datetime]] = field(
        default_factory=dict
    )
    revisions: list[tuple[RowState, dict[str, Any]]] = field(default_factory=list)
    # items new in this batch, whose first version has no revision yet (see `Revision`)
    unrecorded: dict[RowState, Item] = field(default_factory=dict)
    # stored rows changed by this batch, as they were before its first change
    before_change: dict[RowState, dict[str, Any]] = field(default_factory=dict)


def changed_fields(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_substance: Mapping[str, Any],
    new_substance: Mapping[str, Any],
) -> tuple[str, ...]:
    """The compared fields that differ (`*_substance` is `substance` of `old` and `new`)."""
    changed = []
    for name in COMPARED_FIELDS:
        if name in SUBSTANTIVE_FIELDS:
            # `get`: a substance names an optional field only when it is set
            differs = old_substance.get(name) != new_substance.get(name)
        else:
            differs = old[name] != new[name]
        if differs:
            changed.append(name)
    return tuple(changed)


def apply(
    plan: Plan,
    item: Item,
    seen_at: datetime,
    by_key: dict[tuple[str, str], RowState],
    by_alias: dict[tuple[str, str], RowState],
) -> None:
    """Plan one item of the batch against the rows found so far (which it may add to)."""
    source = item.source
    values = columns_from_item(item)
    new_substance = substance(values)
    values["content_hash"] = hash_substance(new_substance)
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
        state = RowState(None, values, "new", is_new=True)
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
        old_substance = substance(old)
        changed = changed_fields(old, values, old_substance, new_substance)
        new_values = dict(old)
        if values["content_hash"] != old["content_hash"]:
            new_values.update(values)
            kind = change_kind(old_substance, new_substance, changed)
            state.updated = state.updated or kind == "substantive"
            outcome = "updated" if kind == "substantive" else "cosmetic"
        else:
            new_values.update({name: values[name] for name in OTHER_CRAWL_FIELDS})
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
                recorded = revision_values(first_item, first_seen, old["first_seen"], "new", ())
                plan.revisions.append((state, recorded))
            elif not state.is_new:
                plan.before_change.setdefault(state, old)
        if outcome != "unchanged":
            kind_name: RevisionKind = "update" if outcome == "updated" else "cosmetic"
            plan.revisions.append(
                (state, revision_values(item, new_values, seen_at, kind_name, changed))
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


# --- planning a slice at a time (PostgreSQL's pipelined insert) ------------------------------


def independent(items: Sequence[Item]) -> bool:
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


FIRST_SLICE = 100
SLICE = 400


def slices(count: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the slices a batch of `count` items is planned in when planning
    overlaps inserting (`ItemWriter._plan_and_insert_pipelined`). The server waits idle while
    the first is planned, so it is small; the others are large enough that a statement's fixed
    cost is spread over many rows."""
    start, size = 0, FIRST_SLICE
    while start < count:
        yield start, min(start + size, count)
        start, size = start + size, SLICE


NewAlias = tuple[str, str, str]
"""(item key, source, alias) of an alias of a new row."""
NewSighting = tuple[str, str, str, str, datetime, datetime]
"""(item source, item key, source, url, first fetched, last fetched) of a new row's sighting."""


def children_of_new(
    plan: Plan, states: Sequence[RowState], alias_mark: int, sighting_mark: int
) -> tuple[list[NewAlias], list[NewSighting]]:
    """The aliases and sightings the plan holds for `states` (new rows), taken out of the
    plan, as `items_insert.new_rows_with_children_statement` wants them. Only entries after
    the marks (the plan's sizes before these states were planned) are looked at."""
    wanted = set(states)  # `RowState` compares and hashes by identity
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
