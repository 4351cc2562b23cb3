"""Due crawls under leases: `aggregator crawl --due`, and the lease a worker's job releases.

Each source has a poll interval in the registry. A due source is leased in the database
before it is crawled (one atomic UPDATE), so two overlapping runs (cron every few minutes, or
several hosts) never crawl the same source at once. The lease is short (`due_lease()`, two
minutes) and renewed by a thread while the crawl runs, as a worker renews its job's lease
(aggregator.ops.distributed), so the lease of a killed `crawl --due` lapses within minutes and
the source is due again; `aggregator status` says "lease lapsed" meanwhile. When a run fails
the source backs off exponentially (`disabled_until`, with the reason), and a success clears
the backoff.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from aggregator.services import crawl
from aggregator.settings import env_duration
from aggregator.sources import REGISTRY
from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.repository import Repository

LEASE_ENV = "AGGREGATOR_DUE_LEASE_SECONDS"
DEFAULT_LEASE = timedelta(minutes=2)
RENEWALS_PER_LEASE = 3  # a lease survives two missed renewals (a slow database, a busy host)

log = logging.getLogger(__name__)


def due_lease() -> timedelta:
    """How long a `crawl --due` holds a source between renewals: AGGREGATOR_DUE_LEASE_SECONDS,
    or two minutes."""
    return env_duration(LEASE_ENV, "seconds", DEFAULT_LEASE)


@contextlib.contextmanager
def renewing(
    state: CrawlState, slugs: Sequence[str], owner: str, lease: timedelta
) -> Iterator[None]:
    """Renew `owner`'s leases of `slugs` every third of `lease` while the block runs (in a
    thread: the crawl's reactor holds this one). A lease found taken is logged and no longer
    renewed; the crawl itself carries on, since its store is an idempotent upsert."""
    stop = threading.Event()
    held = list(slugs)

    def renew() -> None:
        while not stop.wait(lease.total_seconds() / RENEWALS_PER_LEASE):
            until = datetime.now(UTC) + lease
            for slug in list(held):
                try:
                    if not state.renew(slug, owner, until):
                        log.warning("lost the lease of %s: another run took it", slug)
                        held.remove(slug)
                except Exception as exc:  # the database briefly away: the next renewal retries
                    log.warning("could not renew the lease of %s: %s", slug, exc)

    thread = threading.Thread(target=renew, name="due-lease-renewal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def crawl_due(
    slugs: Sequence[str], url: str, *, fixtures: bool = False, snapshot: str | None = None
) -> list[str]:
    """Crawl the due sources among `slugs` that this process could lease; those crawled."""
    state = CrawlState.from_url(url)
    now = datetime.now(UTC)
    owner = f"{socket.gethostname()}:{os.getpid()}"
    lease = due_lease()
    candidates = state.due({s: REGISTRY[s].poll_interval for s in slugs}, now)
    leased = [s for s in candidates if state.acquire(s, owner, now, lease)]
    if not leased:
        return []
    try:
        with renewing(state, leased, owner, lease):
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
