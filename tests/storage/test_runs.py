"""Crawl runs' heartbeats, and runs whose process died marked interrupted, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.storage.crawl_state import CrawlState
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository, RunStats
from aggregator.storage.runs import HEARTBEAT_ENV, heartbeat_interval, run_lapse

START = datetime(2024, 5, 31, 8, tzinfo=UTC)
LAPSE = timedelta(minutes=2)


def test_a_silent_run_is_marked_interrupted_once(repo: Repository) -> None:
    beating = repo.start_run("nspcc", START)
    silent = repo.start_run("dhsc", START)  # never beat: judged from its start
    other = repo.start_run("nspcc", START - timedelta(minutes=1))
    assert repo.heartbeat(beating, START + timedelta(minutes=3))
    assert repo.heartbeat(other, START + timedelta(minutes=1))

    later = START + timedelta(minutes=4)
    # Limited to one source: dhsc's silent run is left for its own turn.
    assert repo.mark_interrupted(later, LAPSE, source="nspcc") == [other]
    assert repo.mark_interrupted(later, LAPSE) == [silent]
    assert repo.mark_interrupted(later, LAPSE) == []  # each run is marked once

    runs = {run.id: run for run in repo.runs(limit=10)}
    assert runs[beating].stats.status == "running"
    assert runs[beating].heartbeat_at == START + timedelta(minutes=3)
    for run_id, alive, said in [(other, 1, "last heartbeat"), (silent, 0, "started")]:
        run = runs[run_id]
        assert run.stats.status == "interrupted"
        assert run.stats.finished_at == START + timedelta(minutes=alive)  # its last sign of life
        [error] = run.stats.errors
        assert error["message"].startswith("interrupted: the crawl's process died")
        assert said in error["message"]


def test_a_finished_run_is_never_interrupted_and_ignores_late_beats(repo: Repository) -> None:
    run_id = repo.start_run("nspcc", START)
    repo.finish_run(run_id, RunStats(status="ok", finished_at=START + timedelta(seconds=30)))
    assert not repo.heartbeat(run_id, START + timedelta(minutes=1))  # a beat after the end
    assert repo.mark_interrupted(START + timedelta(hours=5), LAPSE) == []
    [run] = repo.runs(source="nspcc")
    assert (run.stats.status, run.heartbeat_at) == ("ok", None)


def test_a_run_marked_too_soon_is_running_again_at_its_next_beat(repo: Repository) -> None:
    """A reactor blocked for longer than the lapse is not dead: its next beat revives the run."""
    run_id = repo.start_run("nspcc", START)
    assert repo.mark_interrupted(START + timedelta(minutes=5), LAPSE) == [run_id]
    assert repo.heartbeat(run_id, START + timedelta(minutes=6))
    [run] = repo.runs(source="nspcc")
    assert (run.stats.status, run.stats.finished_at) == ("running", None)
    repo.finish_run(run_id, RunStats(status="ok", finished_at=START + timedelta(minutes=7)))
    assert repo.runs(source="nspcc")[0].stats.status == "ok"


def test_the_lapse_follows_the_heartbeat_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HEARTBEAT_ENV, raising=False)
    assert heartbeat_interval() == timedelta(seconds=30)
    assert run_lapse() == timedelta(seconds=90)  # minutes, not hours
    monkeypatch.setenv(HEARTBEAT_ENV, "0.5")
    assert run_lapse() == timedelta(seconds=1.5)
    monkeypatch.setenv(HEARTBEAT_ENV, "0")
    with pytest.raises(ValueError, match=HEARTBEAT_ENV):
        heartbeat_interval()


def test_held_leases_lists_live_and_lapsed_leases_with_owner_and_expiry(db_url: str) -> None:
    upgrade(db_url)
    state = CrawlState.from_url(db_url)
    assert state.acquire("nspcc", "host-a:1", START, timedelta(minutes=2))
    assert state.acquire("dhsc", "host-b:2", START, timedelta(minutes=2))
    assert state.acquire("ofsted", "host-c:3", START, timedelta(minutes=2))
    state.release("ofsted", "host-c:3", START + timedelta(minutes=1), failed=False)
    assert state.renew("dhsc", "host-b:2", START + timedelta(minutes=4))
    held = {lease.source: (lease.lease_owner, lease.lease_until) for lease in state.held_leases()}
    assert held == {
        "dhsc": ("host-b:2", START + timedelta(minutes=4)),
        "nspcc": ("host-a:1", START + timedelta(minutes=2)),
    }
    # A lapsed lease is free to take, and the taker is listed instead.
    assert state.acquire("nspcc", "host-d:4", START + timedelta(minutes=3), timedelta(minutes=2))
    assert {lease.lease_owner for lease in state.held_leases()} == {"host-b:2", "host-d:4"}
