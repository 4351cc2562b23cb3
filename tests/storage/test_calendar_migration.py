"""Migration 0011: calendar dates get their one stored form, snapshots their JSON form, and a
crawl after migrating finds every item unchanged (issue #17, defect 9)."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from aggregator.schema import Item, Precision, Sighting
from aggregator.storage.db import downgrade, make_engine, upgrade
from aggregator.storage.hashing import content_hash, hash_substance, substance
from aggregator.storage.models import UTCDateTime
from aggregator.storage.repository import Repository
from aggregator.storage.rows import columns_from_item

MIGRATION = importlib.import_module("aggregator.migrations.versions.0011_calendar_dates")

T0 = datetime(2024, 6, 1, 8, tzinfo=UTC)
T1 = datetime(2024, 6, 2, 8, tzinfo=UTC)
T2 = datetime(2024, 6, 9, 8, tzinfo=UTC)


def page(slug: str, published: datetime, precision: Precision, **changes: Any) -> Item:
    item = Item(
        key=f"learning.nspcc.org.uk/{slug}",
        source="nspcc",
        publisher="NSPCC",
        title=f"Page {slug}",
        url=f"https://learning.nspcc.org.uk/{slug}",
        published=published,
        published_precision=precision,
        provenance=[Sighting("nspcc", "https://learning.nspcc.org.uk/news", T0)],
    )
    return dataclasses.replace(item, **changes)


# What a parser gives, as the code before 0011 stored it. Two were stored in another form
# than London midnight: a summer date at UTC midnight and a month at UTC midnight.
UTC_MIDNIGHT_DAY = datetime(2024, 5, 31, tzinfo=UTC)
UTC_MIDNIGHT_MONTH = datetime(2024, 4, 1, tzinfo=UTC)
CORPUS = [
    ("summer-day", UTC_MIDNIGHT_DAY, Precision.DAY),
    ("april", UTC_MIDNIGHT_MONTH, Precision.MONTH),
    ("london-day", datetime(2024, 5, 30, 23, tzinfo=UTC), Precision.DAY),
    ("winter-day", datetime(2024, 1, 15, tzinfo=UTC), Precision.DAY),
    ("timed", datetime(2024, 5, 30, 23, 1, tzinfo=UTC), Precision.DAY),
    ("year", datetime(2023, 1, 1, tzinfo=UTC), Precision.YEAR),
]
LEGACY = {"summer-day": UTC_MIDNIGHT_DAY, "april": UTC_MIDNIGHT_MONTH}
CANONICAL = {
    "summer-day": datetime(2024, 5, 30, 23, tzinfo=UTC),
    "april": datetime(2024, 3, 31, 23, tzinfo=UTC),
    "london-day": datetime(2024, 5, 30, 23, tzinfo=UTC),
    "winter-day": datetime(2024, 1, 15, tzinfo=UTC),
    "timed": datetime(2024, 5, 30, 23, 1, tzinfo=UTC),
    "year": datetime(2023, 1, 1, tzinfo=UTC),
}


def crawl() -> list[Item]:
    """One crawl's items; "timed" was retitled after its first sighting (so it has revisions)."""
    found = [page(slug, value, precision) for slug, value, precision in CORPUS]
    return [dataclasses.replace(i, title="Retitled") if "timed" in i.key else i for i in found]


ITEMS = sa.table(
    "items",
    sa.column("id", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("published", UTCDateTime()),
    sa.column("content_hash", sa.String()),
)
REVISIONS = sa.table("revisions", sa.column("id", sa.Integer()), sa.column("snapshot", sa.JSON()))


def rows(url: str) -> Iterator[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            yield from conn.execute(sa.select(ITEMS).order_by(ITEMS.c.id)).all()
    finally:
        engine.dispose()


def snapshots(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [r.snapshot for r in conn.execute(sa.select(REVISIONS.c.snapshot))]
    finally:
        engine.dispose()


def store(url: str) -> None:
    """Two crawls stored by the current code: every row in its stored form, two revisions."""
    upgrade(url)
    repo = Repository.from_url(url)
    try:
        first = [page(slug, value, precision) for slug, value, precision in CORPUS]
        assert [r.outcome for r in repo.upsert_items(first, T0)] == ["new"] * len(CORPUS)
        assert sorted(r.outcome for r in repo.upsert_items(crawl(), T1))[-1] == "updated"
    finally:
        repo.close()


def make_legacy(conn: sa.Connection, *, snapshots_too: bool) -> None:
    """Rows, hashes (and snapshots) as the code before 0011 wrote them."""
    for slug, value in LEGACY.items():
        item = next(i for i in crawl() if i.key.endswith(slug))
        # the hash the code before 0011 stored: of the value it was given
        legacy_hash = hash_substance(substance(columns_from_item(item) | {"published": value}))
        conn.execute(
            ITEMS.update()
            .where(ITEMS.c.key == item.key)
            .values(published=value, content_hash=legacy_hash)
        )
    if snapshots_too:
        for row in conn.execute(sa.select(REVISIONS.c.id, REVISIONS.c.snapshot)).all():
            old = MIGRATION.snapshot_in_old_form(row.snapshot)
            conn.execute(REVISIONS.update().where(REVISIONS.c.id == row.id).values(snapshot=old))


def check_rows(url: str, before: dict[str, Any]) -> dict[str, Any]:
    after = {r.key.rsplit("/", 1)[1]: r for r in rows(url)}
    assert {slug: r.published for slug, r in after.items()} == CANONICAL
    for slug, row in after.items():
        item = next(i for i in crawl() if i.key.endswith(slug))
        assert row.content_hash == content_hash(item), slug
    # rows already in their stored form keep their hash byte for byte
    for slug in ("london-day", "winter-day", "timed", "year"):
        assert after[slug].content_hash == before[slug].content_hash
    return after


def check_recrawl(url: str) -> None:
    """The next crawl, of the very same upstream data, finds nothing changed."""
    repo = Repository.from_url(url)
    try:
        results = repo.upsert_items(crawl(), T2)
        assert [r.outcome for r in results] == ["unchanged"] * len(CORPUS)
        stored = {s.item.key.rsplit("/", 1)[1]: s.item for s in repo.list_items(source="nspcc")}
        assert stored["summer-day"].to_json()["published"] == "2024-05-31"
        assert stored["april"].to_json()["published"] == "2024-04"
    finally:
        repo.close()


def by_slug(url: str) -> dict[str, Any]:
    return {r.key.rsplit("/", 1)[1]: r for r in rows(url)}


def test_0011_through_alembic_and_a_crawl_after_it_changes_nothing(db_url: str) -> None:
    store(db_url)
    downgrade(db_url, "0010")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            make_legacy(conn, snapshots_too=False)
    finally:
        engine.dispose()
    before = by_slug(db_url)
    assert before["summer-day"].published == UTC_MIDNIGHT_DAY
    upgrade(db_url)
    after = check_rows(db_url, before)
    # idempotent: down and up again changes nothing
    downgrade(db_url, "0010")
    upgrade(db_url)
    assert [tuple(r) for r in rows(db_url)] == [tuple(r) for r in after.values()]
    check_recrawl(db_url)


def test_0011_rewrites_snapshots_and_is_idempotent(db_url: str) -> None:
    store(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            make_legacy(conn, snapshots_too=True)
        before = by_slug(db_url)
        old = snapshots(db_url)
        assert {s["published"] for s in old} == {"2024-05-30T23:01:00Z"}
        with engine.begin() as conn:
            MIGRATION.rewrite_dates(conn)
        after = check_rows(db_url, before)
        new = snapshots(db_url)
        assert len(new) == 2
        assert {s["published"] for s in new} == {"2024-05-31T00:01:00+01:00"}
        assert all(s["first_seen"].endswith("+01:00") for s in new)
        assert all(p["fetched_at"].endswith("+01:00") for s in new for p in s["provenance"])
        with engine.begin() as conn:
            MIGRATION.rewrite_dates(conn)
        assert [tuple(r) for r in rows(db_url)] == [tuple(r) for r in after.values()]
        assert snapshots(db_url) == new
    finally:
        engine.dispose()
    check_recrawl(db_url)
    repo = Repository.from_url(db_url)
    try:
        [timed] = [s for s in repo.list_items(source="nspcc") if s.item.title == "Retitled"]
        revisions = repo.revisions(timed.id)
        assert [r.kind for r in revisions] == ["new", "update"]
        # a diff across the rewrite compares like with like: only the title changed
        assert repo.diff(revisions[-1].id or 0) == ["title: 'Page timed' → 'Retitled'"]
    finally:
        repo.close()


def test_canonical_dates_names_only_what_is_not_in_stored_form() -> None:
    day = {"published_precision": "day"}
    assert MIGRATION.canonical_dates(day | {"published": UTC_MIDNIGHT_DAY}) == {
        "published": CANONICAL["summer-day"]
    }
    assert MIGRATION.canonical_dates(day | {"published": CANONICAL["summer-day"]}) == {}
    assert MIGRATION.canonical_dates({"published_precision": "none", "published": None}) == {}
    with_event = day | {
        "published": None,
        "event_precision": "month",
        "event_start": datetime(2024, 11, 5, 9, 30, tzinfo=UTC),
    }
    assert MIGRATION.canonical_dates(with_event) == {
        "event_start": datetime(2024, 11, 1, tzinfo=UTC)
    }


def test_snapshot_forms_round_trip() -> None:
    old = {
        "published": "2024-03-31T23:00:00Z",
        "published_precision": "month",
        "updated": "2024-05-09T09:15:00Z",
        "first_seen": "2024-05-31T08:00:00Z",
        "event_start": None,
        "provenance": [{"source": "x", "url": "u", "fetched_at": "2024-05-31T08:00:00.5Z"}],
    }
    new = MIGRATION.snapshot_in_new_form(old)
    assert new == {
        "published": "2024-04",
        "published_precision": "month",
        "updated": "2024-05-09T10:15:00+01:00",
        "first_seen": "2024-05-31T09:00:00+01:00",
        "event_start": None,
        "provenance": [
            {"source": "x", "url": "u", "fetched_at": "2024-05-31T09:00:00.500000+01:00"}
        ],
    }
    assert MIGRATION.snapshot_in_new_form(new) == new
    back = MIGRATION.snapshot_in_old_form(new)
    assert back == old | {
        "provenance": [{"source": "x", "url": "u", "fetched_at": "2024-05-31T08:00:00.500000Z"}]
    }
