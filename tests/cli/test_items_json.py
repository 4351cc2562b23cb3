"""`aggregator items --json` carries the review state (issue 21): the status, the editor's
summary, and the machine draft marked as one, with whether an editor checked it and its
sensitivity flag."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from aggregator.cli import main
from aggregator.schema import DocType, Item, Precision, Sighting
from aggregator.storage.db import upgrade
from aggregator.storage.draft_summaries import DraftStore, build_draft
from aggregator.storage.repository import Repository

T0 = datetime(2024, 5, 30, 9, 0, tzinfo=UTC)


def _item(slug: str, title: str, summary: str) -> Item:
    url = f"https://www.lucyfaithfull.org.uk/featured-news/{slug}"
    return Item(
        key=f"lucyfaithfull.org.uk/featured-news/{slug}",
        source="lucy_faithfull",
        publisher="Lucy Faithfull Foundation",
        title=title,
        url=url,
        summary=summary,
        doc_type=DocType.REPORT,
        topics=["child sexual abuse"],
        published=T0,
        published_precision=Precision.DAY,
        provenance=[Sighting("lucy_faithfull", url, T0)],
    )


def _records(db: str) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(main, ["items", "--db", db, "--json", "--include-irrelevant"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {record["key"].rsplit("/", 1)[-1]: record for record in records}


def test_items_json_carries_the_editor_summary_the_draft_and_the_review_status(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    upgrade(db)
    repo = Repository.from_url(db)
    try:
        paper, images, plain = (
            _item(
                "talking-about-pornography",
                "Time to talk about porn: the link between adult pornography and online abuse",
                "Our new paper looks at how viewing legal adult pornography can contribute to "
                "the viewing of sexual images of children.",
            ),
            _item(
                "indecent-images",
                "Indecent images of children: what families need to know",
                "We explain what to do if someone you love has viewed indecent images of children.",
            ),
            _item("annual-report", "Annual report 2023", "A look back at the year."),
        )
        ids = [r.item_id for r in repo.upsert_items([paper, images, plain], T0)]
        repo.review(ids[0], "approve", at=T0, actor="demo")
        repo.edit(ids[0], at=T0, actor="demo", summary="The Foundation's paper, checked.")
        repo.review(ids[1], "reject", at=T0, actor="demo", reason="duplicate")
        store = DraftStore(repo.engine)
        store.save_drafts(
            {
                item_id: build_draft(item, "", 90)
                for item_id, item in zip(ids[:2], [paper, images], strict=True)
            },
            T0,
        )
    finally:
        repo.close()

    records = _records(db)
    checked = records["talking-about-pornography"]
    assert checked["status"] == "approved"
    assert checked["needs_review"] is False
    assert checked["editor_summary"] == "The Foundation's paper, checked."
    assert checked["summary"] == paper.summary  # the publisher's own description stays
    draft = checked["draft"]
    assert draft["machine_written"] is True
    assert draft["checked"] is True  # an editor's own summary replaces the draft
    assert draft["text"].startswith("The Lucy Faithfull Foundation has published a paper")
    assert "The Lucy Faithfull Foundation’s new paper looks at" in draft["text"]
    # "sexual images of children" in the standfirst flags it (docs/drafts.md)
    assert draft["sensitive"] is True and draft["sensitive_reasons"] == ["explicit abuse"]
    assert draft["drafted_at"] == "2024-05-30T10:00:00+01:00"

    flagged = records["indecent-images"]
    assert flagged["status"] == "rejected" and flagged["reason"] == "duplicate"
    assert flagged["editor_summary"] is None
    assert flagged["draft"]["checked"] is False
    assert flagged["draft"]["sensitive"] is True
    assert flagged["draft"]["sensitive_reasons"] == ["explicit abuse"]

    undrafted = records["annual-report"]
    assert undrafted["status"] == "new" and undrafted["draft"] is None
    assert undrafted["editor_summary"] is None
