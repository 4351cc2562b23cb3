"""Export consumers: what each named consumer has been sent, and who is exporting to it now.

Incremental delivery (`aggregator export --consumer NAME`) leaves out what `export_deliveries`
says the consumer already has (`exports.ExportSelection.consumer`); the export records what it
wrote only once the output is complete (`record_deliveries`). One export at a time per
consumer: it holds the consumer's lease (`take_consumer_lease`) while it runs and renews it,
and a second export stops with `ConsumerBusyError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, select

from aggregator.storage.bulk import chunks, dialect_insert
from aggregator.storage.db import StoreBase, aware_utc, require_aware, write_transaction
from aggregator.storage.tables import EXPORT_CONSUMERS, EXPORT_DELIVERIES

CONSUMER_LEASE = timedelta(minutes=10)
"""How long an export holds its consumer without renewing: the longest a killed export keeps
the next one waiting. A running export renews it every `CONSUMER_LEASE_RENEWAL`."""
CONSUMER_LEASE_RENEWAL = timedelta(minutes=1)


class ConsumerBusyError(RuntimeError):
    """Another export to the same consumer is running (it holds the consumer's lease)."""


class ExportConsumerStore(StoreBase):
    """Deliveries to export consumers (the part of `Repository` an export writes)."""

    def record_deliveries(self, consumer: str, item_ids: Iterable[int], at: datetime) -> int:
        """Record that `consumer` was sent these items; call it only once the output is
        complete. Returns how many were not recorded before."""
        require_aware(at, "at")
        return record_deliveries(self, consumer, item_ids, at)


def record_deliveries(
    repository: StoreBase, consumer: str, item_ids: Iterable[int], at: datetime
) -> int:
    """Record that `consumer` was sent these items (creating the consumer); how many were new."""
    ids = sorted(set(item_ids))
    added = 0
    with write_transaction(repository.engine) as conn:
        _ensure_consumer(conn, consumer, at)
        for chunk in chunks(ids, 1000):
            # RETURNING counts the rows really inserted: an executemany's rowcount is -1 on
            # PostgreSQL (psycopg's batched inserts)
            result = conn.execute(
                dialect_insert(conn, EXPORT_DELIVERIES)
                .on_conflict_do_nothing(index_elements=["consumer", "item_id"])
                .returning(EXPORT_DELIVERIES.c.item_id),
                [{"consumer": consumer, "item_id": i, "delivered_at": at} for i in chunk],
            )
            added += len(result.all())
    return added


def take_consumer_lease(
    repository: StoreBase,
    consumer: str,
    owner: str,
    now: datetime,
    lease: timedelta = CONSUMER_LEASE,
) -> None:
    """Make `owner` the one export to `consumer` until `now + lease` (creating the consumer),
    in one atomic UPDATE; raises `ConsumerBusyError` if another export holds it."""
    with write_transaction(repository.engine) as conn:
        _ensure_consumer(conn, consumer, now)
        taken = conn.execute(
            EXPORT_CONSUMERS.update()
            .where(
                EXPORT_CONSUMERS.c.name == consumer,
                or_(
                    EXPORT_CONSUMERS.c.lease_until.is_(None),
                    EXPORT_CONSUMERS.c.lease_until <= now,
                ),
            )
            .values(lease_owner=owner, lease_until=now + lease)
        )
        if taken.rowcount == 1:
            return
        held_until = conn.execute(
            select(EXPORT_CONSUMERS.c.lease_until).where(EXPORT_CONSUMERS.c.name == consumer)
        ).scalar_one()
    raise ConsumerBusyError(
        f"another export to consumer {consumer!r} is running; try again after it ends "
        f"(its lease runs to {aware_utc(held_until):%Y-%m-%d %H:%M:%S} UTC if it stopped)"
    )


def renew_consumer_lease(repository: StoreBase, consumer: str, owner: str, until: datetime) -> bool:
    """Move the end of `owner`'s lease on `consumer` to `until`; False if it lost the lease."""
    with write_transaction(repository.engine) as conn:
        renewed = conn.execute(
            EXPORT_CONSUMERS.update()
            .where(EXPORT_CONSUMERS.c.name == consumer, EXPORT_CONSUMERS.c.lease_owner == owner)
            .values(lease_until=until)
        )
    return renewed.rowcount == 1


def release_consumer_lease(repository: StoreBase, consumer: str, owner: str) -> None:
    """End `owner`'s lease on `consumer` (nothing, if it no longer holds it)."""
    with write_transaction(repository.engine) as conn:
        conn.execute(
            EXPORT_CONSUMERS.update()
            .where(EXPORT_CONSUMERS.c.name == consumer, EXPORT_CONSUMERS.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )


def delivered_ids(repository: StoreBase, consumer: str) -> set[int]:
    """The ids of every item `consumer` has been sent (tests and diagnostics)."""
    with repository.engine.connect() as conn:
        return set(
            conn.execute(
                select(EXPORT_DELIVERIES.c.item_id).where(EXPORT_DELIVERIES.c.consumer == consumer)
            ).scalars()
        )


def _ensure_consumer(conn: Connection, consumer: str, at: datetime) -> None:
    conn.execute(
        dialect_insert(conn, EXPORT_CONSUMERS).on_conflict_do_nothing(index_elements=["name"]),
        [{"name": consumer, "created_at": at}],
    )
