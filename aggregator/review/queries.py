"""Read-only queries of the review app: the editors' queue and source health.

The queue's full-text search is `aggregator.review.search`.

Everything here reads through the repository's engine; every write to items and reviews goes
through `Repository` (review, edit, undo, split), and users and bulletins are written by
`aggregator.storage.users.UserStore` and `aggregator.storage.bulletins.BulletinStore`.

The queue is ordered by the day an item was found (Europe/London), newest day first; within a
day by source, then relevance (strongest first), then id. It is paged by keyset: a cursor holds
the last row's (day, source, relevance, id). A page reads one London day at a time: the rows of
that day after the cursor (a range of the `first_seen` index, sorted in the database), then
the next earlier day that has a matching row (one step down the same index). A page costs the
same on page 1 and on page 2,000, with 100 items or 100,000.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)

from aggregator.normalise.dates import LONDON
from aggregator.review.search import TextSearch, search_terms
from aggregator.storage.repository import Repository
from aggregator.storage.tables import CLASSIFICATIONS, ITEMS, REVIEWS, REVISIONS, RUNS
from aggregator.storage.values import CrawlRun

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
QUEUE_STATUSES = ("queue", "new", "approved", "rejected", "deferred", "all")
RELEVANCE_CHOICES = ("relevant", "irrelevant", "all")
STATUS_WORDS = {"queue": "to triage", "all": "any status"}
RELEVANCE_WORDS = {
    "relevant": "safeguarding and borderline",
    "irrelevant": "probably not safeguarding",
}
PINNED_STATUSES = ("approved", "deferred")
"""A decided item that needs review again (a rejected one never does): pinned above the queue."""
UNCLASSIFIED = -1.0
"""The relevance an item never classified sorts by (after every classified one)."""

_status = func.coalesce(REVIEWS.c.status, "new")
_needs_review = func.coalesce(REVIEWS.c.needs_review, true())
_relevance = func.coalesce(CLASSIFICATIONS.c.relevance, UNCLASSIFIED)


# --- filters and cursor ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What the editor asked the queue for (all optional; the default is the triage queue of
    items that need review and are about safeguarding)."""

    status: str = "queue"
    relevance: str = "relevant"
    min_relevance: float | None = None
    source: str | None = None
    doc_type: str | None = None
    topic: str | None = None
    nation: str | None = None
    found_from: date | None = None  # London days, inclusive
    found_to: date | None = None
    q: str | None = None
    since: datetime | None = None  # only what arrived or changed after this (the last look)

    def __post_init__(self) -> None:
        if self.status not in QUEUE_STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.relevance not in RELEVANCE_CHOICES:
            raise ValueError(f"unknown relevance filter {self.relevance!r}")

    @property
    def is_default_queue(self) -> bool:
        return self == QueueFilters(since=self.since) and self.since is None

    @property
    def search_words(self) -> list[str]:
        """The words the search looks for (empty: no search)."""
        return search_terms(self.q or "")

    def described(self) -> list[str]:
        """What the queue shows besides the search, in words ("to triage", "from nspcc"), for
        the messages that say what was searched."""
        said = [STATUS_WORDS.get(self.status, self.status)]
        if self.relevance != "all":
            said.append(RELEVANCE_WORDS[self.relevance])
        if self.min_relevance is not None:
            said.append(f"relevance at least {self.min_relevance:.2f}")
        said += [
            f"{label} {value}"
            for label, value in (
                ("from", self.source),
                ("type", self.doc_type.replace("_", " ") if self.doc_type else None),
                ("topic", self.topic),
                ("nation", self.nation),
                ("found from", self.found_from.strftime("%d %B %Y") if self.found_from else None),
                ("found up to", self.found_to.strftime("%d %B %Y") if self.found_to else None),
            )
            if value
        ]
        if self.since is not None:
            said.append("new since your last look")
        return said


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: the next page starts after it."""

    day: date
    source: str
    relevance: float
    item_id: int

    def encode(self) -> str:
        raw = json.dumps([self.day.isoformat(), self.source, self.relevance, self.item_id])
        return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Raises ValueError for a token this app did not make."""
        try:
            padded = token + "=" * (-len(token) % 4)
            day, source, relevance, item_id = json.loads(base64.urlsafe_b64decode(padded))
            return cls(date.fromisoformat(day), str(source), float(relevance), int(item_id))
        except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as error:
            raise ValueError(f"bad cursor: {error}") from None


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue (the editor's title and summary where they made one)."""

    id: int
    source: str
    publisher: str
    title: str
    summary: str
    url: str
    doc_type: str
    topics: list[str]
    nations: list[str]
    published: datetime | None
    published_precision: str
    updated: datetime | None
    first_seen: datetime
    withdrawn: datetime | None
    status: str
    needs_review: bool
    reason: str | None
    relevance: float | None
    relevant: bool | None
    edited: bool
    borderline: bool = False  # under the threshold, in the borderline band: shown, marked
    summary_edited: bool = False
    """The editor wrote the summary (else `summary` is the publisher's description, and the
    queue shows the item's draft in its place when there is one)."""
    # a statistics release's date and state (the queue marks it "due" or "cancelled"), and
    # when a consultation or call for evidence closes
    event_start: datetime | None = None
    event_end: datetime | None = None
    event_precision: str = "none"
    release_state: str | None = None
    closes: datetime | None = None

    @property
    def day(self) -> date:
        return london_day(self.first_seen)

    @property
    def sort_relevance(self) -> float:
        return UNCLASSIFIED if self.relevance is None else self.relevance


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: Cursor | None
    pinned: list[QueueRow] = field(default_factory=list)

    def groups(self) -> list[tuple[date, str, list[QueueRow]]]:
        """The rows grouped by (day, source), in page order."""
        found: list[tuple[date, str, list[QueueRow]]] = []
        for row in self.rows:
            if found and found[-1][0] == row.day and found[-1][1] == row.source:
                found[-1][2].append(row)
            else:
                found.append((row.day, row.source, [row]))
        return found


# --- London days ----------------------------------------------------------------------------


def london_day(value: datetime) -> date:
    return value.astimezone(LONDON).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a London day starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    return start, end


def week_commencing(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


# --- the queue ------------------------------------------------------------------------------


def _json_has(conn: Connection, col: Any, value: str) -> ColumnElement[bool]:
    """A JSON list column holds `value`."""
    if conn.dialect.name == "postgresql":
        clause = text(
            f"CAST(items.{col.name} AS JSONB) @> CAST(:{col.name}_v AS JSONB)"
        ).bindparams(**{f"{col.name}_v": json.dumps([value])})
        return cast(ColumnElement[bool], clause)
    each = func.json_each(col).table_valued("value").alias(f"{col.name}_each")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == value))


def _conditions(
    conn: Connection, filters: QueueFilters, *, pinned: bool = False
) -> list[ColumnElement[bool]]:
    """The filters as SQL conditions, all but the text search (`TextSearch`)."""
    found: list[ColumnElement[bool]] = []
    if pinned:  # decided, then changed upstream: the condition of the index ix_reviews_requeued
        found += [
            REVIEWS.c.needs_review == true(),
            REVIEWS.c.status.in_([literal_column(f"'{s}'") for s in PINNED_STATUSES]),
        ]
    elif filters.status == "queue":
        found += [_needs_review == true(), _status == "new"]
    elif filters.status != "all":
        found.append(_status == filters.status)
    if filters.relevance == "relevant":
        # Borderline items are shown with the safeguarding ones (marked), never hidden.
        found.append(
            or_(
                func.coalesce(CLASSIFICATIONS.c.relevant, true()) == true(),
                CLASSIFICATIONS.c.borderline == true(),
            )
        )
    elif filters.relevance == "irrelevant":
        found += [CLASSIFICATIONS.c.relevant == false(), CLASSIFICATIONS.c.borderline == false()]
    if filters.min_relevance is not None:
        found.append(CLASSIFICATIONS.c.relevance >= filters.min_relevance)
    if filters.source:
        found.append(ITEMS.c.source == filters.source)
    if filters.doc_type:
        found.append(ITEMS.c.doc_type == filters.doc_type)
    if filters.topic:
        found.append(_json_has(conn, ITEMS.c.topics, filters.topic))
    if filters.nation:
        found.append(_json_has(conn, ITEMS.c.nations, filters.nation))
    if filters.found_from:
        found.append(ITEMS.c.first_seen >= day_bounds(filters.found_from)[0])
    if filters.found_to:
        found.append(ITEMS.c.first_seen < day_bounds(filters.found_to)[1])
    if filters.since is not None:
        changed = exists(
            select(literal_column("1")).where(
                REVISIONS.c.item_id == ITEMS.c.id,
                REVISIONS.c.kind == "update",
                REVISIONS.c.seen_at > filters.since,
            )
        )
        found.append(or_(ITEMS.c.first_seen > filters.since, changed))
    return found


_ROW_COLUMNS = (
    ITEMS.c.id,
    ITEMS.c.source,
    ITEMS.c.publisher,
    ITEMS.c.title,
    ITEMS.c.summary,
    ITEMS.c.url,
    ITEMS.c.doc_type,
    ITEMS.c.topics,
    ITEMS.c.nations,
    ITEMS.c.published,
    ITEMS.c.published_precision,
    ITEMS.c.updated,
    ITEMS.c.first_seen,
    ITEMS.c.withdrawn,
    ITEMS.c.event_start,
    ITEMS.c.event_end,
    ITEMS.c.event_precision,
    ITEMS.c.release_state,
    ITEMS.c.closes,
    _status.label("review_status"),
    _needs_review.label("review_needed"),
    REVIEWS.c.reason,
    REVIEWS.c.edited_title,
    REVIEWS.c.edited_summary,
    CLASSIFICATIONS.c.relevance,
    CLASSIFICATIONS.c.relevant,
    CLASSIFICATIONS.c.borderline,
)


def _joined(stmt: Select[Any]) -> Select[Any]:
    return stmt.select_from(
        ITEMS.outerjoin(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id).outerjoin(
            CLASSIFICATIONS, CLASSIFICATIONS.c.item_id == ITEMS.c.id
        )
    )


def _row(values: Any) -> QueueRow:
    return QueueRow(
        id=values.id,
        source=values.source,
        publisher=values.publisher,
        title=values.edited_title or values.title,
        summary=values.edited_summary or values.summary,
        url=values.url,
        doc_type=values.doc_type,
        topics=list(values.topics or []),
        nations=list(values.nations or []),
        published=values.published,
        published_precision=values.published_precision,
        updated=values.updated,
        first_seen=values.first_seen,
        withdrawn=values.withdrawn,
        status=values.review_status,
        needs_review=bool(values.review_needed),
        reason=values.reason,
        relevance=None if values.relevance is None else float(values.relevance),
        relevant=None if values.relevant is None else bool(values.relevant),
        borderline=bool(values.borderline),
        edited=bool(values.edited_title or values.edited_summary),
        summary_edited=bool(values.edited_summary),
        event_start=values.event_start,
        event_end=values.event_end,
        event_precision=values.event_precision,
        release_state=values.release_state,
        closes=values.closes,
    )


def queue_page(
    repo: Repository,
    filters: QueueFilters,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue after `cursor` (see the module docstring for the order)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows: list[QueueRow] = []
    with repo.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # A page reads a few rows down an index; a parallel plan starts workers that each
            # scan (and, when searching, parse) far more rows than the page needs.
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        search = TextSearch(conn, filters.q or "")
        conditions = [*_conditions(conn, filters), search.condition()]
        day = cursor.day if cursor is not None else _latest_day(conn, conditions, None)
        while day is not None and len(rows) <= limit:
            start, end = day_bounds(day)
            stmt = _joined(select(*_ROW_COLUMNS)).where(
                *conditions[:-1],
                search.day_condition(conn, start, end),
                ITEMS.c.first_seen >= start,
                ITEMS.c.first_seen < end,
            )
            if cursor is not None and cursor.day == day:
                stmt = stmt.where(
                    or_(
                        ITEMS.c.source > cursor.source,
                        and_(
                            ITEMS.c.source == cursor.source,
                            or_(
                                _relevance < cursor.relevance,
                                and_(_relevance == cursor.relevance, ITEMS.c.id < cursor.item_id),
                            ),
                        ),
                    )
                )
            stmt = stmt.order_by(ITEMS.c.source, _relevance.desc(), ITEMS.c.id.desc()).limit(
                limit + 1 - len(rows)
            )
            rows.extend(_row(values) for values in conn.execute(stmt))
            if len(rows) > limit:
                break
            day = _latest_day(conn, conditions, start)
        pinned: list[QueueRow] = []
        if cursor is None and filters.status == "queue":
            pinned_stmt = (
                _joined(select(*_ROW_COLUMNS))
                .where(*_conditions(conn, filters, pinned=True), search.condition())
                .order_by(ITEMS.c.id.desc())
                .limit(limit)
            )
            pinned = [_row(values) for values in conn.execute(pinned_stmt)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = Cursor(last.day, last.source, last.sort_relevance, last.id)
    return QueuePage(rows, next_cursor, pinned)


def _latest_day(
    conn: Connection, conditions: Sequence[ColumnElement[bool]], before: datetime | None
) -> date | None:
    """The London day of the newest matching item found before `before` (None: any)."""
    stmt = _joined(select(ITEMS.c.first_seen)).where(*conditions)
    if before is not None:
        stmt = stmt.where(ITEMS.c.first_seen < before)
    found = conn.execute(stmt.order_by(ITEMS.c.first_seen.desc()).limit(1)).scalar()
    return None if found is None else london_day(found)


def updates_of(repo: Repository, item_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of these items was last substantively updated (items never updated absent)."""
    if not item_ids:
        return {}
    stmt = (
        select(REVISIONS.c.item_id, func.max(REVISIONS.c.seen_at))
        .where(REVISIONS.c.item_id.in_(list(item_ids)), REVISIONS.c.kind == "update")
        .group_by(REVISIONS.c.item_id)
    )
    with repo.engine.connect() as conn:
        return {
            item_id: seen.replace(tzinfo=UTC) if seen.tzinfo is None else seen
            for item_id, seen in conn.execute(stmt)
            if seen is not None
        }


def known_sources(repo: Repository) -> list[str]:
    """Every source slug with stored items or crawl runs."""
    with repo.engine.connect() as conn:
        stored = set(conn.execute(select(ITEMS.c.source).distinct()).scalars())
        crawled = set(conn.execute(select(RUNS.c.source).distinct()).scalars())
    return sorted(stored | crawled)


# --- source health --------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceHealth:
    source: str
    publisher: str | None
    items: int
    last_found: datetime | None
    last_run: CrawlRun | None  # the newest
    health: Any  # aggregator.ops.health.Health: the same verdict as `aggregator status`
    judged_run: CrawlRun | None = None  # the run the verdict read (see `judged`)

    @property
    def state(self) -> str:
        return str(self.health.state)

    @property
    def reason(self) -> str:
        return str(self.health.reason)


def source_health(repo: Repository, registry: dict[str, Any], now: datetime) -> list[SourceHealth]:
    """Per source (registered or seen): its health, stored items, newest find, last crawl.

    The verdict is `aggregator status`'s own (`aggregator.ops.health.assess` over the same
    recent runs, then `with_lease` for a crawl holding the source's lease), read-only: runs
    whose heartbeat lapsed are judged interrupted without being marked. A partial run (items
    stored, but errors met) is "partial" there too, and its errors are listed from `judged_run`.
    """
    from aggregator.ops.health import RECENT_RUNS, assess, with_lease
    from aggregator.storage.crawl_state import CrawlState

    with repo.engine.connect() as conn:
        counts = {
            source: (count, newest)
            for source, count, newest in conn.execute(
                select(ITEMS.c.source, func.count(), func.max(ITEMS.c.first_seen)).group_by(
                    ITEMS.c.source
                )
            )
        }
        run_sources = set(conn.execute(select(RUNS.c.source).distinct()).scalars())
    sources = sorted(set(registry) | set(counts) | run_sources)
    leases = CrawlState(repo.engine).states(sources)
    found = []
    for source in sources:
        runs = repo.runs(source=source, limit=RECENT_RUNS)
        count, newest = counts.get(source, (0, None))
        if newest is not None and newest.tzinfo is None:
            newest = newest.replace(tzinfo=UTC)
        health = assess(source, runs, repo.item_times(source), now)
        found.append(
            SourceHealth(
                source=source,
                publisher=getattr(registry.get(source), "publisher", None),
                items=int(count),
                last_found=newest,
                last_run=runs[0] if runs else None,
                health=with_lease(health, leases.get(source), now),
                judged_run=judged(runs),
            )
        )
    return found


def judged(runs: Sequence[CrawlRun]) -> CrawlRun | None:
    """The run `assess` reads its verdict from: the newest, or while the newest is still
    running, the one before it."""
    if not runs:
        return None
    if runs[0].stats.status == "running":
        return runs[1] if len(runs) > 1 else None
    return runs[0]
