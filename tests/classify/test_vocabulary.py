"""The vocabulary: phrase matching (acronyms, spellings, plurals, hyphens) and the file."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from aggregator.classify.rules import classify_item
from aggregator.classify.vocabulary import Vocabulary, compile_phrase, fold, required_literal
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
        # a `*` inside a phrase ends its word with anything
        ("rais* money", "Station sleep out raises money", True),
        ("rais* money", "raising money for the charity", True),
        ("rais* money", "fundraising money", False),
    ],
)
def test_phrase_matching(phrase: str, text: str, matches: bool) -> None:
    text = text.replace("’", "'")
    assert bool(compile_phrase(phrase, VARIANTS).search(text)) is matches


def test_a_case_sensitive_phrase_may_start_a_title_with_a_capital() -> None:
    statutory = compile_phrase("children in need", VARIANTS, case_sensitive=True)
    assert statutory.search("Characteristics of children in need")
    assert statutory.search("Children in need census")
    assert not statutory.search("Children in Need appeal")
    assert not statutory.search("CHILDREN IN NEED")
    named = compile_phrase("Working Together", VARIANTS, case_sensitive=True)
    assert named.search("Working Together 2023") and not named.search("working together")


def test_a_phrase_without_its_plural_matches_only_as_written() -> None:
    singular = compile_phrase("report", VARIANTS, plural=False)
    assert singular.search("a new report on children")
    assert not singular.search("the charity reports a new roof")
    assert not singular.search("reported")
    assert compile_phrase("report", VARIANTS).search("the charity reports a new roof")


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
    assert not any(re.search(r"\*(?!$|[\s\-‐‑])", p.text) for p in vocab.phrases), (
        "a * only at a word's end"
    )
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
    for cue in vocab.publisher_phrases:
        assert f"`{cue.text}`" in docs, cue.text


def _spellings(text: str, variants: list[tuple[str, str]]) -> list[str]:
    """A phrase as publishers might write it: US spellings, hyphens for spaces and none,
    capitals, plurals and word endings, curly or missing apostrophes."""
    base = text.rstrip("*")
    forms = {base, base + "s", base + "ing", base.upper(), base.title(), base.replace("'", "’")}
    forms |= {base.replace("'", ""), base.replace(" ", "-"), base.replace("-", " ")}
    forms |= {base.replace("-", ""), base.replace("-", "‑")}
    for uk, us in variants:
        forms |= {f.replace(uk, us) for f in list(forms)}
    return sorted(forms)


def test_the_literal_prefilter_never_skips_a_phrase_that_matches() -> None:
    """Before a phrase's pattern runs, its required letters must be in the folded text
    (`required_literal`, `fold`): every spelling the pattern matches contains them, so the
    prefilter only saves time."""
    vocab = Vocabulary.load()
    variants = [(uk.lower(), us.lower()) for uk, us in vocab.data["spelling_variants"]]
    checked = 0
    for phrase in vocab.phrases:
        for form in _spellings(phrase.text, variants):
            for text in (form, f"A report on {form}, published.", f"ſ ı {form} K"):
                if phrase.pattern.search(text):
                    checked += 1
                    assert phrase.literal in fold(text), (phrase.text, text)
    assert checked > 3 * len(vocab.phrases)
    # The two characters where re.IGNORECASE and casefold disagree are folded to agree.
    assert fold("ſafeguarding ıs") == "safeguarding is"


def test_a_word_ending_in_a_star_inside_a_phrase_is_prefiltered_by_its_start() -> None:
    """The required letters of "rais* money" stop at the star, so "raised money" is read."""
    literal = required_literal("rais* money", VARIANTS)
    assert literal == "money"
    assert literal in fold("They raised money") and "*" not in required_literal("rais* x", [])
