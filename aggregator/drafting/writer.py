"""Draft summaries in the bulletin's voice (issue 11; the method is in docs/drafts.md).

A draft is one paragraph, shaped like every entry of the example bulletin: an opening sentence
built from the item's fields ("The Lucy Faithfull Foundation has published a paper on …",
`opening.py`), then the one or two most informative sentences of the publisher's own
standfirst and main text (`candidates.py`, `scoring.py`), in source order, within a word limit
the editor sets.

Nothing after the opening is invented. Each chosen sentence is the publisher's words,
possibly trimmed at a clause boundary (a leading "However," or a trailing clause cut to fit
the limit, with a full stop put back) and the draft records which sentence of which text it
used, so the review app can show where a draft came from. The one rewording is the person:
the publisher's "we", "our" and "us" become its name (`person.py`, "Our new paper" → "The
Lucy Faithfull Foundation's new paper"), and a sentence that cannot be put in the third
person safely is never chosen.

Everything here is a pure function of its inputs (no clock, no network, no database) and
cheap: it runs for every crawled item.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right

from aggregator.drafting.candidates import CandidateSentence, candidate_sentences
from aggregator.drafting.draft import Draft, UsedSentence
from aggregator.drafting.opening import opening_sentence, publisher_phrase
from aggregator.drafting.person import third_person
from aggregator.drafting.scoring import Redundancy, rank
from aggregator.drafting.sentences import bounded_text
from aggregator.drafting.words import TERMINAL, similar, word_count
from aggregator.normalise.text import clean_title
from aggregator.schema import Item

__all__ = [
    "DEFAULT_WORD_LIMIT",
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "draft_summary",
    "first_sentences",
]

DEFAULT_WORD_LIMIT = 90
# The example bulletin's entries are an opening and one or two sentences of the publisher's.
MAX_SENTENCES = 2
# How much a draft reads (issue 20: CPU per item bounded whatever a page carries): the
# standfirst and the main text up to this many characters each, cut at a line or sentence
# end (about 8,000 words: a draft quotes from the top of a page), and the title up to
# `MAX_TITLE_CHARS` (a real title is under 300).
MAX_TEXT_CHARS = 50_000
MAX_TITLE_CHARS = 1_000


# --- fitting the limit ----------------------------------------------------------------------

# Where a sentence may be cut to fit: before a clause ("…, including …", "…, and discusses
# …", "…; …", "… – …", "… (…"), never between the items of a list ("loneliness, stress").
_CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:including|such as|from|which|who|whose|where|when|while|and|but|so|as|with"
    r"|without|because|although|though|whether|alongside|by|to|for|especially|particularly"
    r"|following|after|before|in|on|at|through|using|drawing|based)\b)"
    # A run of spaces is tried from its start only: from every space of a long run, each
    # try would rescan the rest of it (quadratic).
    r"|;\s+|(?<!\s)\s+[–—]\s+|(?<!\s)\s+\(|:\s+"
)
# A cut that leaves fewer words than this is no sentence: the next best is tried instead.
MIN_TRIMMED_WORDS = 8


def _with_stop(text: str) -> str:
    """A sentence ending in a full stop (a standfirst often has none)."""
    text = text.rstrip()
    return text if TERMINAL.search(text) else text.rstrip(",;:–— ") + "."


_CUT_STRIP = ",;:–— "  # stripped from the end of a head cut at a clause boundary
_CUT_STRIP_RUN = re.compile(f"[{_CUT_STRIP}]+")
_WORD = re.compile(r"\S+")


def _trim_to(text: str, budget: int) -> str | None:
    """The longest head of `text` ending at a clause boundary that fits `budget` words.

    Each boundary's head is measured from offsets found once (where words start, where runs
    of the stripped characters lie), not by cutting and counting it again: a long sentence
    with many boundaries costs O(n log n), not O(n²).
    """
    word_starts = [m.start() for m in _WORD.finditer(text)]
    runs = [m.span() for m in _CUT_STRIP_RUN.finditer(text)]
    run_starts = [start for start, _ in runs]
    for match in reversed(list(_CLAUSE_BREAK.finditer(text))):
        end = match.start()
        # text[:end].rstrip(_CUT_STRIP): back to the start of a run that reaches `end`.
        run = bisect_right(run_starts, end - 1) - 1
        if run >= 0 and runs[run][1] >= end:
            end = runs[run][0]
        words = bisect_left(word_starts, end)  # word_count(text[:end])
        if words > budget:
            continue
        head = text[:end]
        if words < MIN_TRIMMED_WORDS or not _balanced(head):
            return None
        return head + "."
    return None


def _balanced(text: str) -> bool:
    """No bracket or quotation left open by a cut."""
    return text.count("(") == text.count(")") and text.count("“") == text.count("”")


# --- the draft ------------------------------------------------------------------------------


def draft_summary(item: Item, main_text: str, word_limit: int = DEFAULT_WORD_LIMIT) -> Draft:
    """The draft paragraph for an item: the opening, then the best one or two sentences.

    Sentences are scored on overlap with the title, how central their words are to the page,
    cue phrases ("sets out", "findings", "aimed at"), position and length; boilerplate,
    references, questions and sentences that repeat the opening are never chosen. The chosen
    ones keep their source order. A sentence too long for what is left of `word_limit` is
    cut at a clause boundary, or skipped for the next best; either sets `hit_limit`. The
    opening is never cut, so a limit shorter than it gives the opening alone. The title,
    standfirst and main text are read up to `MAX_TITLE_CHARS` and `MAX_TEXT_CHARS`.
    """
    item, main_text = _bounded(item, main_text)
    opening = _opening(item, main_text)
    ranked = rank(item, opening, candidate_sentences(item, main_text))
    budget = word_limit - word_count(opening)
    chosen: list[tuple[CandidateSentence, str, bool, bool]] = []
    hit_limit = budget < 0
    redundancy: Redundancy | None = None  # against the sentences chosen so far
    for candidate in ranked:
        if len(chosen) == MAX_SENTENCES:
            break
        if any(similar(candidate.stems, c.stems, 0.5) for c, *_ in chosen):
            continue
        if chosen:
            if redundancy is None:
                redundancy = Redundancy([c for c, *_ in chosen], ranked)
            if redundancy.redundant(candidate):
                continue
        # The bulletin speaks in the third person: "we" becomes the publisher's name, and a
        # sentence that cannot be rewritten safely is left out for the next best.
        spoken = third_person(candidate.text, item.publisher)
        if spoken is None:
            continue
        reworded = spoken != candidate.text
        text, trimmed = _with_stop(spoken), candidate.trimmed
        if word_count(text) > budget:
            # Wanted but too long: cut a trailing clause, else try the next best.
            hit_limit = True
            cut = _trim_to(spoken, budget)
            if cut is None:
                continue
            text, trimmed = cut, True
        chosen.append((candidate, text, trimmed, reworded))
        redundancy = None
        budget -= word_count(text)
    chosen.sort(key=lambda c: (c[0].origin != "summary", c[0].index))
    used = tuple(
        UsedSentence(text, c.origin, c.index, trimmed, reworded)
        for c, text, trimmed, reworded in chosen
    )
    paragraph = " ".join([opening, *(u.text for u in used)])
    return Draft(
        text=paragraph,
        opening=opening,
        sentences=used,
        word_limit=word_limit,
        words=word_count(paragraph),
        hit_limit=hit_limit,
    )


def _opening(item: Item, main_text: str) -> str:
    """The opening in the third person: a title's "our" or "we" read as the publisher, who is
    the opening's subject ("… has published news on how it assesses complaints"). A title
    that cannot be rewritten safely ("My story") is quoted instead, as a headline is."""
    opening = opening_sentence(item, main_text)
    spoken = third_person(opening, item.publisher, subject_named=True)
    if spoken is not None:
        return spoken
    title = (clean_title(item.title) or item.title).rstrip(" .")
    return f"{publisher_phrase(item.publisher)} has published ‘{title}’."


def first_sentences(item: Item, main_text: str, count: int = 2) -> str:
    """The evaluation's baseline: the first `count` sentences of the standfirst and main text.

    The same splitter and cleaning as the drafts (headings, dates and a repeated standfirst
    dropped), with no opening and no choosing.
    """
    item, main_text = _bounded(item, main_text)
    return " ".join(_with_stop(c.text) for c in candidate_sentences(item, main_text)[:count])


def _bounded(item: Item, main_text: str) -> tuple[Item, str]:
    """The item and main text as a draft reads them: each text up to its cap."""
    title = item.title[:MAX_TITLE_CHARS]
    summary = bounded_text(item.summary, MAX_TEXT_CHARS)
    if title != item.title or summary != item.summary:
        item = dataclasses.replace(item, title=title, summary=summary)
    return item, bounded_text(main_text, MAX_TEXT_CHARS)
