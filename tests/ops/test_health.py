"""Each health state, produced by the fault that should produce it (real crawls on loopback)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.ops.health import Health, assess, fallen_back, with_lease
from aggregator.storage.crawl_state import SourceState
from aggregator.storage.repository import CrawlRun, Repository, RunStats
from tests.crawling import aggregator_cli, crawl
from tests.first_crawls import FirstCrawls

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
LISTINGS = ("news.html", "research-resources.html")


def fault_copy(tmp_path: Path, change: Callable[[Path], None]) -> Path:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / "nspcc", copy / "nspcc")
    change(copy / "nspcc")
    return copy


def server_errors(folder: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    for response in meta["responses"]:
        if response["file"] in LISTINGS:
            response["status"] = 500
    (folder / "meta.json").write_text(json.dumps(meta))


def robots_forbid(folder: Path) -> None:
    (folder / "robots.txt").write_text("User-agent: *\nDisallow: /\n")


def redesign_without_links(folder: Path) -> None:
    for name in LISTINGS:
        (folder / name).write_text("<html><body><main><p>We have moved.</p></main></body></html>")


def future_date(folder: Path) -> None:
    page = folder / "podcast-supporting-deaf-children.html"
    page.write_text(
        page.read_text().replace("Last updated: 31 May 2024", "Last updated: 31 May 2025")
    )


def health_after(
    tmp_path: Path, fixtures: Path | None, now: datetime = FETCHED, failing: bool = False
) -> Health:
    db = f"sqlite:///{tmp_path}/h.db"
    crawl(db, "nspcc", fixtures_dir=fixtures, failing=failing)
    repo = Repository.from_url(db)
    return assess("nspcc", repo.runs(source="nspcc"), repo.item_times("nspcc"), now)


@pytest.mark.parametrize(
    ("change", "state", "words", "failing"),
    [
        (server_errors, "fetch-failing", "HTTP 500", True),
        (robots_forbid, "blocked", "robots.txt", True),
        (redesign_without_links, "parse-broken", "fetched but no items", True),
        (future_date, "suspicious", "dated in the future", False),
    ],
    ids=["fetch-failing", "blocked", "parse-broken", "suspicious"],
)
def test_fault_gives_its_state(
    change: Callable[[Path], None], state: str, words: str, failing: bool, tmp_path: Path
) -> None:
    """The crawl exits 3 (a source failed) exactly when the fault fails the run."""
    health = health_after(tmp_path, fault_copy(tmp_path, change), failing=failing)
    assert health.state == state
    assert words in health.reason


def test_a_healthy_crawl_is_ok_then_quiet_then_stale(tmp_path: Path) -> None:
    assert health_after(tmp_path, None).state == "ok"
    db = f"sqlite:///{tmp_path}/h.db"
    crawl(db, "nspcc")  # unchanged: 304s, nothing new
    repo = Repository.from_url(db)
    runs, times = repo.runs(source="nspcc"), repo.item_times("nspcc")
    quiet = assess("nspcc", runs, times, FETCHED + timedelta(days=3))
    assert quiet.state == "quiet"
    assert quiet.reason.startswith("nothing new for 3 days; usual gap")
    assert assess("nspcc", runs, times, FETCHED + timedelta(days=90)).state == "stale"


def test_status_command_exits_non_zero_when_a_source_is_broken(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    crawl(db, "nspcc", fixtures_dir=fault_copy(tmp_path, server_errors), failing=True)
    result = aggregator_cli("status", "--verbose", "--db", db)
    assert result.returncode == 3
    line = next(x for x in result.stdout.splitlines() if x.startswith("nspcc"))
    assert "fetch-failing" in line


def test_a_crawl_that_stopped_beating_is_interrupted(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = first_crawls.get("nspcc").copy(tmp_path / "k.db")
    repo = Repository.from_url(db)
    started = datetime.now(UTC)
    run_id = repo.start_run("nspcc", started)  # a crawl killed before it recorded its end
    repo.heartbeat(run_id, started + timedelta(minutes=4))
    lapse = timedelta(minutes=2)
    runs, times = repo.runs(source="nspcc"), repo.item_times("nspcc")
    soon = assess("nspcc", runs, times, started + timedelta(minutes=5), lapse=lapse)
    assert soon.state == "ok"  # still beating: judged by the run before it
    later = assess("nspcc", runs, times, started + timedelta(minutes=7), lapse=lapse)
    assert later.state == "interrupted" and later.is_error
    assert "the last crawl died (last alive" in later.reason

    # Once marked (by `status`, health or the next crawl), the stored run says so itself.
    assert repo.mark_interrupted(started + timedelta(minutes=7), lapse) == [run_id]
    runs = repo.runs(source="nspcc")
    assert runs[0].stats.status == "interrupted"
    marked = assess("nspcc", runs, times, started + timedelta(minutes=8), lapse=lapse)
    assert marked.state == "interrupted"
    assert marked.reason.startswith("interrupted: the crawl's process died")


def test_a_held_lease_is_crawling_and_a_lapsed_one_interrupted() -> None:
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    quiet = Health("nspcc", "quiet", "nothing new for 3 days; usual gap 7 days", now)
    held = SourceState(
        source="nspcc",
        last_started=now,
        last_finished=None,
        lease_owner="host:42",
        lease_until=now + timedelta(minutes=2),
        disabled_until=None,
        disabled_reason=None,
        failures=0,
    )
    crawling = with_lease(quiet, held, now)
    assert crawling.state == "crawling" and not crawling.is_error
    assert crawling.reason == "crawling (lease held by host:42 until 2024-06-01T12:02:00+00:00)"

    lapsed = with_lease(quiet, held, now + timedelta(minutes=3))
    assert lapsed.state == "interrupted" and lapsed.is_error
    assert lapsed.reason.startswith("lease lapsed: held by host:42 until 2024-06-01T12:02:00")

    # An error keeps its state; the lease is added to its words.
    failing = Health("nspcc", "fetch-failing", "last run failed: HTTP 500", now)
    assert with_lease(failing, held, now).state == "fetch-failing"
    assert with_lease(failing, held, now).reason.endswith("until 2024-06-01T12:02:00+00:00)")
    # No lease, or a released one: health as it was.
    assert with_lease(quiet, None, now) is quiet
    released = SourceState("nspcc", now, now, None, None, None, None, 0)
    assert with_lease(quiet, released, now) is quiet


def heading_redesign(folder: Path) -> None:
    """Detail pages lose their <h1>: the title now sits in a styled paragraph."""
    for page in folder.glob("*.html"):
        if page.name not in LISTINGS:
            text = page.read_text()
            page.write_text(text.replace("<h1", '<p class="page-title"').replace("</h1>", "</p>"))


def test_a_redesign_under_the_parser_is_a_site_change(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    """Run 1 reads titles from the <h1>; after a redesign the titles still come, from the
    <title> and the listing, and health says the site probably changed and which fields."""
    before = first_crawls.get("nspcc").copy(tmp_path / "before.db")
    after = f"sqlite:///{tmp_path}/after.db"
    crawl(after, "nspcc", fixtures_dir=fault_copy(tmp_path, heading_redesign))
    old, new = Repository.from_url(before), Repository.from_url(after)
    assert old.runs(source="nspcc")[0].stats.field_layers["title"]["label"] >= 10
    runs = new.runs(source="nspcc") + old.runs(source="nspcc")
    health = assess("nspcc", runs, new.item_times("nspcc"), FETCHED)
    assert health.state == "site-changed"
    assert "probably changed" in health.reason and "title from " in health.reason
    assert "(usually label)" in health.reason
    # The first crawl of a source sets its norm: no earlier runs, no verdict.
    assert assess("nspcc", runs[:1], new.item_times("nspcc"), FETCHED).state == "ok"


def test_fallen_back_needs_a_norm_and_a_majority() -> None:
    def run(**layers: dict[str, int]) -> RunStats:
        return RunStats(status="ok", field_layers=layers)

    usual = run(published={"site": 9, "label": 1})
    assert fallen_back(run(published={"url": 8, "site": 2}), [usual]) == (
        "published from url on 8 of 10 pages (usually site)"
    )
    assert fallen_back(run(published={"url": 5, "site": 5}), [usual]) == ""  # no majority
    assert fallen_back(run(published={"url": 8, "site": 2}), []) == ""  # no norm yet
    assert fallen_back(run(published={"url": 2}), [usual]) == ""  # too few pages
    assert fallen_back(run(published={"feed": 9}), [usual]) == ""  # the source's own channel
    label_norm = run(published={"label": 9})
    assert fallen_back(run(published={"label": 9}), [label_norm]) == ""  # its usual fallback


def test_a_partial_run_is_partial_with_its_first_error_never_ok() -> None:
    """Items stored but errors met (a 404 detail page): a warning naming the error. Notes that
    are no fault (which fallback channel served, a fallback the site does not offer) are not."""
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    times = [(now - timedelta(days=1), now - timedelta(days=1))]

    def last_run(*messages: str) -> list[CrawlRun]:
        errors = [{"url": "https://learning.nspcc.org.uk/gone", "message": m} for m in messages]
        stats = RunStats(status="partial", finished_at=now, items_new=3, errors=errors)
        return [CrawlRun(1, "nspcc", now - timedelta(minutes=5), stats)]

    partial = assess("nspcc", last_run("HTTP 404", "timeout"), times, now)
    assert (partial.state, partial.is_error) == ("partial", False)
    assert partial.reason == "the last crawl was partial: 2 error(s), first HTTP 404"
    noted = assess("nspcc", last_run("fallback channel used: no items at x"), times, now)
    assert noted.state == "ok"
