"""Due crawls under leases: `aggregator crawl --due`, and the lease a worker's job releases.

Each source has a poll interval in the registry. A due source is leased in the database
before it is crawled (one atomic UPDATE), so two overlapping runs (cron every few minutes, or
several hosts) never crawl the same source at once; a lease that outlives a killed process
simply expires. When a run fails the source backs off exponentially (`disabled_until`, with
the reason), and a success clears the backoff.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aggregator.services import crawl
from aggregator.sources import REGISTRY
from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.repository import Repository

LEASE = timedelta(hours=1)


def crawl_due(
    slugs: Sequence[str], url: str, *, fixtures: bool = False, snapshot: str | None = None
) -> list[str]:
    """Crawl the due sources among `slugs` that this process could lease; those crawled."""
    state = CrawlState.from_url(url)
    now = datetime.now(UTC)
    owner = f"{socket.gethostname()}:{os.getpid()}"
    candidates = state.due({s: REGISTRY[s].poll_interval for s in slugs}, now)
    leased = [s for s in candidates if state.acquire(s, owner, now, LEASE)]
    if not leased:
        return []
    try:
        crawl.run(leased, url, fixtures=fixtures, snapshot=snapshot)
    finally:
        release_after_run(state, url, leased, owner, now)
    return leased


def release_after_run(
    state: CrawlState, url: str, slugs: Sequence[str], owner: str, started: datetime
) -> None:
    """Release `owner`'s leases of `slugs` after a crawl that began at `started`: a source
    whose run failed, or that has no run recorded since, backs off."""
    repo = Repository.from_url(url)
    try:
        finished = datetime.now(UTC)
        for slug in slugs:
            runs = repo.runs(source=slug, limit=1)
            run = runs[0].stats if runs and runs[0].started_at >= started else None
            failed = run is None or run.status == "failed"
            reason = run.errors[0]["message"] if run and run.errors else "the crawl did not finish"
            state.release(slug, owner, finished, failed=failed, reason=reason)
    finally:
        repo.close()
