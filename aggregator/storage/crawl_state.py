"""Crawl state in the database: HTTP validators per URL and each source's schedule.

Kept apart from the repository of items because it belongs to the fetch layer: it never
touches an item, a review or a classification.

- `http_state`: the ETag and Last-Modified a fixed URL last answered with (sent back as
  If-None-Match / If-Modified-Since), and for a detail page the listing's view of it when it
  was last fetched (so an unchanged listing entry does not refetch a page we have).
- `source_state`: a lease per source, taken atomically by one UPDATE, so overlapping
  `crawl --due` runs (cron every few minutes, several workers) never crawl a source twice at
  once; the last run's times; and backoff (`disabled_until`, with the reason). Leases are short
  and renewed while their holder runs, so a killed holder's lease lapses within minutes;
  `held_leases` lists every lease not released (`aggregator status --verbose`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from aggregator.storage.bulk import dialect_insert
from aggregator.storage.db import StoreBase, make_engine, write_transaction
from aggregator.storage.tables import HTTP_STATE, SOURCE_STATE

BACKOFF_BASE = timedelta(hours=1)
BACKOFF_MAX = timedelta(days=2)


@dataclass
class HttpEntry:
    etag: str | None = None
    last_modified: str | None = None
    listing_signature: str | None = None


@dataclass(frozen=True)
class SourceState:
    source: str
    last_started: datetime | None
    last_finished: datetime | None
    lease_owner: str | None
    lease_until: datetime | None
    disabled_until: datetime | None
    disabled_reason: str | None
    failures: int


class CrawlState(StoreBase):
    """HTTP validators per URL and each source's lease, times and backoff."""

    @classmethod
    def from_url(cls, url: str) -> CrawlState:
        return cls(make_engine(url))

    # HTTP validators

    def http_entries(self, source: str) -> dict[str, HttpEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(HTTP_STATE).where(HTTP_STATE.c.source == source))
            return {r.url: HttpEntry(r.etag, r.last_modified, r.listing_signature) for r in rows}

    def save_http_entries(self, source: str, entries: dict[str, HttpEntry], at: datetime) -> None:
        if not entries:
            return
        rows = [
            {
                "source": source,
                "url": url,
                "etag": e.etag,
                "last_modified": e.last_modified,
                "listing_signature": e.listing_signature,
                "updated_at": at,
            }
            for url, e in entries.items()
        ]
        with write_transaction(self.engine) as conn:
            stmt = dialect_insert(conn, HTTP_STATE)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["source", "url"],
                    set_={
                        name: stmt.excluded[name]
                        for name in ("etag", "last_modified", "listing_signature", "updated_at")
                    },
                ),
                rows,
            )

    def forget_http_entries(self, source: str) -> int:
        """Drop every validator and listing signature of `source`, so its next crawl fetches
        everything again (after items failed to store: a 304 or a skipped detail page would
        otherwise hide them for good). Returns how many URLs were forgotten."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(delete(HTTP_STATE).where(HTTP_STATE.c.source == source))
            return int(result.rowcount or 0)

    # Schedule

    def states(self, sources: Iterable[str]) -> dict[str, SourceState]:
        wanted = list(sources)
        with self.engine.connect() as conn:
            rows = conn.execute(select(SOURCE_STATE).where(SOURCE_STATE.c.source.in_(wanted)))
            found = {r.source: SourceState(**r._mapping) for r in rows}
        return found

    def held_leases(self) -> list[SourceState]:
        """Every source whose lease has an owner (live, or lapsed without being released), by
        source."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(SOURCE_STATE)
                .where(SOURCE_STATE.c.lease_owner.is_not(None))
                .order_by(SOURCE_STATE.c.source)
            )
            return [SourceState(**r._mapping) for r in rows]

    def due(self, intervals: dict[str, timedelta], now: datetime) -> list[str]:
        """Sources whose poll interval has elapsed, not backing off, not being crawled."""
        states = self.states(intervals)
        due = []
        for source, interval in sorted(intervals.items()):
            state = states.get(source)
            if state is None:
                due.append(source)
                continue
            if state.disabled_until and state.disabled_until > now:
                continue
            if state.lease_until and state.lease_until > now:
                continue
            if state.last_finished is None or now - state.last_finished >= interval:
                due.append(source)
        return due

    def acquire(
        self,
        source: str,
        owner: str,
        now: datetime,
        lease: timedelta,
        *,
        replacing: str | None = None,
    ) -> bool:
        """Take the source's lease if nobody holds it and it is not backing off (atomic).

        `replacing` names a holder whose lease may be taken over before it expires: a queued
        job's reservation, taken over by the worker that runs the job (aggregator.ops.distributed).
        """
        free = [SOURCE_STATE.c.lease_until.is_(None), SOURCE_STATE.c.lease_until <= now]
        if replacing is not None:
            free.append(SOURCE_STATE.c.lease_owner == replacing)
        with write_transaction(self.engine) as conn:
            conn.execute(
                dialect_insert(conn, SOURCE_STATE)
                .values(source=source, failures=0)
                .on_conflict_do_nothing(index_elements=["source"])
            )
            result = conn.execute(
                update(SOURCE_STATE)
                .where(
                    SOURCE_STATE.c.source == source,
                    or_(*free),
                    or_(
                        SOURCE_STATE.c.disabled_until.is_(None),
                        SOURCE_STATE.c.disabled_until <= now,
                    ),
                )
                .values(lease_owner=owner, lease_until=now + lease, last_started=now)
            )
            return result.rowcount == 1

    def renew(self, source: str, owner: str, until: datetime) -> bool:
        """Move the end of `owner`'s lease to `until`; False if `owner` no longer holds it."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(SOURCE_STATE)
                .where(SOURCE_STATE.c.source == source, SOURCE_STATE.c.lease_owner == owner)
                .values(lease_until=until)
            )
            return result.rowcount == 1

    def release(
        self, source: str, owner: str, now: datetime, *, failed: bool, reason: str = ""
    ) -> SourceState:
        """End a run: clear the lease; a failure backs off exponentially, a success resets."""
        with write_transaction(self.engine) as conn:
            row = conn.execute(select(SOURCE_STATE).where(SOURCE_STATE.c.source == source)).first()
            failures = (row.failures if row is not None else 0) + 1 if failed else 0
            values: dict[str, object] = {
                "lease_owner": None,
                "lease_until": None,
                "last_finished": now,
                "failures": failures,
            }
            # A wait the publisher asked for during this run (Retry-After) is kept either way.
            asked = row.disabled_until if row is not None else None
            asked_reason = row.disabled_reason if row is not None else None
            if asked is not None and asked <= now:
                asked = asked_reason = None
            if failed:
                wait = min(BACKOFF_BASE * (2 ** (failures - 1)), BACKOFF_MAX)
                values["disabled_until"] = now + wait
                values["disabled_reason"] = (
                    f"{failures} failed run(s) in a row, backing off {wait}: {reason}"
                )
                if asked is not None and asked > now + wait:
                    values["disabled_until"], values["disabled_reason"] = asked, asked_reason
            else:
                values["disabled_until"] = asked
                values["disabled_reason"] = asked_reason
            conn.execute(
                update(SOURCE_STATE)
                .where(
                    SOURCE_STATE.c.source == source,
                    or_(SOURCE_STATE.c.lease_owner == owner, SOURCE_STATE.c.lease_owner.is_(None)),
                )
                .values(**values)
            )
        return self.states([source])[source]

    def disable(self, source: str, until: datetime, reason: str) -> None:
        """Back a source off until `until` (a Retry-After too long to wait in a crawl)."""
        with write_transaction(self.engine) as conn:
            conn.execute(
                dialect_insert(conn, SOURCE_STATE)
                .values(source=source, failures=0)
                .on_conflict_do_nothing(index_elements=["source"])
            )
            conn.execute(
                update(SOURCE_STATE)
                .where(
                    SOURCE_STATE.c.source == source,
                    or_(
                        SOURCE_STATE.c.disabled_until.is_(None),
                        SOURCE_STATE.c.disabled_until < until,
                    ),
                )
                .values(disabled_until=until, disabled_reason=reason)
            )
