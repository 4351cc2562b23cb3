"""Typed SQLAlchemy 2.x models: the storage schema (ARCHITECTURE 1 Store, 2 item).

The `items` table holds exactly the fields of `aggregator.schema.Item` that a crawl writes;
aliases and provenance live in their own tables. Review state lives in `reviews`, beside the
item, so a crawl can never overwrite an editor's decision. Migrations in
`aggregator/migrations/` create this schema; a test checks the two stay identical.

Only portable types are used (JSON for lists, `DateTime(timezone=True)`), so the same models
work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REVIEW_STATUSES = ("new", "approved", "rejected", "deferred")
REVISION_KINDS = ("new", "update", "cosmetic")
# "interrupted": a run whose process died, found by its lapsed heartbeat (storage/runs.py).
RUN_STATUSES = ("running", "ok", "partial", "failed", "empty", "interrupted")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    Binds: an aware datetime is converted to UTC (a naive one is refused, since the schema
    promises aware UTC everywhere). Results: SQLite drops the offset, so a naive value read
    back is UTC by construction and gets `tzinfo=UTC`; an aware one is converted to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: storage needs timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # defensive: raw SQLite text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ItemRow(Base):
    """One publication as last crawled (the crawl-owned fields of `Item`)."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source", "key"),
        Index("ix_items_first_seen", "first_seen"),
        Index("ix_items_source_first_seen", "source", "first_seen"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[str]] = mapped_column(JSON)
    nations: Mapped[list[str]] = mapped_column(JSON)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_precision: Mapped[str] = mapped_column(String(10))
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    change_note: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    event_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    event_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Migration 0012: how much of event_start is known, a statistics release's state, and a
    # consultation's or call for evidence's opening and closing (rows stored before it read
    # "none" and nulls, which is what an item without them holds).
    event_precision: Mapped[str] = mapped_column(String(10), server_default="none")
    release_state: Mapped[str | None] = mapped_column(String(20))
    opens: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Withdrawn or gone upstream (a GOV.UK withdrawal, a 404/410): when first seen so, and why.
    withdrawn: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class AliasRow(Base):
    """Another identity of an item within its source ("govuk-content-id:<uuid>", "key:<old>")."""

    __tablename__ = "item_aliases"
    __table_args__ = (
        UniqueConstraint("source", "alias"),
        Index("ix_item_aliases_item_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(100))
    alias: Mapped[str] = mapped_column(Text)


class SightingRow(Base):
    """Provenance: a (source, url) where the item was fetched, first and last time."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("item_id", "source", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    first_fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RevisionRow(Base):
    """A recorded version of an item: kind "new" on first sight, "update" on each change."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(10))
    change_note: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_fields: Mapped[list[str]] = mapped_column(JSON)


class ReviewRow(Base):
    """The editors' state of an item. A crawl only ever sets `needs_review`."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_status", "status"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10), default="new")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(Text)
    edited_title: Mapped[str | None] = mapped_column(Text)
    edited_summary: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(Text)
    # An editor may keep a withdrawn item in bulletins and feeds.
    include_withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)


class CrawlRunRow(Base):
    """One crawl of one source, with its counts (feeds source health)."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started_at", "source", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    # The crawl's last sign of life (aggregator.fetch.crawl_record beats while it runs): a
    # "running" run whose heartbeat lapsed died without a record and is marked interrupted.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    responses_by_status: Mapped[dict[str, int]] = mapped_column(JSON)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    items_dropped: Mapped[int] = mapped_column(Integer, default=0)
    dropped_reasons: Mapped[dict[str, int]] = mapped_column(JSON)
    errors: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # {field: {extraction layer: pages}} of the pages the run read (spiders/layers.py); null
    # for runs recorded before layers were counted.
    field_layers: Mapped[dict[str, dict[str, int]] | None] = mapped_column(JSON, nullable=True)


class ClassificationRow(Base):
    """The classification of an item and its evidence (aggregator.classify.rules), beside the item.

    Written by the crawl for every item it stores and by `aggregator classify --all`; never by
    editors, and never touching `reviews`. `text`, `type_hint` and `nation_hints` are what the
    rules read beyond the item, kept so the rules can be re-run after the vocabulary changes.
    """

    __tablename__ = "classifications"
    __table_args__ = (Index("ix_classifications_relevant", "relevant"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    doc_type: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[str]] = mapped_column(JSON)
    nations: Mapped[list[str]] = mapped_column(JSON)
    relevance: Mapped[float] = mapped_column(Float)
    relevant: Mapped[bool] = mapped_column(Boolean)
    # Under the threshold but in the vocabulary's borderline band: shown in the queue, marked
    # (migration 0014; rows classified before read false until `aggregator classify --all`).
    borderline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    vocabulary_version: Mapped[str] = mapped_column(String(64))
    classified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    type_hint: Mapped[str | None] = mapped_column(Text)
    nation_hints: Mapped[list[str]] = mapped_column(JSON)


class ClusterRow(Base):
    """One publication reached through several sources (ARCHITECTURE 1, identify & dedupe).

    `publisher_item_id` is the member whose publisher published it (the publisher of record);
    the other members are its provenance ("via NSPCC").
    """

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publisher_item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClusterMemberRow(Base):
    """An item's place in a cluster, with why it was merged (the match that brought it in)."""

    __tablename__ = "cluster_members"
    __table_args__ = (Index("ix_cluster_members_cluster_id", "cluster_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"))
    matched_item_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClusterSplitRow(Base):
    """A pair an editor split apart: never merged again by a later crawl."""

    __tablename__ = "cluster_splits"
    __table_args__ = (UniqueConstraint("item_a", "item_b", name="uq_cluster_splits_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_a: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    item_b: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    split_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str | None] = mapped_column(String(200))


class ReviewEventRow(Base):
    """The audit record: every editor action on an item (who, when, what, and the state before
    it, so it can be undone)."""

    __tablename__ = "review_events"
    __table_args__ = (Index("ix_review_events_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ExportConsumerRow(Base):
    """A downstream tool that polls `aggregator export --consumer NAME`, and who is exporting
    to it now (a lease, so two exports never send it the same items: migration 0010)."""

    __tablename__ = "export_consumers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExportDeliveryRow(Base):
    """An item a consumer has been sent (recorded only once the output was fully written)."""

    __tablename__ = "export_deliveries"
    __table_args__ = (UniqueConstraint("consumer", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer: Mapped[str] = mapped_column(ForeignKey("export_consumers.name", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HttpStateRow(Base):
    """What the crawler last received from a fixed URL: validators for a conditional GET, and
    for a detail page the listing's view of it when it was last fetched."""

    __tablename__ = "http_state"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    listing_signature: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceStateRow(Base):
    """A source's schedule: when it last ran, who holds it now (a lease, so overlapping
    `crawl --due` runs never crawl it twice at once) and any backoff."""

    __tablename__ = "source_state"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- the review app (aggregator/review/, migration 0007) -------------------------------------
# Full-text search is not a model: on SQLite the FTS5 table `items_fts` (new rows indexed by
# the repository since migration 0009, changes and deletions by triggers), on PostgreSQL the
# GIN index `ix_items_fts`; both are made by migration 0007.

USER_ROLES = ("editor", "viewer")
BULLETIN_STATUSES = ("draft", "published")


class UserRow(Base):
    """An account of the review app: an editor may change things, a viewer only looks."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # when the editor last opened the queue: what arrived after it is "new since you looked"
    last_seen_queue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BulletinRow(Base):
    """A bulletin: a draft the editors compose, then published (frozen: its rendered HTML and
    Markdown and its item list never change again)."""

    __tablename__ = "bulletins"
    __table_args__ = (Index("ix_bulletins_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)  # exclusive
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rendered_html: Mapped[str | None] = mapped_column(Text)
    rendered_markdown: Mapped[str | None] = mapped_column(Text)
    section_order: Mapped[list[str]] = mapped_column(JSON)
    # migration 0017: the issue line under the title, per-section introductions and "via"
    # wording, and the number of the latest published revision (0 until first published)
    issue_line: Mapped[str | None] = mapped_column(Text)
    section_intros: Mapped[dict[str, str] | None] = mapped_column(JSON)
    section_via: Mapped[dict[str, str] | None] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # a published bulletin reopened for a correction: it stays "published" (its last revision
    # is what went out, and stays public) while the editors change it
    correcting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # migration 0018: how unchecked machine drafts are shown, "label" or "publisher"
    unchecked_drafts: Mapped[str] = mapped_column(
        String(16), default="label", server_default="label"
    )


class BulletinItemRow(Base):
    """An item in a bulletin: its section, its place in the section, and the summary the
    editor wrote for this bulletin (else the item's own)."""

    __tablename__ = "bulletin_items"
    __table_args__ = (Index("ix_bulletin_items_item_id", "item_id"),)

    bulletin_id: Mapped[int] = mapped_column(
        ForeignKey("bulletins.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    summary_override: Mapped[str | None] = mapped_column(Text)
    # migration 0017: the editor's extra links ([{label, url}]) and the URLs of the item's
    # own attachments, links and "via" lines the editor left out of this entry
    extra_links: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    hidden_urls: Mapped[list[str] | None] = mapped_column(JSON)


class BulletinRevisionRow(Base):
    """One publication of a bulletin: revision 1 is the first, each correction adds one. Every
    export format is stored as rendered then, so an export of it never changes; who published
    it, why (a correction's note) and the open checklist points they confirmed are the audit."""

    __tablename__ = "bulletin_revisions"

    bulletin_id: Mapped[int] = mapped_column(
        ForeignKey("bulletins.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[list[str]] = mapped_column(JSON)
    item_ids: Mapped[list[int]] = mapped_column(JSON)
    renderings: Mapped[dict[str, str]] = mapped_column(JSON)


# The review app's "updated after a decision" list: decided items that need review again.
# Two partial indexes of the same few rows, so each planner knows how few they are: SQLite
# seeks the first, PostgreSQL reads the second in item order. The query repeats the condition.
REQUEUED_CONDITION = "needs_review {} AND status IN ('approved', 'deferred')"
for _name, _columns in (
    ("ix_reviews_requeued", (ReviewRow.needs_review, ReviewRow.status)),
    ("ix_reviews_requeued_item_id", (ReviewRow.item_id,)),
):
    Index(
        _name,
        *_columns,
        postgresql_where=text(REQUEUED_CONDITION.format("= true")),
        sqlite_where=text(REQUEUED_CONDITION.format("= 1")),
    )


# --- draft summaries (aggregator/drafts.py, aggregator/storage/drafts.py, migration 0008) -----


class ItemTextRow(Base):
    """An item's main text (the detail page's article text, or GOV.UK's Content API body),
    paragraphs and list items one per line: what drafts are built from.

    Kept apart from `items` because only drafts read it and it is large; written by the crawl
    when a page was fetched and said something (a crawl that saw only a listing or a 304 never
    blanks it)."""

    __tablename__ = "item_texts"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    main_text: Mapped[str] = mapped_column(Text)
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DraftRow(Base):
    """The machine-drafted bulletin summary of an item and its sensitivity flag.

    Apart from the publisher's description (`items.summary`) and the editor's text
    (`reviews.edited_summary`): a redraft never touches either. `draft` is `Draft.to_json()`
    (with the sentences it used); `text`, `words`, `hit_limit` and `sensitive` repeat parts of
    it as columns so lists and counts need no JSON decoding."""

    __tablename__ = "drafts"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    word_limit: Mapped[int] = mapped_column(Integer)
    words: Mapped[int] = mapped_column(Integer)
    hit_limit: Mapped[bool] = mapped_column(Boolean)
    sensitive: Mapped[bool] = mapped_column(Boolean)
    sensitivity: Mapped[dict[str, Any]] = mapped_column(JSON)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppSettingRow(Base):
    """A setting editors change in the review app (one row per key, e.g. `draft_word_limit`),
    with who changed it last."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(200))


# --- the review app's sessions and login throttling (migration 0015) ------------------------

LOGIN_THROTTLE_SCOPES = ("account", "address")


class ReviewSessionRow(Base):
    """A logged-in session of the review app. The browser's cookie holds only a random token;
    `id` is its SHA-256, so a copy of this table logs nobody in. Logout, a new password and a
    disabled account delete the row; idle and absolute expiry end it at the next request."""

    __tablename__ = "review_sessions"
    __table_args__ = (Index("ix_review_sessions_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # absolute, however active
    # what the app keeps per session: its CSRF token, flash messages, the queue's baseline
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class LoginFailureRow(Base):
    """Failed logins counted per account (a username, existing or not) and per client address:
    the count sets how long the next attempt must wait."""

    __tablename__ = "login_failures"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginLockoutRow(Base):
    """The audit record of login lockouts: each failure that made an account or an address
    wait, with the address that failed and until when."""

    __tablename__ = "login_lockouts"
    __table_args__ = (Index("ix_login_lockouts_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime)
