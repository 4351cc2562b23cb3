"""Titles as the cluster matcher compares them: normalised text and matching tokens.

Two sites write one publication's title differently: a site prefix or suffix ("Guidance: ",
"- GOV.UK"), case, punctuation, accents, "&" for "and", US spellings, plurals. None of that
may stop a match, so it is all folded away here; what is left is never shown to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from aggregator.normalise.stem import stem
from aggregator.normalise.text import clean_title

__all__ = ["normalise_title", "title_tokens"]

# Labels some sites put before the title ("Guidance: ", "News story: "); GOV.UK's document
# types and the generic labels our sources use. Only stripped when followed by a colon or a
# spaced dash or bar, so "Consultation responses to…" keeps its first word.
_TITLE_PREFIXES = (
    "accredited official statistics", "blog", "blog post", "briefing", "case study",
    "closed consultation", "collection", "consultation", "consultation outcome",
    "corporate report", "correspondence", "decision", "event", "form", "guidance",
    "impact assessment", "independent report", "national statistics", "news", "news story",
    "notice", "official statistics", "open consultation", "podcast", "policy paper",
    "press release", "promotional material", "regulation", "report", "research",
    "research and analysis", "speech", "statistical data set", "statistics",
    "statutory guidance", "transparency data", "webinar",
)  # fmt: skip
_PREFIX_RE = re.compile(
    r"^(?:"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_TITLE_PREFIXES, key=len)[::-1])
    + r")\s*(?::|\s[-–—|])\s*",
    re.IGNORECASE,
)
_APOSTROPHE_S_RE = re.compile(r"['’]s\b")
_APOSTROPHE_RE = re.compile(r"['’]")
_NON_WORD_RE = re.compile(r"[^0-9a-z]+")

_STOP_WORDS = frozenset(
    {
        "a", "about", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has",
        "have", "how", "in", "into", "is", "it", "its", "of", "on", "or", "our", "that",
        "the", "their", "this", "to", "was", "we", "were", "what", "when", "which", "who",
        "why", "with", "you", "your",
    }
)  # fmt: skip
# US spellings fold to the British ones our publishers use.
_SPELLING = {
    "behavior": "behaviour", "behaviors": "behaviours", "behavioral": "behavioural",
    "center": "centre", "centers": "centres", "program": "programme",
    "programs": "programmes", "pediatric": "paediatric", "color": "colour",
    "counseling": "counselling", "counselor": "counsellor", "enrollment": "enrolment",
    "judgement": "judgment", "labor": "labour", "practise": "practice", "defense": "defence",
    "offense": "offence", "offenses": "offences", "license": "licence",
}  # fmt: skip
_IZE_RE = re.compile(r"(?<=[a-z]{3})iz(e|es|ed|ing|ation|ations|er|ers)$")


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """One word as a matching token: British spelling, then the stem the drafts use too
    (aggregator/normalise/stem.py). A key, never shown."""
    word = _SPELLING.get(word, word)
    word = _IZE_RE.sub(r"is\1", word)
    return stem(word)


def normalise_title(title: str) -> str:
    """The title as compared: site prefixes and suffixes removed, accents and case folded,
    "&" read as "and", punctuation dropped, whitespace collapsed.

    ``"Guidance: Child Sexual Abuse – Mandatory Reporting - GOV.UK"`` gives
    ``"child sexual abuse mandatory reporting"``.
    """
    text = clean_title(title)
    for _ in range(2):  # "News story: Consultation outcome: …"
        stripped = _PREFIX_RE.sub("", text, count=1)
        if stripped == text or not stripped.strip():
            break
        text = stripped
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = text.replace("&", " and ")
    text = _APOSTROPHE_S_RE.sub("", text)
    text = _APOSTROPHE_RE.sub("", text)
    return " ".join(_NON_WORD_RE.sub(" ", text).split())


def title_tokens(title: str) -> list[str]:
    """The matching tokens of a title, in order: normalised words without stop words, with
    US spellings and plural endings folded."""
    return [_fold(w) for w in normalise_title(title).split() if w not in _STOP_WORDS]
