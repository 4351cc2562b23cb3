"""Calendar dates: one stored form per date, and revision snapshots written as dates.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A publication date without a time ("31 May 2024", "April 2024", "2024") is a day in London.
Its one stored form is the UTC instant of London midnight of that date, the first of the month
for month precision and 1 January for year precision (`aggregator.schema.calendar_instant`,
docs/schema.md "Dates"). The parsers already store dates so; this rewrites any `published` of
day, month or year precision held another way (UTC midnight, which some writers use for a
date alone; a month or year not at its first London midnight), and `event_start` by
`event_precision` where that column exists. A row it rewrites gets its content hash
recomputed from its columns by the hashing code, so the next crawl of the same item hashes
the same and is counted unchanged. Day-precision values with a time of day are left alone.

Revision snapshots (`revisions.snapshot`, an `Item.to_json()` dict) are rewritten in the new
JSON form: calendar dates as dates ("2024-05-31", "2024-04", "2024") and instants in London
time with the offset, so a revision diff compares like with like. Downgrading writes every
snapshot datetime back as a UTC instant ("2024-05-30T23:00:00Z"); stored dates stay in their
stored form, which the code before this revision read as it always had.

Both directions are idempotent and work in chunks of rows, keyed by id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from aggregator.schema import (
    Precision,
    calendar_instant,
    date_from_json,
    date_json,
    instant_json,
)
from aggregator.storage.hashing import hash_substance, substance
from aggregator.storage.models import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 500
CALENDAR = ("day", "month", "year")
# Substantive columns added after this revision, with the value a row without them holds.
LATER_COLUMNS: dict[str, Any] = {
    "event_precision": "none",
    "release_state": None,
    "opens": None,
    "closes": None,
}
DATE_KEYS = (("published", "published_precision"), ("event_start", "event_precision"))
INSTANT_KEYS = ("updated", "first_seen", "last_seen", "event_end", "withdrawn", "opens", "closes")


STRING_COLUMNS = ("event_precision", "release_state")
DATE_COLUMNS = ("published", "updated", "event_start", "event_end", "opens", "closes")


def _items_table(columns: set[str]) -> sa.TableClause:
    return sa.table(
        "items",
        sa.column("id", sa.Integer()),
        sa.column("title", sa.Text()),
        sa.column("url", sa.Text()),
        sa.column("summary", sa.Text()),
        sa.column("doc_type", sa.String()),
        sa.column("published_precision", sa.String()),
        sa.column("change_note", sa.Text()),
        sa.column("attachments", sa.JSON()),
        sa.column("links", sa.JSON()),
        sa.column("content_hash", sa.String()),
        *(sa.column(name, UTCDateTime()) for name in DATE_COLUMNS if name in columns),
        *(sa.column(name, sa.String()) for name in STRING_COLUMNS if name in columns),
    )


def _chunks(conn: sa.Connection, query: sa.Select[Any], id_column: Any) -> Iterator[list[Any]]:
    last = 0
    while True:
        rows = list(conn.execute(query.where(id_column > last).order_by(id_column).limit(CHUNK)))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def canonical_dates(values: Mapping[str, Any]) -> dict[str, datetime | None]:
    """The date columns of a row that are not in their stored form, with that form."""
    changed: dict[str, datetime | None] = {}
    pairs = [("published", values["published_precision"])]
    if "event_precision" in values:
        pairs.append(("event_start", values["event_precision"]))
    for name, precision in pairs:
        value = values[name]
        if value is None or precision not in CALENDAR:
            continue
        canonical = calendar_instant(value, Precision(precision))
        if canonical != value:
            changed[name] = canonical
    return changed


def _rewrite_items(conn: sa.Connection) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns("items")}
    items = _items_table(columns)
    calendar: sa.ColumnElement[bool] = items.c.published_precision.in_(CALENDAR)
    if "event_precision" in columns:
        calendar = sa.or_(calendar, items.c.event_precision.in_(CALENDAR))
    query = sa.select(*items.c).where(calendar)
    for rows in _chunks(conn, query, items.c.id):
        for row in rows:
            values = dict(row._mapping)
            changed = canonical_dates(values)
            if not changed:
                continue
            values.update(changed)
            complete = {**LATER_COLUMNS, **values}
            changed_hash = hash_substance(substance(complete))
            conn.execute(
                items.update()
                .where(items.c.id == row.id)
                .values(**changed, content_hash=changed_hash)
            )


def _instant(text: Any, write: Callable[[datetime], str]) -> Any:
    if not isinstance(text, str):
        return text
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return write(parsed)


def _utc_json(value: datetime) -> str:
    """How snapshots wrote instants before this revision."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def snapshot_in_new_form(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A revision snapshot with calendar dates as dates and instants in London time."""
    found = dict(snapshot)
    for name, precision_key in DATE_KEYS:
        if isinstance(found.get(name), str):
            precision = Precision(found.get(precision_key) or "none")
            found[name] = date_json(date_from_json(found[name], precision), precision)
    for name in INSTANT_KEYS:
        if name in found:
            found[name] = _instant(found[name], instant_json)
    return _with_provenance(found, instant_json)


def snapshot_in_old_form(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A revision snapshot with every datetime as a UTC instant, as before this revision."""
    found = dict(snapshot)
    for name, precision_key in DATE_KEYS:
        if isinstance(found.get(name), str):
            precision = Precision(found.get(precision_key) or "none")
            value = date_from_json(found[name], precision)
            found[name] = None if value is None else _utc_json(value)
    for name in INSTANT_KEYS:
        if name in found:
            found[name] = _instant(found[name], _utc_json)
    return _with_provenance(found, _utc_json)


def _with_provenance(found: dict[str, Any], write: Callable[[datetime], str]) -> dict[str, Any]:
    provenance = found.get("provenance")
    if isinstance(provenance, list):
        found["provenance"] = [
            {**s, "fetched_at": _instant(s.get("fetched_at"), write)} if isinstance(s, dict) else s
            for s in provenance
        ]
    return found


def _rewrite_snapshots(
    conn: sa.Connection, rewrite: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> None:
    revisions = sa.table(
        "revisions", sa.column("id", sa.Integer()), sa.column("snapshot", sa.JSON())
    )
    query = sa.select(revisions.c.id, revisions.c.snapshot)
    for rows in _chunks(conn, query, revisions.c.id):
        for row in rows:
            if not isinstance(row.snapshot, dict):
                continue
            rewritten = rewrite(row.snapshot)
            if rewritten != row.snapshot:
                conn.execute(
                    revisions.update().where(revisions.c.id == row.id).values(snapshot=rewritten)
                )


def rewrite_dates(conn: sa.Connection) -> None:
    """The upgrade on one connection: stored dates to their stored form, snapshots to the new
    JSON form. Safe to run again (it changes nothing the second time)."""
    _rewrite_items(conn)
    _rewrite_snapshots(conn, snapshot_in_new_form)


def upgrade() -> None:
    rewrite_dates(op.get_bind())


def downgrade() -> None:
    _rewrite_snapshots(op.get_bind(), snapshot_in_old_form)
