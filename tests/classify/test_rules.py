"""Classifying an item: the entry point ties type, nations, topics and relevance together."""

from __future__ import annotations

from aggregator.classify.rules import Classification, classify_item
from aggregator.schema import DocType
from tests.classify.items import make


def test_stored_doc_type_is_kept_when_nothing_else_says() -> None:
    item = make("Untitled", url="https://example.org/x")
    item.doc_type = DocType.GUIDANCE
    result = classify_item(item)
    assert result.doc_type == DocType.GUIDANCE
    assert "stored doc_type" in result.doc_type_evidence


def test_the_parser_hint_decides_the_type_and_the_label_is_kept_for_a_rerun() -> None:
    item = make("Untitled", url="https://example.org/x")
    result = classify_item(
        item,
        type_hint="hub-research",
        doc_type_hint=DocType.REPORT,
        type_evidence="Example hub section hub-research",
    )
    assert (result.doc_type, result.doc_type_evidence) == (
        DocType.REPORT,
        "Example hub section hub-research",
    )
    assert result.type_hint == "hub-research"


def test_classification_round_trips_through_json_fields() -> None:
    result = classify_item(make("Neglect: learning from case reviews"), body_text="Some text.")
    assert isinstance(result, Classification)
    assert result.text == "Some text."
    assert result.to_json()["label"] in ("safeguarding", "probably not safeguarding")
