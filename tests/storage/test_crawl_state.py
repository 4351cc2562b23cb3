"""Schedule leases and backoff, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.db import upgrade


def test_leases_and_backoff(db_url: str) -> None:
    upgrade(db_url)
    state = CrawlState.from_url(db_url)
    now = datetime(2024, 5, 31, 8, tzinfo=UTC)
    assert state.acquire("nspcc", "a", now, timedelta(hours=1))
    assert not state.acquire("nspcc", "b", now, timedelta(hours=1))
    first = state.release("nspcc", "a", now, failed=True, reason="HTTP 500")
    assert first.disabled_until == now + timedelta(hours=1)
    assert first.disabled_reason and "HTTP 500" in first.disabled_reason
    assert state.due({"nspcc": timedelta(hours=6)}, now + timedelta(minutes=30)) == []
    later = now + timedelta(hours=2)
    assert state.acquire("nspcc", "a", later, timedelta(hours=1))
    second = state.release("nspcc", "a", later, failed=True, reason="HTTP 500")
    assert second.disabled_until == later + timedelta(hours=2)  # doubled
    assert second.failures == 2
    recovered = later + timedelta(hours=3)
    assert state.acquire("nspcc", "a", recovered, timedelta(hours=1))
    ok = state.release("nspcc", "a", recovered, failed=False)
    assert (ok.failures, ok.disabled_until) == (0, None)
    # An expired lease (a killed crawler) does not block the next run.
    assert state.acquire("dhsc", "dead", now, timedelta(minutes=10))
    assert state.acquire("dhsc", "next", now + timedelta(minutes=11), timedelta(minutes=10))


def test_a_retry_after_backoff_outlives_the_run_that_asked_for_it(db_url: str) -> None:
    upgrade(db_url)
    state = CrawlState.from_url(db_url)
    now = datetime(2024, 5, 31, 8, tzinfo=UTC)
    assert state.acquire("dhsc", "a", now, timedelta(hours=1))
    # During the run the publisher answers 429 with Retry-After: 6 hours.
    state.disable("dhsc", now + timedelta(hours=6), "HTTP 429 with Retry-After 21600s")
    done = state.release("dhsc", "a", now + timedelta(minutes=1), failed=False)
    assert done.disabled_until == now + timedelta(hours=6)
    assert state.due({"dhsc": timedelta(hours=1)}, now + timedelta(hours=3)) == []
    assert state.due({"dhsc": timedelta(hours=1)}, now + timedelta(hours=7)) == ["dhsc"]
