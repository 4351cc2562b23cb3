"""The fields of issue #17 (event precision, release state, opens, closes) are stored and read
back on each backend, and items without them keep the content hash they had before them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, Table, insert

from aggregator.schema import Attachment, DocType, Item, Link, Precision, Sighting
from aggregator.storage.db import make_engine, upgrade
from aggregator.storage.hashing import content_hash, normalise_whitespace
from aggregator.storage.repository import Repository
from aggregator.storage.rows import columns_from_item

T0 = datetime(2024, 5, 1, 8, tzinfo=UTC)
T1 = datetime(2024, 5, 14, 8, tzinfo=UTC)
T2 = datetime(2024, 5, 31, 8, tzinfo=UTC)
NEW_FIELDS = ("event_precision", "release_state", "opens", "closes")


def announcement(**changes: Any) -> Item:
    item = Item(
        key="gov.uk/government/statistics/announcements/children-in-need-2024",
        source="home_office",
        publisher="Department for Education",
        title="Children in need: 2024",
        url="https://www.gov.uk/government/statistics/announcements/children-in-need-2024",
        summary="Figures on children referred to and assessed by children's social care.",
        doc_type=DocType.STATISTICS_ANNOUNCEMENT,
        published=datetime(2024, 4, 2, 8, 30, tzinfo=UTC),
        published_precision=Precision.DAY,
        # "October 2024 (provisional)": London midnight on the first of the month, in UTC
        event_start=datetime(2024, 9, 30, 23, tzinfo=UTC),
        event_precision=Precision.MONTH,
        release_state="provisional",
        provenance=[Sighting("home_office", "https://www.gov.uk/api/search.json", T0)],
    )
    return dataclasses.replace(item, **changes)


def consultation(**changes: Any) -> Item:
    item = Item(
        key="gov.uk/government/consultations/keeping-children-safe-in-education-2024",
        source="home_office",
        publisher="Department for Education",
        title="Keeping children safe in education: proposed changes",
        url="https://www.gov.uk/government/consultations/keeping-children-safe-in-education-2024",
        summary="Views sought on changes to the statutory guidance for schools and colleges.",
        doc_type=DocType.CONSULTATION,
        published=datetime(2024, 5, 1, 9, tzinfo=UTC),
        published_precision=Precision.NONE,
        opens=datetime(2024, 5, 1, 9, tzinfo=UTC),
        closes=datetime(2024, 6, 12, 22, 59, tzinfo=UTC),
        attachments=[
            Attachment("Consultation document", "https://assets.publishing.service.gov.uk/c.pdf")
        ],
        links=[Link("Respond online", "https://consult.education.gov.uk/x")],
    )
    return dataclasses.replace(item, **changes)


def plain(**changes: Any) -> Item:
    """An item as every source stored before these fields existed."""
    item = Item(
        key="learning.nspcc.org.uk/research-resources/2024/x",
        source="nspcc",
        publisher="NSPCC",
        title="How safe are our children?  2024",
        url="https://learning.nspcc.org.uk/research-resources/2024/x",
        summary="An overview of the data.",
        doc_type=DocType.REPORT,
        published=datetime(2024, 3, 31, 23, tzinfo=UTC),
        published_precision=Precision.MONTH,
        event_start=datetime(2024, 5, 16, 16, tzinfo=UTC),
        attachments=[Attachment("Report (PDF)", "https://learning.nspcc.org.uk/r.pdf", None, 12)],
        links=[Link("Read more", "https://learning.nspcc.org.uk/more")],
        provenance=[Sighting("nspcc", "https://learning.nspcc.org.uk/feed", T0)],
    )
    return dataclasses.replace(item, **changes)


def reference_hash_before_0012(item: Item) -> str:
    """The content hash exactly as stored before migration 0012: its twelve fields only, in
    the encoding `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`."""

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat()

    found = {
        "title": normalise_whitespace(item.title),
        "url": item.url.strip(),
        "summary": normalise_whitespace(item.summary),
        "doc_type": item.doc_type.value,
        "published": iso(item.published),
        "published_precision": item.published_precision.value,
        "updated": iso(item.updated),
        "change_note": normalise_whitespace(item.change_note or "") or None,
        "event_start": iso(item.event_start),
        "event_end": iso(item.event_end),
        "attachments": [
            {"title": a.title, "url": a.url, "media_type": a.media_type, "size": a.size}
            for a in item.attachments
        ],
        "links": [{"label": link.label, "url": link.url} for link in item.links],
    }
    encoded = json.dumps(found, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# --- the hash --------------------------------------------------------------------------------


def test_an_item_without_the_new_fields_hashes_as_before() -> None:
    for item in (
        plain(),
        plain(event_start=None, attachments=[], links=[]),
        consultation(opens=None, closes=None),
    ):
        assert content_hash(item) == reference_hash_before_0012(item)
    # pinned, so a change to the reference above cannot pass unnoticed either
    assert content_hash(plain()) == reference_hash_before_0012(plain())
    assert len(content_hash(plain())) == 64


def test_each_new_field_when_set_changes_the_hash() -> None:
    base = content_hash(plain())
    variants = [
        plain(event_precision=Precision.DAY),
        plain(release_state="confirmed"),
        plain(opens=T0),
        plain(closes=T1),
    ]
    hashes = {content_hash(item) for item in variants}
    assert base not in hashes and len(hashes) == len(variants)
    # the same instant in another zone is the same substance
    london = T1.astimezone(ZoneInfo("Europe/London"))
    assert content_hash(plain(closes=london)) == content_hash(plain(closes=T1))


# --- storing and reading back ----------------------------------------------------------------


def test_new_fields_round_trip(repo: Repository) -> None:
    stored = [announcement(), consultation(), plain()]
    repo.upsert_items(stored, T0)
    for item in stored:
        found = repo.get_item(item.source, item.key)
        assert found is not None
        for name in NEW_FIELDS:
            assert getattr(found, name) == getattr(item, name), name
    cancelled = announcement(release_state="cancelled", change_note="Data not available.")
    [result] = repo.upsert_items([cancelled], T1)
    assert result.outcome == "updated"
    found = repo.get_item(cancelled.source, cancelled.key)
    assert found is not None and found.release_state == "cancelled"
    assert found.event_precision is Precision.MONTH


def test_recrawl_of_an_unchanged_item_is_unchanged(repo: Repository) -> None:
    items = [announcement(), consultation(), plain()]
    repo.upsert_items(items, T0)
    assert [r.outcome for r in repo.upsert_items(items, T1)] == ["unchanged"] * 3


def test_a_date_change_of_a_release_is_an_update(repo: Repository) -> None:
    [first] = repo.upsert_items([announcement()], T0)
    confirmed = announcement(
        event_start=datetime(2024, 10, 24, 8, 30, tzinfo=UTC),
        event_precision=Precision.NONE,
        release_state="confirmed",
    )
    [result] = repo.upsert_items([confirmed], T1)
    assert result.outcome == "updated"
    assert set(result.changed_fields) == {"event_start", "event_precision", "release_state"}
    revisions = repo.revisions(first.item_id)
    assert [r.kind for r in revisions] == ["new", "update"]
    assert revisions[-1].snapshot["release_state"] == "confirmed"
    assert revisions[0].snapshot["event_precision"] == "month"


def test_a_closing_date_change_is_recorded(repo: Repository) -> None:
    repo.upsert_items([consultation()], T0)
    [result] = repo.upsert_items(
        [consultation(closes=datetime(2024, 6, 19, 22, 59, tzinfo=UTC))], T1
    )
    # A moved closing date is news to an editor even without a change note.
    assert result.outcome == "updated"
    assert result.changed_fields == ("closes",)


def test_downgrading_0012_keeps_revisions(db_url: str) -> None:
    """Dropping the new columns must not rebuild `items` (SQLite would cascade-delete every
    revision through the foreign key, and drop the search-index triggers)."""
    from sqlalchemy import func, select

    from aggregator.storage.db import downgrade
    from aggregator.storage.tables import REVISIONS

    upgrade(db_url)
    repo = Repository.from_url(db_url)
    repo.upsert_items([consultation()], T0)
    repo.upsert_items([consultation(title="Consultation retitled")], T1)
    with repo.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(REVISIONS)).scalar_one()
    repo.close()
    assert before >= 1
    downgrade(db_url, "0011")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(REVISIONS)).scalar_one()
    engine.dispose()
    assert after == before
    upgrade(db_url)


# --- rows stored before migration 0012 -------------------------------------------------------


def test_rows_stored_before_0012_read_back_and_stay_unchanged(db_url: str) -> None:
    """A row written at revision 0010 (no new columns) reads back with the empty values, and
    the same item crawled again after the upgrade is "unchanged": its stored hash still holds."""
    upgrade(db_url, "0010")
    old = plain()
    engine = make_engine(db_url)
    try:
        items = Table("items", MetaData(), autoload_with=engine)
        values = {k: v for k, v in columns_from_item(old).items() if k not in NEW_FIELDS}
        values.update(first_seen=T0, last_seen=T0, content_hash=reference_hash_before_0012(old))
        with engine.begin() as conn:
            conn.execute(insert(items).values(**values))
    finally:
        engine.dispose()

    upgrade(db_url)
    repo = Repository.from_url(db_url)
    try:
        found = repo.get_item(old.source, old.key)
        assert found is not None
        assert found.event_precision is Precision.NONE
        assert (found.release_state, found.opens, found.closes) == (None, None, None)
        [result] = repo.upsert_items([old], T2)
        assert result.outcome == "unchanged"
        assert result.changed_fields == ()
    finally:
        repo.engine.dispose()
