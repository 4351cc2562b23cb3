"""The one stemmer behind the drafts' sentence matching and the clusters' title tokens."""

from __future__ import annotations

import pytest

from aggregator.dedupe.titles import title_tokens
from aggregator.drafting.words import stems
from aggregator.normalise.stem import stem


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("findings", "finding", "find"), "find"),
        (("reviews", "reviewed", "reviewing", "review"), "review"),
        (("policies", "policy"), "policy"),
        (("churches", "church"), "church"),
        (("children", "child"), "child"),
        (("people", "person"), "person"),
    ],
)
def test_inflections_meet(words: tuple[str, ...], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


@pytest.mark.parametrize("word", ["analysis", "status", "address", "bus", "used", "sing"])
def test_short_words_and_latin_endings_are_left_alone(word: str) -> None:
    assert stem(word) == word


def test_drafts_and_clusters_stem_alike() -> None:
    # The same words give the same stems in a draft sentence and in a title's tokens (the
    # titles fold spelling first; these words need none).
    text = "Safeguarding children: reviewing the findings"
    assert set(title_tokens(text)) <= stems(text)
    assert stems(text) == {stem(w) for w in ("safeguarding", "children", "reviewing", "findings")}
