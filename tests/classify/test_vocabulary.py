"""The vocabulary: phrase matching (acronyms, spellings, plurals, hyphens) and the file."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from aggregator.classify.rules import classify_item
from aggregator.classify.vocabulary import Vocabulary, compile_phrase
from tests.classify.items import make

VARIANTS = [("behaviour", "behavior"), ("programme", "program"), ("isation", "ization")]


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        # acronyms in capitals are case-sensitive and whole words
        ("CSE", "Children at risk of CSE", True),
        ("CSE", "https://example.org/cse-guidance", False),
        ("CSE", "CSEW figures", False),
        ("HSB", "responding to HSB in schools", True),
        ("KCSIE", "What changed in KCSIE 2024", True),
        ("LADO", "LADOs and allegations", True),
        ("SEND", "Please send us your views", False),
        ("ACEs", "aces high", False),
        # UK/US spellings, plurals, hyphens and apostrophes
        ("harmful sexual behaviour", "Harmful sexual behavior in the early years", True),
        ("County Lines Programme", "the county lines program", True),
        ("radicalisation", "online radicalization", True),
        ("multi-agency", "multi agency working", True),
        ("multi-agency", "multiagency", True),
        ("early years", "early-years practitioners", True),
        ("case review*", "serious case reviews", True),
        ("children's mental health", "children’s mental health", True),
        ("children's mental health", "childrens mental health", True),
        # whole words only
        ("child", "children", False),
        ("groom*", "bridegroom", False),
        ("groom*", "online grooming", True),
    ],
)
def test_phrase_matching(phrase: str, text: str, matches: bool) -> None:
    text = text.replace("’", "'")
    assert bool(compile_phrase(phrase, VARIANTS).search(text)) is matches


def test_vocabulary_change_changes_topics_and_version() -> None:
    base = Vocabulary.load()
    data = copy.deepcopy(base.data)
    for topic in data["topics"]:
        if topic["label"] == "neglect":
            topic["phrases"].append("hoarding")
    changed = Vocabulary(data)
    item = make("Hoarding in families with young children")
    assert "neglect" not in classify_item(item).topics
    result = classify_item(item, vocabulary=changed)
    assert "neglect" in result.topics
    assert result.vocabulary_version == changed.version != base.version


def test_vocabulary_file_is_well_formed() -> None:
    vocab = Vocabulary.load()
    assert 0 < vocab.threshold < 1
    assert vocab.field_weights["title"] > vocab.field_weights["summary"]
    assert vocab.field_weights["summary"] > vocab.field_weights["body"]
    labels = vocab.topics
    assert len(labels) == len(set(labels)) >= 12
    for label in labels:
        assert vocab.descriptions[label], f"topic {label!r} needs a description"
    kinds = {p.kind for p in vocab.phrases}
    assert kinds == {"topic", "cue", "negative", "central"}
    # A `*` matches a word ending: anywhere else it would be a literal star that never matches.
    assert all("*" not in p.text[:-1] for p in vocab.phrases), "a * only at a phrase's end"
    assert 0 < vocab.borderline <= vocab.threshold


def test_docs_list_every_phrase_under_its_topic() -> None:
    """docs/classification.md's sub-area table is the editor's view of the vocabulary: each
    topic's row names every phrase of that topic, and the safeguarding publishers are named."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "classification.md").read_text()
    rows = {
        cells[1].strip(): cells[3]
        for line in docs.splitlines()
        if line.startswith("| ") and len(cells := line.split("|")) == 5
    }
    vocab = Vocabulary.load()
    for phrase in vocab.phrases:
        if phrase.kind == "topic":
            assert phrase.topic is not None
            assert f"`{phrase.text}`" in rows[phrase.topic], (phrase.topic, phrase.text)
    for text, _pattern in vocab.publisher_phrases:
        assert f"`{text}`" in docs, text
