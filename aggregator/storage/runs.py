"""Crawl runs: the record of every crawl, per source (ARCHITECTURE 1, crawl record).

A run is started before the crawl and finished with its counts (`RunStats`): requests, 304s,
items new / updated / unchanged / dropped with reasons, errors with URLs. Source health reads
them to tell "quiet" from "broken". Leases and HTTP validators are `crawl_state`'s.

A running crawl beats a heartbeat (`heartbeat`, every `heartbeat_interval()`, from
aggregator.fetch.crawl_record). A process killed mid-crawl (SIGKILL, out of memory, a host
lost) never records an end, so its run would read "running" forever: `mark_interrupted` marks
every "running" run whose last sign of life (heartbeat, or start if it never beat) is older
than the lapse as "interrupted". `aggregator status`, source health and the next crawl of the
source call it, so a dead crawl shows within minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, insert, or_, select, update

from aggregator.settings import env_duration
from aggregator.storage.db import StoreBase, require_aware, write_transaction
from aggregator.storage.models import RUN_STATUSES
from aggregator.storage.tables import RUNS
from aggregator.storage.values import CrawlRun, RunStats

HEARTBEAT_ENV = "AGGREGATOR_HEARTBEAT_SECONDS"
DEFAULT_HEARTBEAT = timedelta(seconds=30)
LAPSE_BEATS = 3
"""Missed beats after which a running crawl is judged dead (a busy reactor may miss one)."""


def heartbeat_interval() -> timedelta:
    """How often a running crawl beats: AGGREGATOR_HEARTBEAT_SECONDS, or 30 s."""
    return env_duration(HEARTBEAT_ENV, "seconds", DEFAULT_HEARTBEAT)


def run_lapse() -> timedelta:
    """How long a running crawl may stay silent before it is marked interrupted."""
    return LAPSE_BEATS * heartbeat_interval()


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

    def heartbeat(self, run_id: int, at: datetime) -> bool:
        """Record that run `run_id` is alive at `at`; False once the run has finished.

        A run marked interrupted while its process was in fact alive (a reactor blocked for
        longer than the lapse) is running again at its next beat.
        """
        require_aware(at, "at")
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run_id, RUNS.c.status.in_(("running", "interrupted")))
                .values(
                    heartbeat_at=at,
                    status=case((RUNS.c.status == "interrupted", "running"), else_=RUNS.c.status),
                    finished_at=None,
                )
            )
            return result.rowcount == 1

    def mark_interrupted(
        self, now: datetime, lapse: timedelta | None = None, source: str | None = None
    ) -> list[int]:
        """Mark "running" runs silent for longer than `lapse` (default `run_lapse()`) as
        "interrupted", optionally of one source only; the ids marked.

        The run's end is its last sign of life, and its errors say so. Each row is re-checked
        in its UPDATE, so a run that beats meanwhile is left running.
        """
        require_aware(now, "now")
        cutoff = now - (lapse if lapse is not None else run_lapse())
        silent = and_(
            RUNS.c.status == "running",
            or_(
                RUNS.c.heartbeat_at < cutoff,
                and_(RUNS.c.heartbeat_at.is_(None), RUNS.c.started_at < cutoff),
            ),
        )
        marked: list[int] = []
        with write_transaction(self.engine) as conn:
            stmt = select(RUNS.c.id, RUNS.c.started_at, RUNS.c.heartbeat_at, RUNS.c.errors)
            if source is not None:
                stmt = stmt.where(RUNS.c.source == source)
            for row in conn.execute(stmt.where(silent)).all():
                alive = row.heartbeat_at or row.started_at
                said = "last heartbeat" if row.heartbeat_at else "started"
                message = (
                    f"interrupted: the crawl's process died without recording an end"
                    f" ({said} {alive.isoformat(timespec='seconds')})"
                )
                result = conn.execute(
                    update(RUNS)
                    .where(RUNS.c.id == row.id, silent)
                    .values(
                        status="interrupted",
                        finished_at=alive,
                        errors=[*row.errors, {"url": "", "message": message}],
                    )
                )
                if result.rowcount == 1:
                    marked.append(int(row.id))
        return marked

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
                    heartbeat_at=row.heartbeat_at,
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
