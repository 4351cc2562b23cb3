"""What the bulletin composer reads from beyond the bulletin tables: the crawl coverage of a
window, when the newest unsent approved item belongs, items' clusters and review statuses.

Kept apart from `aggregator.storage.bulletins` (which writes the bulletin tables) because
these are read-only questions about crawls, clusters and reviews asked on a bulletin's behalf.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import exists, func, or_, select, true

from aggregator.storage.db import StoreBase, aware_utc
from aggregator.storage.tables import (
    BULLETIN_ITEMS,
    BULLETINS,
    CLUSTER_MEMBERS,
    CLUSTERS,
    ITEMS,
    REVIEWS,
    RUNS,
)


class Window(Protocol):
    """A bulletin's window, as `coverage` needs it."""

    @property
    def window_start(self) -> datetime: ...

    @property
    def window_end(self) -> datetime: ...


@dataclass(frozen=True)
class ClusterPeers:
    """The cluster an item is in: its publisher of record and every member."""

    cluster_id: int
    publisher_item_id: int
    member_ids: tuple[int, ...]


class BulletinContext(StoreBase):
    """Read-only questions a bulletin asks of crawls, clusters and reviews."""

    def newest_unsent(self) -> datetime | None:
        """When the newest approved item not yet sent in a published bulletin belongs: the
        later of when it was found and its bulletin date (an item is in a window by either),
        so the window holding it holds the newest unsent items. None if there are none."""
        dated = func.coalesce(ITEMS.c.updated, ITEMS.c.published)
        sent = (
            select(BULLETIN_ITEMS.c.item_id)
            .join(BULLETINS, BULLETINS.c.id == BULLETIN_ITEMS.c.bulletin_id)
            .where(BULLETINS.c.revision > 0, BULLETIN_ITEMS.c.item_id == ITEMS.c.id)
        )
        approved = (
            select(ITEMS.c.first_seen, dated.label("dated"))
            .join(REVIEWS, REVIEWS.c.item_id == ITEMS.c.id)
            .where(
                REVIEWS.c.status == "approved",
                or_(ITEMS.c.withdrawn.is_(None), REVIEWS.c.include_withdrawn == true()),
                ~exists(sent),
            )
        ).subquery()
        with self.engine.connect() as conn:
            found, dated_max = conn.execute(
                select(func.max(approved.c.first_seen), func.max(approved.c.dated))
            ).one()
        times = [aware_utc(value) for value in (found, dated_max) if value is not None]
        return max(times) if times else None

    def cluster_peers(self, item_ids: Sequence[int]) -> dict[int, ClusterPeers]:
        """For each of these items that is in a cross-source cluster, the cluster (one query
        for the clusters, one for their members)."""
        if not item_ids:
            return {}
        with self.engine.connect() as conn:
            held = conn.execute(
                select(CLUSTER_MEMBERS.c.item_id, CLUSTERS.c.id, CLUSTERS.c.publisher_item_id)
                .join(CLUSTERS, CLUSTERS.c.id == CLUSTER_MEMBERS.c.cluster_id)
                .where(CLUSTER_MEMBERS.c.item_id.in_(list(item_ids)))
            ).all()
            cluster_ids = sorted({row.id for row in held})
            members: dict[int, list[int]] = {}
            if cluster_ids:
                for cluster_id, member in conn.execute(
                    select(CLUSTER_MEMBERS.c.cluster_id, CLUSTER_MEMBERS.c.item_id)
                    .where(CLUSTER_MEMBERS.c.cluster_id.in_(cluster_ids))
                    .order_by(CLUSTER_MEMBERS.c.added_at, CLUSTER_MEMBERS.c.item_id)
                ):
                    members.setdefault(cluster_id, []).append(member)
        return {
            row.item_id: ClusterPeers(row.id, row.publisher_item_id, tuple(members[row.id]))
            for row in held
        }

    def review_statuses(self, item_ids: Sequence[int]) -> dict[int, str]:
        """The review status of each of these items that has one."""
        if not item_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(REVIEWS.c.item_id, REVIEWS.c.status).where(
                    REVIEWS.c.item_id.in_(list(item_ids))
                )
            ).all()
        return {item_id: status for item_id, status in rows}

    def coverage(
        self, bulletin: Window, sources: Sequence[str], now: datetime
    ) -> list[dict[str, Any]]:
        """Per source, the crawls that could see the window's publications, from the crawl
        records: every run started from the window's first day on (a crawl after the window
        still finds what was published in it; crawl times are on the crawler's clock, the
        window on the publishers'), up to `now`. `covered` says whether an ok run started
        after the window ended (it saw the whole window); a partial or failed run never
        counts as ok, and its errors are counted and kept (`error_lines`)."""
        stmt = select(RUNS).where(RUNS.c.started_at >= bulletin.window_start)
        stmt = stmt.where(RUNS.c.started_at <= now)
        with self.engine.connect() as conn:
            runs = conn.execute(stmt.order_by(RUNS.c.started_at, RUNS.c.id)).all()

        def empty(source: str) -> dict[str, Any]:
            return {"source": source, "runs": 0, "ok": 0, "failed": 0, "new": 0, "updated": 0,
                    "errors": 0, "error_lines": [], "last": None, "last_status": None,
                    "covered": False}  # fmt: skip

        found: dict[str, dict[str, Any]] = {s: empty(s) for s in sources}
        end = aware_utc(bulletin.window_end)
        for run in runs:
            entry = found.setdefault(run.source, empty(run.source))
            started = aware_utc(run.started_at)
            entry["runs"] += 1
            ok = run.status in ("ok", "empty")
            entry["ok"] += ok
            entry["failed"] += run.status in ("failed", "partial", "interrupted")
            entry["new"] += run.items_new
            entry["updated"] += run.items_updated
            errors = list(run.errors or [])
            entry["errors"] += len(errors)
            entry["error_lines"] += [_error_line(error) for error in errors[:3]]
            entry["last"] = started
            entry["last_status"] = run.status
            entry["covered"] = entry["covered"] or (ok and started >= end)
        return sorted(found.values(), key=lambda e: e["source"])


def _error_line(error: Any) -> str:
    """A crawl error as one line: "HTTP 404 (https://…)"."""
    if not isinstance(error, dict):
        return " ".join(str(error).split())
    message = " ".join(str(error.get("message", "")).split()) or "error"
    return f"{message} ({error['url']})" if error.get("url") else message
