"""Reading a title for the opening sentence: its subject, and the kind of document it names.

Publishers label a title with its kind, before or after a colon, in brackets or at its end
("Free live webinar: …", "…: CASPAR briefing", "… (practitioner guide)", "… clinical guide");
the opening says the kind in its own words and keeps the rest as the subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.drafting.words import MONTH

__all__ = ["ACRONYM", "KIND_WORDS", "Subject", "title_subject"]

# Words naming a kind of document or event, as publishers put them before or after a colon
# in a title ("Free live webinar: …", "…: CASPAR briefing", "… (practitioner guide)").
KIND_WORDS = frozenset(
    {
        "report", "reports", "paper", "papers", "briefing", "briefings", "guide", "guides",
        "guidance", "toolkit", "factsheet", "factsheets", "checklist", "summary",
        "evaluation", "review", "assessment", "statistics", "consultation", "outcome",
        "response", "webinar", "webinars", "session", "sessions", "workshop", "workshops",
        "conference", "seminar", "course", "podcast", "blog", "news", "story", "release",
        "speech", "letter", "resource", "resources", "update", "research", "analysis",
        "data", "framework", "strategy", "leaflet", "handbook", "video", "animation",
        "infographic", "index", "survey", "study", "insight", "event", "events", "episode",
        "masterclass", "training", "learning", "advice", "checklists", "toolkits",
    }
)  # fmt: skip
_KIND_MODIFIERS = frozenset(
    {
        "free", "live", "online", "new", "open", "closed", "official", "national",
        "statutory", "independent", "corporate", "latest", "updated", "interim", "annual",
        "final", "practitioner", "practitioners", "clinical", "quick", "short", "full",
        "easy", "read", "in-person", "virtual", "a", "an", "the", "and", "press", "policy",
        "rapid", "evidence", "programme", "progress", "fact", "sheet", "from", "case",
        "reviews", "key", "government", "consultation", "research", "practice", "points",
        "parents", "carers", "professionals", "schools", "detailed", "technical",
    }
)  # fmt: skip
# What may stand before a kind word ending a title ("… clinical guide"), so that "Monthly case
# reviews update" keeps its subject whole.
_TRAILING_ADJECTIVES = frozenset(
    {"clinical", "practitioner", "practice", "quick", "short", "full", "interim", "annual",
     "final", "progress", "evidence", "rapid", "policy", "technical", "detailed", "online",
     "free", "live", "new", "step-by-step", "parents’", "parents'"}
)  # fmt: skip
_PERIOD = re.compile(
    rf"^(?:{MONTH}\s+\d{{4}}|\d{{4}}(?:\s*(?:to|-|–)\s*\d{{2,4}})?"
    rf"|{MONTH}(?:\s+\d{{4}})?\s+to\s+{MONTH}\s+\d{{4}}|(?:Q[1-4]|quarter \d)\s+\d{{4}})$",
    re.IGNORECASE,
)
# An acronym ("CASPAR", "NSPCC"): part of a kind phrase ("CASPAR briefing"), and a
# publisher's name that takes "the" although no word in it says so.
ACRONYM = re.compile(r"^[A-Z]{2,6}$")


def _is_kind_phrase(text: str, loose: bool = False) -> bool:
    """Whether a title part only names a kind of document: "Free live webinar", "CASPAR
    briefing"; `loose` also takes a short noun phrase headed by a kind word ("a step-by-step
    guide", "knife crime factsheet"), which is safe only after a colon: before one, or at
    the end of a title, the same shape is the subject ("NHS dental recovery plan")."""
    words = [w for w in re.split(r"[\s/]+", text.strip()) if w]
    if not words or len(words) > 6:
        return False
    lower = [w.lower().strip("()") for w in words]
    if not any(w in KIND_WORDS for w in lower):
        return False
    if loose and lower[-1] in KIND_WORDS and len(words) <= 4:
        return True
    return all(
        w in KIND_WORDS or w in _KIND_MODIFIERS or ACRONYM.match(orig)
        for w, orig in zip(lower, words, strict=True)
    )


def _kind_noun(text: str) -> str:
    """A kind phrase as a noun: "Free live webinar" → "free live webinar", acronyms kept."""
    words = text.strip().split()
    if words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Subject:
    """What a title is about, with the kind of document and the audience it names."""

    subject: str
    noun: str | None  # a kind named by the title ("CASPAR briefing", "practitioner guide")
    audience: str  # "for local authorities", from "…: guidance for local authorities"


def title_subject(title: str) -> Subject:
    """The subject of a title, and the kind of document it names, if it names one."""
    title = title.strip().rstrip(".?! ")
    noun: str | None = None
    audience = ""
    paren = re.search(r"\s*\(([^()]+)\)$", title)
    if paren and _is_kind_phrase(paren.group(1)):
        noun = _kind_noun(paren.group(1))
        title = title[: paren.start()]
    if ": " in title:
        first, rest = title.split(": ", 1)
        if _is_kind_phrase(first):
            noun = noun or _kind_noun(first)
            title = rest
        else:
            split = re.split(r"\s+((?:for|to)\s+.+)$", rest, maxsplit=1)
            core, tail = (split[0], split[1]) if len(split) > 1 else (rest, "")
            if _is_kind_phrase(rest, loose=True):
                noun = noun or _kind_noun(rest)
                title = first
            elif tail and _is_kind_phrase(core, loose=True):
                noun = noun or _kind_noun(core)
                audience = tail
                title = first
            elif _PERIOD.match(rest):
                title = f"{first} for {rest}"
            elif re.match(r"(?:the|a|an)\s", rest):
                title = rest
    elif noun is None:
        # "Traumatic bereavement clinical guide": a kind named at the end of the title.
        words = title.split()
        for n in range(min(3, len(words) - 2), 0, -1):
            tail = words[-n:]
            if tail[-1].lower() in KIND_WORDS and all(
                w.lower() in _TRAILING_ADJECTIVES for w in tail[:-1]
            ):
                noun, title = _kind_noun(" ".join(tail)), " ".join(words[:-n])
                break
    return Subject(title.strip(), noun, audience)
