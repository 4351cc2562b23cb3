"""Crawl runs: the record of every crawl, per source (ARCHITECTURE 1, crawl record).

A run is started before the crawl and finished with its counts (`RunStats`): requests, 304s,
items new / updated / unchanged / dropped with reasons, errors with URLs. Source health reads
them to tell "quiet" from "broken". Leases and HTTP validators are `crawl_state`'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from aggregator.storage.db import StoreBase, require_aware, write_transaction
from aggregator.storage.models import RUN_STATUSES
from aggregator.storage.tables import RUNS
from aggregator.storage.values import CrawlRun, RunStats


class RunStore(StoreBase):
    """The `crawl_runs` table."""

    def start_run(self, source: str, started_at: datetime) -> int:
        """Record the start of a crawl of `source`; returns the run id for `finish_run`."""
        require_aware(started_at, "started_at")
        with write_transaction(self.engine) as conn:
            stats = RunStats(status="running")
            return int(
                conn.execute(
                    insert(RUNS).returning(RUNS.c.id),
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
                update(RUNS).where(RUNS.c.id == run_id).values(**_run_columns(stats))
            )
            if result.rowcount != 1:
                raise KeyError(f"no crawl run {run_id}")

    def runs(self, source: str | None = None, limit: int = 20) -> list[CrawlRun]:
        """The latest runs, newest first, optionally of one source."""
        stmt = select(RUNS).order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc()).limit(limit)
        if source is not None:
            stmt = stmt.where(RUNS.c.source == source)
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
                        field_layers={
                            str(name): {str(k): int(v) for k, v in layers.items()}
                            for name, layers in (row.field_layers or {}).items()
                        },
                    ),
                )
                for row in conn.execute(stmt)
            ]


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
        "field_layers": {
            str(name): {str(k): int(v) for k, v in layers.items()}
            for name, layers in stats.field_layers.items()
        },
    }
