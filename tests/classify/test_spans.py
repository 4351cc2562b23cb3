"""Overlap resolution (`aggregator/classify/spans.py`): the same accepted spans as the quadratic
check it replaced (every match against every accepted span), on random matches and on random
texts through both classifiers' `_accepted`."""

from __future__ import annotations

import random

import pytest

from aggregator.classify import relevance, sensitive
from aggregator.classify.sensitive import SensitiveVocabulary
from aggregator.classify.spans import first_accepted
from aggregator.classify.vocabulary import Vocabulary


def quadratic_first_accepted(
    matches: list[tuple[int, int, int]],
) -> dict[int, tuple[int, int]]:
    """The algorithm before issue 20, kept as the reference."""
    found = sorted((m for m in matches if m[1] > m[0]), key=lambda m: (-(m[1] - m[0]), m[0], m[2]))
    spans: list[tuple[int, int]] = []
    accepted: dict[int, tuple[int, int]] = {}
    for start, end, index in found:
        if any(s < end and start < e and (s, e) != (start, end) for s, e in spans):
            continue
        spans.append((start, end))
        accepted.setdefault(index, (start, end))
    return accepted


@pytest.mark.parametrize("seed", range(300))
def test_random_matches_give_the_reference_result(seed: int) -> None:
    rng = random.Random(seed)
    length = rng.choice([5, 20, 80, 400])
    phrases = rng.choice([1, 3, 10, 40])
    matches = []
    for _ in range(rng.randint(0, 150)):
        start = rng.randrange(length)
        end = start + rng.choice([0, 1, 1, 2, 3, 5, 8, 13])
        matches.append((start, end, rng.randrange(phrases)))
    # The same span matched by several phrases happens in real vocabularies: repeat some.
    again = rng.sample(matches, len(matches) // 4)
    matches += [(s, e, rng.randrange(phrases)) for s, e, _ in again]
    assert first_accepted(matches) == quadratic_first_accepted(matches)


def test_identical_spans_are_accepted_for_every_phrase_and_overlaps_refused() -> None:
    matches = [(0, 10, 2), (0, 10, 0), (5, 12, 1), (10, 14, 3), (12, 13, 4)]
    assert first_accepted(matches) == {0: (0, 10), 2: (0, 10), 3: (10, 14)}


_TEXT = (
    "child sexual abuse and exploitation safeguarding children from harm serious case review "
    "rapid evidence review death of a child domestic abuse neglect asylum-seeking children "
    "asylum immigration school the of CSE CCE county lines online safety grooming modern "
    "slavery female genital mutilation FGM self-harm looked-after care leavers"
)
_WORDS = _TEXT.split(" ")


def _random_text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


@pytest.mark.parametrize("seed", range(40))
def test_relevance_accepts_what_the_reference_accepts(seed: int) -> None:
    rng = random.Random(seed)
    vocab = Vocabulary.load()
    text = _random_text(rng, rng.choice([5, 40, 300]))
    matches = [
        (m.start(), m.end(), index)
        for index, phrase in enumerate(vocab.phrases)
        for m in phrase.pattern.finditer(text)
    ]
    expected = quadratic_first_accepted(matches)
    got = relevance._accepted(vocab.phrases, text)
    assert {index: span for index, _, span in got} == expected
    assert [index for index, _, _ in got] == sorted(expected)


@pytest.mark.parametrize("seed", range(40))
def test_sensitivity_accepts_what_the_reference_accepts(seed: int) -> None:
    rng = random.Random(seed)
    vocab = SensitiveVocabulary.packaged()
    text = _random_text(rng, rng.choice([5, 40, 300]))
    matches = [
        (m.start(), m.end(), index)
        for index, phrase in enumerate(vocab.phrases)
        for m in phrase.pattern.finditer(text)
    ]
    got = sensitive._accepted(vocab.phrases, text)
    assert {index: span for index, _, span in got} == quadratic_first_accepted(matches)
