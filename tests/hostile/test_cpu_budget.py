"""CPU work runs off the reactor thread, within a budget per response (pipelines/offload.py).

Through the real crawl path, in a process of its own: a source whose parse runs for minutes
beside a healthy source and a server that never answers. The slow parse is abandoned at its
budget and recorded against its URL; meanwhile the healthy source is stored whole and the
silent server's download timeout fires. Were parsing on the reactor thread, nothing else could
move until the parse was done, and the crawl could not finish inside the hang guard
(tests/hostile/test_faults.py), which is shorter than the parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FixtureSet, fixture_folders
from tests.crawling import last_run
from tests.faults.crawl import SLOW_PARSE_SECONDS
from tests.faults.server import FAULTS, FaultServer
from tests.hostile.test_faults import HANG_GUARD, HEALTHY, crawl, keys

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

BUDGET = 3.0  # seconds of parse per response, for this test


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    running = FaultServer(FixtureSet.load({HEALTHY: fixture_folders()[HEALTHY]}))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_a_runaway_parse_is_abandoned_and_nothing_else_waits(
    server: FaultServer, tmp_path: Path
) -> None:
    assert SLOW_PARSE_SECONDS > HANG_GUARD  # finishing at all proves the reactor was free
    alone = crawl(server, tmp_path / "alone.db", [])
    result = crawl(
        server, tmp_path / "both.db", ["slow_parse", "no_response"], AGGREGATOR_CPU_BUDGET=BUDGET
    )

    slow = last_run(result.db, FAULTS["slow_parse"].slug).stats
    assert slow.status == "failed"
    assert [e["url"] for e in slow.errors if "CPU budget" in e["message"]] == [
        FAULTS["slow_parse"].url
    ]
    # The silent server's timeout fired while the parse was running.
    silent = last_run(result.db, FAULTS["no_response"].slug).stats
    assert any("DownloadTimeoutError" in e["message"] for e in silent.errors), silent.errors
    # The healthy source lost nothing.
    assert keys(result.db, HEALTHY) == keys(alone.db, HEALTHY)
    assert last_run(result.db, HEALTHY).stats.status == "ok"
