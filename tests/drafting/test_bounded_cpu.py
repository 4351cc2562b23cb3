"""Drafting's CPU is bounded (issue 20): every step that was quadratic gives the results of the
code it replaced (kept here as references, compared on random inputs), the comparisons made
stay linear in the number of sentences, and a draft reads at most its caps of text."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from aggregator.drafting import scoring, sentences, writer
from aggregator.drafting import words as words_module
from aggregator.drafting.candidates import CandidateSentence
from aggregator.drafting.scoring import Redundancy
from aggregator.drafting.sentences import bounded_text, sentence_units
from aggregator.drafting.words import NearDuplicates, similar, stems, word_count
from aggregator.drafting.writer import MAX_TEXT_CHARS, draft_summary
from aggregator.schema import Item

# --- the code before issue 20 -----------------------------------------------------------------

OLD_END = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\d{1,2}(?=\s))?(\s+)")
OLD_INLINE_BULLET = re.compile(r"\s+[•●▪◦‣∙]\s+")
OLD_CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:including|such as|from|which|who|whose|where|when|while|and|but|so|as|with"
    r"|without|because|although|though|whether|alongside|by|to|for|especially|particularly"
    r"|following|after|before|in|on|at|through|using|drawing|based)\b)"
    r"|;\s+|\s+[–—]\s+|\s+\(|:\s+"
)
OLD_HELPLINE_PAIRS = re.compile(
    r"\bhelpline\b.*\b(?:call|contact|confidential)|\b(?:call|contact)\b.*\bhelpline\b",
    re.IGNORECASE,
)


def old_trim_to(text: str, budget: int) -> str | None:
    for match in reversed(list(OLD_CLAUSE_BREAK.finditer(text))):
        head = text[: match.start()].rstrip(",;:–— ")
        words = word_count(head)
        if words > budget:
            continue
        if words < writer.MIN_TRIMMED_WORDS or not writer._balanced(head):
            return None
        return head + "."
    return None


def old_redundant(
    candidate: CandidateSentence, chosen: list[CandidateSentence], ranked: list[CandidateSentence]
) -> bool:
    taken = frozenset().union(*(p.stems for p in chosen))

    def discounted(c: CandidateSentence) -> float:
        return c.score - len(c.stems & taken) / max(len(c.stems), 1)

    others = [c for c in ranked if c is not candidate and all(c is not p for p in chosen)]
    best = max(others, key=discounted, default=None)
    return best is not None and discounted(best) > discounted(candidate)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in pattern.finditer(text)]


# --- random inputs ------------------------------------------------------------------------------

_PIECES = (
    "a", "Word", " ", "  ", ".", "...", "!", "?", "…", "\u201d", ")", "(", "1", "12", "2024",
    ",", ";", ":", " – ", "–", "•", "\n", "e.g", "Dr", "J", "including", "and", "The",
)  # fmt: skip


def _random_text(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(pieces))


@pytest.mark.parametrize("seed", range(300))
def test_regex_rewrites_match_the_same(seed: int) -> None:
    text = _random_text(random.Random(seed), 60)
    assert _spans(sentences._END, text) == _spans(OLD_END, text)
    assert _spans(sentences._INLINE_BULLET, text) == _spans(OLD_INLINE_BULLET, text)
    assert _spans(writer._CLAUSE_BREAK, text) == _spans(OLD_CLAUSE_BREAK, text)


_HELPLINE_WORDS = ("helpline", "Helpline", "call", "contact", "confidential", "recall", "x")


@pytest.mark.parametrize("seed", range(200))
def test_the_helpline_check_finds_what_the_one_pattern_found(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(
        rng.choice(_HELPLINE_WORDS) + rng.choice((" ", " ", "\n", ", ", "-"))
        for _ in range(rng.randint(0, 8))
    )
    old = bool(scoring._BOILERPLATE.search(text) or OLD_HELPLINE_PAIRS.search(text))
    assert scoring._boilerplate(text) == old


_CLAUSE_WORDS = ("word", "words", "including", "and", "which", "(note)", "–", "—", "x,", "y;")


@pytest.mark.parametrize("seed", range(200))
def test_trimming_cuts_where_it_did(seed: int) -> None:
    rng = random.Random(seed)
    text = ""
    for _ in range(rng.randint(5, 80)):
        text += rng.choice(_CLAUSE_WORDS) + rng.choice((" ", " ", ", ", "; ", ": ", " – ", "  "))
    budget = rng.randint(0, 40)
    assert writer._trim_to(text, budget) == old_trim_to(text, budget)


def _candidate(rng: random.Random, n: int) -> CandidateSentence:
    chosen_stems = frozenset(rng.sample("abcdefghij", rng.randint(0, 5)))
    return CandidateSentence(
        text=f"s{n}",
        origin="main_text",
        index=n,
        rank=n,
        list_item=False,
        trimmed=False,
        stems=chosen_stems,
        words=5,
        score=rng.choice((0.5, 1.0, 1.5, 2.0)),  # ties are common
    )


@pytest.mark.parametrize("seed", range(200))
def test_redundancy_agrees_with_the_pairwise_check(seed: int) -> None:
    rng = random.Random(seed)
    ranked = [_candidate(rng, n) for n in range(rng.randint(1, 12))]
    chosen = rng.sample(ranked, min(len(ranked), rng.randint(1, 2)))
    helper = Redundancy(chosen, ranked)
    for candidate in ranked:
        if any(candidate is c for c in chosen):
            continue
        assert helper.redundant(candidate) == old_redundant(candidate, chosen, ranked)


@pytest.mark.parametrize("seed", range(200))
def test_near_duplicates_agree_with_comparing_every_pair(seed: int) -> None:
    rng = random.Random(seed)
    threshold = rng.choice((0.8, 0.5))
    sets = [
        frozenset(rng.sample("abcdefghijkl", rng.randint(0, rng.choice((3, 6, 10)))))
        for _ in range(rng.randint(1, 40))
    ]
    index = NearDuplicates(sets, threshold)
    kept: list[frozenset[str]] = []
    for stem_set in sets:
        expected = any(similar(stem_set, other, threshold) for other in kept)
        assert index.seen(stem_set) == expected
        if not expected:
            index.keep(stem_set)
            kept.append(stem_set)


def _sentences(count: int, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    # A long page's vocabulary runs to thousands of words.
    vocabulary = [f"topic{n}" for n in range(5000)] + ["children", "school", "report", "council"]
    for _ in range(count):
        yield " ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 16))) + "."


def test_near_duplicates_compare_a_long_page_in_linear_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0

    def counting(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
        nonlocal calls
        calls += 1
        return similar(a, b, threshold)

    monkeypatch.setattr(words_module, "similar", counting)
    sets = [stems(s) for s in _sentences(3000)]
    index = NearDuplicates(sets)
    for stem_set in sets:
        if not index.seen(stem_set):
            index.keep(stem_set)
    # Comparing every pair would be about 4.5 million calls. (A page drawing on a few dozen
    # words still costs more than linear: the draft's cap on what it reads bounds that.)
    assert calls < 10 * len(sets)


# --- how much a draft reads ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(100))
def test_a_cut_text_splits_as_the_whole_text_does(seed: int) -> None:
    rng = random.Random(seed)
    text = _random_text(rng, 400)
    cap = rng.randint(1, max(1, len(text) - 1))
    cut = bounded_text(text, cap)
    assert len(cut) <= cap and text.startswith(cut)
    whole = sentence_units(text)
    # Every unit but the last is the whole text's (the last may end where the cut fell).
    assert sentence_units(cut)[:-1] == whole[: max(0, len(sentence_units(cut)) - 1)]
    if "\n" in text[:cap]:
        assert text[len(cut) :].lstrip(" ").startswith("\n")


def _item(summary: str) -> Item:
    url = "https://www.gov.uk/government/publications/example"
    return Item(key=url, source="home_office", publisher="Home Office", title="Annual report",
                url=url, summary=summary)  # fmt: skip


def test_a_draft_reads_the_main_text_up_to_its_cap() -> None:
    page = "\n".join(_sentences(20_000, seed=3))
    assert len(page) > 4 * MAX_TEXT_CHARS
    item = _item("The annual report sets out how services performed this year.")
    assert draft_summary(item, page) == draft_summary(item, bounded_text(page, MAX_TEXT_CHARS))
    # What lies past the cap is never quoted.
    tail = "The annual report sets out findings on services for children across every region."
    assert tail in draft_summary(_item(""), tail).text
    padded = "\n".join(["The council met."] * (MAX_TEXT_CHARS // 10)) + "\n" + tail
    assert tail not in draft_summary(_item(""), padded).text
