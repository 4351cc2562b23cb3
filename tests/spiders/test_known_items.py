"""A stored item is never harmed by a failed detail fetch: a 500 leaves it as it was, a 404
flags it as gone and keeps every field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR
from tests.crawling import crawl, last_run, stored
from tests.first_crawls import FirstCrawls

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

BRIEFING = (
    "https://learning.nspcc.org.uk/research-resources/learning-from-case-reviews/"
    "multi-agency-working-information-sharing"
)


def altered(tmp_path: Path, status: int) -> Path:
    copy = tmp_path / f"fixtures-{status}"
    shutil.copytree(FIXTURES_DIR / "nspcc", copy / "nspcc")
    meta_path = copy / "nspcc" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for response in meta["responses"]:
        if response["url"] == BRIEFING:
            response["status"] = status
    meta_path.write_text(json.dumps(meta))
    # The listing entry changes too, so the page is fetched again (an unchanged entry would
    # not be: the listing answers 304, or its entry reads as before).
    listing = copy / "nspcc" / "research-resources.html"
    text = listing.read_text(encoding="utf-8")
    title = "Multi-agency working and information sharing: learning from case reviews</h3>"
    assert title in text
    listing.write_text(text.replace(title, title.replace("</h3>", " (revised)</h3>")))
    return copy


def briefing(db: str) -> dict:  # type: ignore[type-arg]
    [found] = [i for i in stored(db, "nspcc") if i["url"] == BRIEFING]
    return found


def test_server_error_on_a_known_detail_page_changes_nothing(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = first_crawls.get("nspcc").copy(tmp_path / "k.db")
    before = briefing(db)
    crawl(db, "nspcc", fixtures_dir=altered(tmp_path, 500), failing=True)
    after = briefing(db)
    assert after["attachments"] == before["attachments"] and after["attachments"]
    assert after["withdrawn"] is None
    run = last_run(db, "nspcc")
    assert run.stats.items_updated == 0
    assert any(e["url"] == BRIEFING and e["message"] == "HTTP 500" for e in run.stats.errors)


def test_gone_known_page_is_flagged_and_keeps_its_fields(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = first_crawls.get("nspcc").copy(tmp_path / "g.db")
    before = briefing(db)
    crawl(db, "nspcc", fixtures_dir=altered(tmp_path, 404), failing=True)
    after = briefing(db)
    assert after["withdrawn_reason"] == f"HTTP 404 at {BRIEFING}"
    assert after["withdrawn"] is not None
    for field in ("title", "summary", "published", "attachments", "doc_type"):
        assert after[field] == before[field]
