"""`aggregator classify --all` and how `items` and `parse` show classifications."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from aggregator.classify.rules import Vocabulary, classify_item
from aggregator.cli import main
from aggregator.schema import DocType, Item, Precision, Sighting
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def make_item(slug: str, title: str, summary: str = "") -> Item:
    url = f"https://www.gov.uk/government/publications/{slug}"
    return Item(
        key=f"gov.uk/government/publications/{slug}",
        source="dhsc",
        publisher="Department of Health and Social Care",
        title=title,
        url=url,
        summary=summary,
        doc_type=DocType.GUIDANCE,
        published=T0,
        published_precision=Precision.DAY,
        provenance=[Sighting("dhsc", url, T0)],
    )


def seeded(tmp_path: Path) -> tuple[str, Repository, dict[str, int]]:
    db = f"sqlite:///{tmp_path / 'agg.db'}"
    upgrade(db)
    repo = Repository.from_url(db)
    items = [
        make_item("hoarding", "Hoarding in families with young children"),
        make_item("dental", "NHS dental contract: changes from 2024"),
        make_item("parent-infant", "Parent-infant relationships: practitioner guide"),
    ]
    results = repo.upsert_items(items, T0)
    ids = {item.key.rsplit("/", 1)[1]: r.item_id for item, r in zip(items, results, strict=True)}
    repo.save_classifications(
        [
            (r.item_id, classify_item(item, type_hint="guidance", nation_hints=["England"]))
            for item, r in zip(items, results, strict=True)
        ],
        classified_at=T0,
    )
    return db, repo, ids


def test_classify_all_after_a_vocabulary_change(tmp_path: Path) -> None:
    db, repo, ids = seeded(tmp_path)
    repo.set_review_status(ids["hoarding"], "deferred", updated_at=T0, updated_by="ed")
    before = {s.id: s for s in repo.list_items()}

    data = copy.deepcopy(Vocabulary.load().data)
    next(t for t in data["topics"] if t["label"] == "neglect")["phrases"].append("hoarding")
    draft = tmp_path / "vocabulary.json"
    draft.write_text(json.dumps(data), encoding="utf-8")

    result = CliRunner().invoke(main, ["classify", "--all", "--vocabulary", str(draft), "--db", db])
    assert result.exit_code == 0, result.output
    assert "re-classified 3 items" in result.output
    assert "topics on 1" in result.output

    after = {s.id: s for s in repo.list_items()}
    assert "neglect" in after[ids["hoarding"]].item.topics
    assert after[ids["hoarding"]].status == "deferred"
    assert after[ids["hoarding"]].needs_review is False
    assert all(after[i].content_hash == before[i].content_hash for i in before)
    stored = repo.classification(ids["hoarding"])
    assert stored is not None
    assert stored.vocabulary_version == Vocabulary.load(draft).version
    assert stored.nations == ["England"]  # the stored applicability was re-used
    assert stored.doc_type == DocType.GUIDANCE  # the stored type label was re-used


def test_classify_needs_to_be_told_which_items(tmp_path: Path) -> None:
    db, _, _ = seeded(tmp_path)
    result = CliRunner().invoke(main, ["classify", "--db", db])
    assert result.exit_code == 2
    assert "--all" in result.output


def test_items_hides_probably_not_safeguarding_unless_asked(tmp_path: Path) -> None:
    db, _, ids = seeded(tmp_path)
    runner = CliRunner()
    listed = runner.invoke(main, ["items", "--db", db])
    assert listed.exit_code == 0, listed.output
    assert "Parent-infant relationships" in listed.output
    assert "NHS dental contract" not in listed.output
    # "Hoarding in families with young children" has only weak words ("young children")
    # until the vocabulary knows hoarding: not safeguarding on its own.
    assert "Hoarding" not in listed.output
    assert "2 probably not safeguarding" in listed.output  # stderr, mixed in by CliRunner

    everything = runner.invoke(main, ["items", "--db", db, "--include-irrelevant", "--json"])
    records = [json.loads(line) for line in everything.stdout.splitlines() if line.startswith("{")]
    assert len(records) == 3
    dental = next(r for r in records if r["id"] == ids["dental"])
    assert dental["classification"]["relevant"] is False
    assert dental["classification"]["label"] == "probably not safeguarding"
    assert dental["classification"]["evidence"]["relevance"][0]["phrase"] == "dental"
    guide = next(r for r in records if r["id"] == ids["parent-infant"])
    assert guide["classification"]["topics"] == guide["topics"]
    assert "early years and parent-infant relationships" in guide["topics"]


def test_parse_prints_the_classification() -> None:
    fixture = (
        ROOT / "fixtures" / "nspcc" / "keeping-children-safe-in-education-caspar-briefing.html"
    )
    result = CliRunner().invoke(
        main,
        [
            "parse",
            "nspcc",
            str(fixture),
            "--url",
            "https://learning.nspcc.org.uk/research-resources/schools/"
            "keeping-children-safe-in-education-caspar-briefing",
            "--fetched-at",
            "2024-06-01T00:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    classification = record["classification"]
    assert classification["doc_type"] == record["doc_type"] == "briefing"
    assert classification["evidence"]["doc_type"] == "title cue ': CASPAR briefing'"
    assert classification["relevant"] is True
    assert "education and KCSIE" in classification["topics"]
    assert classification["nations"] == ["England"]
