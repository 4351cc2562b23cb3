"""`aggregator demo` crawls every fixture source, and every item it stores has a draft summary
built from its main text; `aggregator drafts` redrafts and shows them."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from aggregator.storage.db import make_engine
from aggregator.storage.draft_summaries import DraftStore
from aggregator.storage.repository import Repository
from tests.crawling import aggregator_cli

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)


def cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return aggregator_cli(*args, env=dict(os.environ, AGGREGATOR_DATABASE_URL=db), timeout=600)


def test_every_demo_item_has_a_draft_and_the_cli_shows_one(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = cli("demo", "--out-dir", str(tmp_path), db=db)
    assert demo.returncode == 0, demo.stderr[-3000:]
    engine = make_engine(db)
    try:
        store = DraftStore(engine)
        items = Repository(engine).list_items()
        ids = [s.id for s in items]
        drafted, flagged = store.counts()
        assert store.missing() == [] and drafted == len(ids) > 50
        match = re.search(
            r"Draft summaries: (\d+) of (\d+) items have one; (\d+) flagged", demo.stdout
        )
        assert match is not None, demo.stdout[-2000:]
        assert (int(match[1]), int(match[2]), int(match[3])) == (drafted, len(ids), flagged)
        # Drafted in the crawl, from main text kept with its lines.
        assert "stored before drafts" not in demo.stdout
        texts = store.main_texts(ids)
        assert len(texts) > len(ids) / 2
        assert any("\n" in text for text in texts.values())
        drafts = store.many(ids)
        assert all(d.draft.text.startswith(d.draft.opening) for d in drafts.values())
        assert any(s.origin == "main_text" for d in drafts.values() for s in d.draft.sentences)
        # Each source's items: GOV.UK from the Content API body, the charities from the page.
        by_source = {s.item.source for s in items if s.id in texts}
        assert by_source >= {"home_office", "dhsc", "nspcc", "lucy_faithfull"}
        assert by_source >= {"internet_matters", "uk_trauma_council"}
        item_id = next(i for i in ids if i in texts)
        # The demo's bulletin takes each entry's draft (no editor has written one yet).
        bulletin = (tmp_path / "bulletin.md").read_text(encoding="utf-8")
        in_bulletin = [d for d in drafts.values() if d.draft.opening in bulletin]
        assert len(in_bulletin) > 20
        assert all(
            " ".join(d.draft.text.split()) in " ".join(bulletin.split()) for d in in_bulletin[:5]
        )
    finally:
        engine.dispose()

    shown = cli("drafts", "show", str(item_id), db=db)
    assert shown.returncode == 0, shown.stderr
    assert "opening (built from the item's fields)" in shown.stdout
    assert "Sensitive:" in shown.stdout

    again = cli("drafts", "--all", "--words", "40", db=db)
    assert again.returncode == 0, again.stderr
    assert f"drafted {len(ids)} items at up to 40 words" in again.stdout
    assert f"{len(ids)} items have a draft" in again.stdout and "0 without" in again.stdout


def test_drafts_cli_errors_are_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert cli("drafts", "--missing", db=db).returncode == 0  # migrates; nothing to draft
    missing = cli("drafts", "show", "12345", db=db)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no item with id 12345"
    neither = cli("drafts", db=db)
    assert neither.returncode == 2 and "say which items" in neither.stderr
    assert "Traceback" not in neither.stderr + missing.stderr
