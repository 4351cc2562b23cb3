"""Topics and relevance, table-driven: phrases, negative cues, field weights, evidence."""

from __future__ import annotations

import json

import pytest

from aggregator.classify.rules import classify_item
from aggregator.classify.vocabulary import Vocabulary
from tests.classify.items import make


@pytest.mark.parametrize(
    ("title", "summary", "relevant", "topic"),
    [
        ("Child sexual abuse: mandatory reporting", "", True, "child sexual abuse"),
        ("Responding to CSE and CCE", "", True, "exploitation"),
        ("Working with HSB in primary schools", "", True, "harmful sexual behaviour"),
        ("Harmful sexual behavior: a guide", "", True, "harmful sexual behaviour"),
        ("KCSIE 2024: what has changed", "", True, "education and KCSIE"),
        ("When to refer to the LADO", "", True, "child protection and safeguarding practice"),
        ("Themes from recent CSPRs", "", True, "case reviews"),
        ("Working Together to Safeguard Children 2023", "", True, None),
        ("Tackling county lines: programme update", "", True, "exploitation"),
        ("Children’s mental health services funding", "", True, "mental health"),
        (
            "Inspection of the care of unaccompanied asylum-seeking children",
            "",
            True,
            "children's social care",
        ),
        # clear negatives: immigration, policing, NHS operations
        ("Police pay award 2024 to 2025", "", False, None),
        (
            "Visa fees: changes from April",
            "Fees for visit and work visas are increasing.",
            False,
            None,
        ),
        ("NHS dental contract: changes", "", False, None),
        ("NHS workforce: retaining staff", "", False, None),
        ("Firearms licensing fees", "", False, None),
        ("Border Force recruits extra officers", "", False, None),
        ("Immigration system statistics", "Including asylum and visas.", False, None),
    ],
)
def test_relevance_and_topics(title: str, summary: str, relevant: bool, topic: str | None) -> None:
    result = classify_item(make(title, summary))
    assert result.relevant is relevant, result.relevance_evidence
    if topic:
        assert topic in result.topics
    if not relevant:
        assert result.topics == [] or result.relevance < 0.4


def test_negative_cues_lower_relevance_and_are_evidence() -> None:
    with_negative = classify_item(make("Children and immigration detention"))
    without = classify_item(make("Children and detention"))
    assert with_negative.relevance < without.relevance
    assert {"phrase": "immigration", "field": "title", "weight": -1.0} in (
        with_negative.relevance_evidence
    )


def test_longer_positive_phrase_beats_a_negative_inside_it() -> None:
    result = classify_item(make("Unaccompanied asylum-seeking children in hotels"))
    phrases = [e["phrase"] for e in result.relevance_evidence]
    assert "unaccompanied asylum-seeking children" in phrases
    assert "asylum" not in phrases


def test_fields_are_weighed_title_over_summary_over_body() -> None:
    in_title = classify_item(make("Neglect", "An update."))
    in_summary = classify_item(make("An update", "Neglect."))
    in_body = classify_item(make("An update", "An update."), body_text="Neglect.")
    assert in_title.relevance > in_summary.relevance > in_body.relevance > 0
    assert [e["field"] for e in in_body.relevance_evidence] == ["body"]


def test_body_counts_only_up_to_its_cap() -> None:
    body = "child sexual abuse, neglect, county lines, sextortion, trauma, domestic abuse. " * 5
    result = classify_item(make("An update", ""), body_text=body)
    vocab = Vocabulary.load()
    cap = vocab.body_cap
    assert result.relevance == pytest.approx(round(cap / (cap + 1), 3))


def test_evidence_is_present_and_explains_every_topic() -> None:
    result = classify_item(
        make(
            "Online child sexual exploitation: reporting routes",
            "Where frontline staff should report concerns in England.",
        )
    )
    assert result.relevant and result.relevance_evidence
    assert all({"phrase", "field", "weight"} <= set(e) for e in result.relevance_evidence)
    for topic in result.topics:
        assert any(e["topic"] == topic for e in result.topic_evidence)
    assert result.nation_evidence == [{"nation": "England", "field": "summary", "cue": "England"}]
    assert result.vocabulary_version == Vocabulary.load().version
    json.dumps(result.to_json())  # JSON-ready
