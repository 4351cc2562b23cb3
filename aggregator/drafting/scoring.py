"""Scoring the candidate sentences: which one or two say what the bulletin would say.

The bulletin's sentences after the opening say what a publication sets out, finds or covers
and who it is for; the publisher puts what matters first. Scores reward those, and never
choose boilerplate, references or a sentence that repeats the opening.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from aggregator.drafting.candidates import CandidateSentence
from aggregator.drafting.words import stems
from aggregator.normalise.text import clean_title
from aggregator.schema import DocType, Item

__all__ = ["Redundancy", "rank", "redundant"]

# Site chrome, calls to action and contact details: never quoted.
_BOILERPLATE = re.compile(
    r"\bcookies?\b|\bnewsletters?\b|\bsign(?:ing)? up\b|\bsubscrib\w*|\bclick here\b"
    r"|\bread more\b|\bfind out more\b|\blearn more\b|\bshare (?:this|on|via)\b"
    r"|\bfollow us\b|\bcontact us\b|\bget in touch\b|\bemail us\b|\bcall us\b"
    r"|@|https?://|www\.|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\bjavascript\b|\bbrowser\b"
    r"|\bprivacy (?:policy|notice)\b|\bterms (?:and|&) conditions\b|\ball rights reserved\b"
    r"|©|\bskip to\b|\bback to top\b|\bthis website\b|\bdonat(?:e|ion)\b"
    r"|\bif you (?:are|’re|'re) (?:worried|concerned)\b|\bif you have (?:any )?questions\b"
    r"|\bif you need (?:help|support|to talk)\b"
    r"|\bdownload (?:the|our|this)\b|\bbook (?:a|your) place\b"
    r"|\bregister (?:now|here|for)\b|\blisten (?:now|here|on)\b|\bwatch (?:now|here)\b",
    re.IGNORECASE,
)
# A helpline named with a way to reach it, in either order ("call our helpline", "the
# helpline is confidential"), on one line. Two searches, not one pattern with ".*" between
# the words: that pattern rescans the rest of the line from every occurrence of the first
# word (quadratic in a sentence that repeats it).
_HELPLINE = re.compile(r"\bhelpline\b", re.IGNORECASE)
_HELPLINE_REACH = re.compile(r"\b(?:call|contact|confidential)", re.IGNORECASE)
_REACH = re.compile(r"\b(?:call|contact)\b", re.IGNORECASE)


def _followed(first: re.Pattern[str], then: re.Pattern[str], text: str) -> bool:
    """Whether `then` matches after a match of `first` on the same line. Only the first
    match of `first` on each line is tried: a later one has less of the line after it."""
    at = 0
    while (found := first.search(text, at)) is not None:
        line_end = text.find("\n", found.end())
        if then.search(text, found.end(), len(text) if line_end < 0 else line_end):
            return True
        if line_end < 0:
            return False
        at = line_end + 1
    return False


def _boilerplate(text: str) -> bool:
    """Site chrome, a call to action or contact details anywhere in `text`."""
    return bool(
        _BOILERPLATE.search(text)
        or _followed(_HELPLINE, _HELPLINE_REACH, text)
        or _followed(_REACH, _HELPLINE, text)
    )


# A reference-list entry: "HM Government (2023) Working together …".
_CITATION = re.compile(r"^[A-Z][\w .,&'’-]{0,80}\(\d{4}[a-z]?\)|\bet al\b")

# What the bulletin's sentences say after the opening: what a publication sets out, finds,
# covers and who it is for.
_CUES = re.compile(
    r"\b(?:sets? out|finds|found that|findings?|shows?|showed|highlight(?:s|ed)?|aimed at"
    r"|(?:is|are) for|designed (?:for|to)|looks? at|provides?|explores?|explains?|includes?"
    r"|summaris(?:es|ed)|outlines?|covers?|recommend\w*|examines?|describes?|discuss(?:es)?"
    r"|will (?:explore|cover|discuss|look|hear|share)|focus(?:es)? on|helps?|offers?"
    r"|key (?:points?|messages?|issues?|themes?)|identif(?:y|ies|ied)|analys(?:is|es)"
    r"|for (?:professionals|practitioners|parents|carers|schools|teachers|social workers"
    r"|local authorities|commissioners|police|frontline))\b",
    re.IGNORECASE,
)
_TYPE_CUES: dict[DocType, re.Pattern[str]] = {
    DocType.CONSULTATION_RESPONSE: re.compile(
        r"\b(?:response|responses|outcome|next steps|intends?|will introduce|proposals?)\b",
        re.I,
    ),
    DocType.CONSULTATION: re.compile(r"\b(?:views|proposals?|seeks?|asks?|closes)\b", re.I),
    DocType.EVENT: re.compile(
        r"\b(?:speakers?|panel|presentations?|session|aimed at|professionals|practitioners)\b",
        re.I,
    ),
    DocType.REPORT: re.compile(r"\b(?:findings?|found|research|per ?cent|%|\d+)\b", re.I),
    DocType.EVALUATION: re.compile(r"\b(?:findings?|found|outcomes?|impact|evidence)\b", re.I),
    DocType.STATISTICS: re.compile(r"\b(?:per ?cent|%|\d+|rose|fell|increase|decrease)\b", re.I),
    DocType.GUIDANCE: re.compile(
        r"\b(?:practitioners?|professionals?|steps|how to|framework|prompts?)\b", re.I
    ),
    DocType.STATUTORY_GUIDANCE: re.compile(r"\b(?:must|duty|duties|requirements?)\b", re.I),
    DocType.BRIEFING: re.compile(r"\b(?:learning|practice|key|reviews?|practitioners?)\b", re.I),
}

_NEVER = -math.inf


@dataclass(frozen=True)
class _Context:
    """What a sentence is scored against: the title, the opening, the page's recurring words."""

    title: frozenset[str]
    opening: frozenset[str]
    recurring: frozenset[str]  # stems found in more than one candidate
    type_cue: re.Pattern[str] | None


def _score(candidate: CandidateSentence, ctx: _Context) -> float:
    """How well a sentence would follow the opening; `_NEVER` for what must not be quoted."""
    stems, text = candidate.stems, candidate.text
    if not stems or _boilerplate(text) or _CITATION.search(text):
        return _NEVER
    repeated = len(stems & ctx.opening) / len(stems)
    if repeated >= 0.7:
        return _NEVER  # says again what the opening already says
    score = 1.5 * len(stems & ctx.title) / max(len(ctx.title), 1)
    score += len(stems & ctx.recurring) / len(stems)
    score -= 1.2 * repeated
    if _CUES.search(text):
        score += 1.0
    if ctx.type_cue is not None and ctx.type_cue.search(text):
        score += 0.5
    # The publisher puts what matters first, in the standfirst and at the top of the page.
    if candidate.origin == "summary":
        score += 0.6 if candidate.rank == 0 else 0.3
    else:
        score += 0.6 * max(0.0, 1.0 - candidate.rank / 6)
    words = candidate.words
    if words < 8:
        score -= 1.2
    elif words < 11:
        score -= 0.4
    elif words > 30:
        # Long sentences are often a list or a table run together, and leave no room.
        score -= min(2.5, 0.04 * (words - 30))
    if text.rstrip("\"'”’)] ").endswith("?"):
        score -= 1.5
    if candidate.list_item:
        score -= 0.8
    if candidate.key_point:
        score += 0.8  # the publisher says this is what matters
    return score


def rank(item: Item, opening: str, candidates: list[CandidateSentence]) -> list[CandidateSentence]:
    """The candidates worth quoting, best first; each candidate's `score` is set on the way.

    Scored on overlap with the title, how central their words are to the page, cue phrases
    ("sets out", "findings", "aimed at"), position and length; boilerplate, references and
    sentences that repeat the opening score below zero and are left out. Ties go to the
    standfirst, then to the earlier sentence.
    """
    ctx = _context(item, opening, candidates)
    for candidate in candidates:
        candidate.score = _score(candidate, ctx)
    return sorted(
        (c for c in candidates if c.score > 0.0),
        key=lambda c: (-c.score, c.origin != "summary", c.rank),
    )


def redundant(
    candidate: CandidateSentence, chosen: list[CandidateSentence], ranked: list[CandidateSentence]
) -> bool:
    """Whether a better second sentence exists once overlap with the first is discounted.

    Two sentences that say the same in other words (a standfirst and the page's own first
    line) waste the draft’s room: each candidate’s score loses the share of its words
    already chosen, and the best after that discount wins.
    """
    return Redundancy(chosen, ranked).redundant(candidate)


class Redundancy:
    """`redundant()` for many candidates against one choice so far: the discounted scores
    are computed once, and the best other candidate is one of the top two (one pass over
    `ranked`, not one per candidate)."""

    def __init__(self, chosen: list[CandidateSentence], ranked: list[CandidateSentence]) -> None:
        self.taken = frozenset().union(*(p.stems for p in chosen))
        chosen_ids = {id(p) for p in chosen}
        # The two best (discounted score, candidate) outside `chosen`; the first of equals.
        self.top: list[tuple[float, CandidateSentence]] = []
        for c in ranked:
            if id(c) in chosen_ids:
                continue
            value = self.discounted(c)
            if len(self.top) < 2 or value > self.top[-1][0]:
                self.top.append((value, c))
                self.top.sort(key=lambda entry: -entry[0])  # stable: earlier first among equals
                del self.top[2:]

    def discounted(self, c: CandidateSentence) -> float:
        return c.score - len(c.stems & self.taken) / max(len(c.stems), 1)

    def redundant(self, candidate: CandidateSentence) -> bool:
        best = next((value for value, c in self.top if c is not candidate), None)
        return best is not None and best > self.discounted(candidate)


def _context(item: Item, opening: str, candidates: list[CandidateSentence]) -> _Context:
    counts: Counter[str] = Counter()
    for candidate in candidates:
        counts.update(candidate.stems)
    return _Context(
        title=stems(clean_title(item.title)),
        opening=stems(opening),
        recurring=frozenset(s for s, n in counts.items() if n >= 2),
        type_cue=_TYPE_CUES.get(DocType(item.doc_type)),
    )
