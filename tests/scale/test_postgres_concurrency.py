"""PostgreSQL in production: concurrent writers lose and duplicate nothing, and a crawl stores
on PostgreSQL exactly what it stores on SQLite.

Two crawl processes of overlapping sources write into one fresh database at the same time,
twice (the earlier fixture snapshot, then the later one, which updates items), while an editor
thread edits and decides on items as they appear, over real connections to 127.0.0.1:5432.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from aggregator.devtools.fixtures import fixture_folders
from aggregator.schema import Item
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from bench.storage_bench import synthetic_items
from tests.crawling import ROOT, aggregator_cli
from tests.prewarmed import Child, popen

SOURCES = sorted(fixture_folders())
FIRST, SECOND = SOURCES[:-1], SOURCES[1:]  # all but two in common
ACTIONS = ("approve", "reject", "defer")
STATUS = {"approve": "approved", "reject": "rejected", "defer": "deferred"}


def _start_crawl(db_url: str, slugs: list[str], snapshot: str | None) -> Child:
    args = [sys.executable, "-m", "aggregator.cli", "crawl", *slugs, "--fixtures"]
    args += ["--snapshot", snapshot] if snapshot else []
    return popen(
        args,
        env=dict(os.environ, AGGREGATOR_DATABASE_URL=db_url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: Child) -> str:
    out, err = process.communicate(timeout=240)
    assert process.returncode == 0, err[-3000:]
    # A fixture's deliberate 404 is logged as an error; a failed store is a traceback.
    assert "Traceback" not in err, err[-3000:]
    return out


@dataclass
class Expected:
    status: str
    title: str
    summary: str | None = None
    events: int = 0


class Editor(threading.Thread):
    """Edits and decides on every item as soon as it is stored, as an editor would."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.expected: dict[int, Expected] = {}
        self.second_round = threading.Event()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.passes = 0

    def run(self) -> None:
        repo = Repository.from_url(self.url)
        try:
            while True:
                last = self.stop.is_set()
                self.one_pass(repo)
                if last:
                    return
                time.sleep(0.01)
        except BaseException as error:  # reported by the test
            self.errors.append(error)
        finally:
            repo.close()

    def one_pass(self, repo: Repository) -> None:
        self.passes += 1
        now = datetime.now(UTC)
        for stored in repo.list_items():
            item_id, key = stored.id, stored.item.key
            mine = self.expected.get(item_id)
            if mine is None:
                action = ACTIONS[len(self.expected) % len(ACTIONS)]
                title = f"Edited: {key}"
                repo.edit(item_id, at=now, actor="editor", title=title, section="Scale test")
                repo.review(item_id, action, at=now, actor="editor", reason="not for us")
                mine = self.expected[item_id] = Expected(STATUS[action], title, events=2)
            if self.second_round.is_set() and mine.summary is None:
                # While the later snapshot's crawls update these very items.
                mine.summary = f"Second look: {key}"
                repo.edit(item_id, at=now, actor="editor", summary=mine.summary)
                mine.events += 1
                if mine.status == "deferred":
                    repo.review(item_id, "approve", at=now, actor="editor")
                    mine.status = "approved"
                    mine.events += 1


def test_concurrent_crawlers_and_an_editor_lose_and_duplicate_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    editor = Editor(pg_url)
    editor.start()
    try:
        for snapshot in ("earlier", None):
            if snapshot is None:
                editor.second_round.set()
            crawls = [_start_crawl(pg_url, FIRST, snapshot), _start_crawl(pg_url, SECOND, snapshot)]
            for crawl in crawls:
                _finish(crawl)
    finally:
        editor.stop.set()
        editor.join(timeout=120)
    assert not editor.errors, editor.errors
    assert editor.passes > 3  # it really worked while the crawls ran

    # The same two rounds, one process at a time, on SQLite: the keys that must be stored.
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    upgrade(reference)
    for snapshot in ("earlier", None):
        _finish(_start_crawl(reference, SOURCES, snapshot))
    ref_repo = Repository.from_url(reference)
    ref_keys = Counter((s.item.source, s.item.key) for s in ref_repo.list_items())
    ref_revisions = Counter(
        (s.item.source, s.item.key, r.kind)
        for s in ref_repo.list_items()
        for r in ref_repo.revisions(s.id)
    )
    ref_repo.close()

    repo = Repository.from_url(pg_url)
    stored = repo.list_items()
    keys = Counter((s.item.source, s.item.key) for s in stored)
    assert keys == ref_keys, "every key stored once, none lost"
    assert max(keys.values()) == 1

    # Each item's recorded versions are those of a one-at-a-time crawl: no duplicated "new"
    # or "update" revision from the two writers.
    revisions = Counter(
        (s.item.source, s.item.key, r.kind) for s in stored for r in repo.revisions(s.id)
    )
    assert revisions == ref_revisions

    # Every edit and decision is there, as the editor left it.
    assert set(editor.expected) == {s.id for s in stored}
    for s in stored:
        mine = editor.expected[s.id]
        assert (s.status, s.edited_title, s.edited_summary, s.section) == (
            mine.status,
            mine.title,
            mine.summary,
            "Scale test",
        ), s.item.key
        assert len(repo.events(s.id)) == mine.events, s.item.key
        if s.status == "rejected":
            assert not s.needs_review  # a crawl's update never re-queues a rejected item
    repo.close()


def test_two_writers_storing_the_same_update_at_once_record_it_once(pg_url: str) -> None:
    """Two connections upsert the same changed batch at the same instant (a barrier), round
    after round: one records the update, the other finds it already stored."""
    items = synthetic_items(300)
    first_seen = datetime(2024, 6, 1, tzinfo=UTC)
    Repository.from_url(pg_url).upsert_items(items, first_seen)
    rounds = 4
    outcomes: list[Counter[str]] = []
    errors: list[BaseException] = []

    def write(changed: list[Item], seen_at: datetime, barrier: threading.Barrier) -> None:
        repo = Repository.from_url(pg_url)
        try:
            barrier.wait()
            outcomes.append(Counter(r.outcome for r in repo.upsert_items(changed, seen_at)))
        except BaseException as error:
            errors.append(error)
        finally:
            repo.close()

    for n in range(1, rounds + 1):
        changed = [dataclasses.replace(i, title=f"{i.title} (v{n + 1})") for i in items]
        barrier = threading.Barrier(2)
        seen_at = first_seen + timedelta(days=n)
        writers = [
            threading.Thread(target=write, args=(changed, seen_at, barrier)) for _ in range(2)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=120)
    assert not errors, errors
    assert sum((c for c in outcomes), Counter()) == Counter(
        {"updated": 300 * rounds, "unchanged": 300 * rounds}
    )
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT kind, count(*) FROM revisions GROUP BY kind")).all()
        kinds: dict[str, int] = {kind: count for kind, count in found}
        newest = conn.execute(text("SELECT count(*) FROM items WHERE title LIKE '%(v5)'")).scalar()
    engine.dispose()
    assert kinds == {"new": 300, "update": 300 * rounds}
    assert newest == 300


def _items_json(db_url: str) -> dict[tuple[str, str], dict[str, Any]]:
    listed = aggregator_cli(
        "items", "--json", "--include-irrelevant",
        env=dict(os.environ, AGGREGATOR_DATABASE_URL=db_url),
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr[-2000:]
    out = listed.stdout
    items = [json.loads(line) for line in out.splitlines() if line.strip()]
    for item in items:
        item.pop("id")
    return {(i["source"], i["key"]): i for i in items}


def test_a_crawl_of_every_fixture_stores_the_same_on_postgresql_as_on_sqlite(
    pg_url: str, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'golden.db'}"
    upgrade(sqlite_url)
    for url in (sqlite_url, pg_url):
        _finish(_start_crawl(url, SOURCES, None))
    on_sqlite, on_postgres = _items_json(sqlite_url), _items_json(pg_url)
    assert len(on_sqlite) > 50
    assert sorted(on_postgres) == sorted(on_sqlite)
    for key, expected in on_sqlite.items():
        found = on_postgres[key]
        for name in expected:
            assert found[name] == expected[name], f"{key}: field {name!r} differs"
    # And both are what the reviewed goldens say each source's crawl stores.
    for slug, folder in fixture_folders().items():
        golden = json.loads((folder / "crawl.expected.json").read_text(encoding="utf-8"))
        for item in golden:
            found = on_postgres[(slug, item["key"])]
            for name, value in item.items():
                if name != "id":
                    assert found[name] == value, f"{slug} {item['key']}: field {name!r}"


pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]  # slow: scheduled first
