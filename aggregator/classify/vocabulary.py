"""The vocabulary: topics, relevance cues and negative cues, compiled to whole-word patterns.

`aggregator/data/vocabulary.json` is the data (docs/classification.md); this module turns its
phrases into regexes and gives the file a version (a digest), so a stored classification says
which vocabulary made it. The sensitivity flags (`sensitive.py`) compile their phrases with
the same `compile_phrase`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

FIELDS = ("title", "summary", "body")
PhraseKind = Literal["topic", "cue", "negative", "central"]
VOCABULARY_RESOURCE = "data/vocabulary.json"

_ACRONYM = re.compile(r"^[A-Z]{2,7}s?$")
_SEPARATOR = re.compile(r"([\s\-‐‑]+)")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass(frozen=True)
class Phrase:
    """One vocabulary phrase, compiled."""

    text: str
    weight: float
    kind: PhraseKind
    topic: str | None
    pattern: re.Pattern[str]
    # Supports a decision but never makes it alone ("children", "babies", "school").
    weak: bool = False
    # Counts only beside another safeguarding phrase: an acronym (CSA is also the Child
    # Support Agency), unless the vocabulary says it is unambiguous.
    needs_context: bool = False
    # A word with everyday senses outside safeguarding (software vulnerabilities, a
    # crematorium's bereavement services, staff wellbeing): it counts in full beside any
    # other positive phrase, weak ones included, but alone it never shows an item.
    generic: bool = False
    # Letters every match contains (`required_literal`), looked for in the folded text
    # (`fold`) before the pattern runs: most phrases are absent from most items.
    literal: str = ""


def compile_phrase(
    text: str,
    variants: list[tuple[str, str]],
    case_sensitive: bool | None = None,
    plural: bool = True,
) -> re.Pattern[str]:
    """The regex for a vocabulary phrase (whole words; see docs/classification.md).

    Acronyms written in capitals match case-sensitively ("CSE", not "cse"), and so does a
    phrase marked `case_sensitive`, except that a first letter written small may be a capital
    (a title or a sentence starts with one: "children in need" matches "Children in need", not
    "Children in Need"); a `*` ending a word matches any ending of it ("rais* money": raises,
    raising, raised); a plural s/es is allowed unless `plural` is False; a space or hyphen
    matches either (or none, for a hyphen); an apostrophe is optional; UK/US spelling pairs are
    interchangeable.
    """
    phrase = normalise_quotes(text.strip())
    if case_sensitive is None:
        case_sensitive = bool(_ACRONYM.match(phrase))
    prefix = phrase.endswith("*")
    if prefix:
        phrase = phrase[:-1]
    forms = [phrase]
    if case_sensitive and phrase[:1].islower():
        forms.append(phrase[0].upper() + phrase[1:])
    body = "|".join(_phrase_pattern(form, variants) for form in forms)
    ending = r"\w*" if prefix else (r"(?:s|es)?" if plural else "")
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<!\w)(?:" + body + ")" + ending + r"(?!\w)", flags)


def _phrase_pattern(phrase: str, variants: list[tuple[str, str]]) -> str:
    pieces: list[str] = []
    for part in _SEPARATOR.split(phrase):
        if not part:
            continue
        if _SEPARATOR.fullmatch(part):
            pieces.append(r"[\s\-‐‑]+" if part.strip() == "" else r"[\s\-‐‑]?")
            continue
        pieces.append(_word_pattern(part, variants))
    return "".join(pieces)


def _word_pattern(word: str, variants: list[tuple[str, str]]) -> str:
    if word.endswith("*"):
        # A word ending in `*` takes any ending ("rais* money"); the phrase's last word is
        # `compile_phrase`'s, which also allows the plural.
        return _word_pattern(word[:-1], variants) + r"\w*"
    out: list[str] = []
    i = 0
    lower = word.lower()
    while i < len(word):
        for uk, us in variants:
            if lower.startswith(uk, i):
                out.append(f"(?:{re.escape(uk)}|{re.escape(us)})")
                i += len(uk)
                break
        else:
            char = word[i]
            out.append("'?" if char == "'" else re.escape(char))
            i += 1
    return "".join(out)


def required_literal(text: str, variants: list[tuple[str, str]]) -> str:
    """Letters that every match of `compile_phrase` contains once folded (`fold`): of each
    word, the start up to an optional apostrophe or through the common start of a UK/US
    spelling pair; the longest of these. Empty (the pattern always runs) when that is
    shorter than three letters."""
    phrase = normalise_quotes(text.strip()).rstrip("*")
    best = ""
    for word in _SEPARATOR.split(phrase):
        if not word or _SEPARATOR.fullmatch(word):
            continue
        word = word.casefold()
        cut = len(word)
        for uk, us in variants:
            at = word.find(uk)
            if at != -1:
                cut = min(cut, at + len(os.path.commonprefix([uk, us])))
        for stop in ("'", "*"):
            if stop in word:
                cut = min(cut, word.index(stop))
        if cut > len(best):
            best = word[:cut]
    return best if len(best) >= 3 else ""


def fold(text: str) -> str:
    """Text folded so that whatever a case-insensitive pattern matches contains the folded
    literal: casefold, and the dotless ı that `re.IGNORECASE` matches to i."""
    return text.casefold().replace("ı", "i")


def normalise_quotes(text: str) -> str:
    """Curly quotes as straight ones and no-break spaces as spaces, so a phrase matches
    however the publisher typed it."""
    return text.translate(_QUOTES)


class Vocabulary:
    """The topics, cues, negative cues, weights and threshold of `vocabulary.json`."""

    def __init__(self, data: dict[str, Any], version: str | None = None) -> None:
        self.data = data
        self.version = version or _digest(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        )
        self.threshold = float(data["threshold"])
        # Scores from here up to the threshold are borderline: shown, marked, never hidden.
        self.borderline = float(data.get("borderline", self.threshold))
        self.topic_threshold = float(data.get("topic_threshold", 0.5))
        self.field_weights = {f: float(data["field_weights"][f]) for f in FIELDS}
        self.body_cap = float(data.get("body_cap", 0.5))
        variants = [(uk.lower(), us.lower()) for uk, us in data.get("spelling_variants", [])]
        self.topics: list[str] = [t["label"] for t in data["topics"]]
        self.descriptions = {t["label"]: t.get("description", "") for t in data["topics"]}
        phrases: list[Phrase] = []
        for topic in data["topics"]:
            for entry in topic["phrases"]:
                phrases.append(
                    _phrase(entry, "topic", topic["label"], float(topic["weight"]), variants)
                )
        for entry in data.get("relevance_cues", {}).get("phrases", []):
            phrases.append(_phrase(entry, "cue", None, 0.3, variants))
        for entry in data.get("negative_cues", {}).get("phrases", []):
            phrases.append(_phrase(entry, "negative", None, 1.0, variants))
        for entry in data.get("central_terms", {}).get("phrases", []):
            phrases.append(_phrase(entry, "central", None, 0.0, variants))
        self.phrases = phrases
        # Publisher names that give an item safeguarding context (relevance.py).
        publishers = data.get("safeguarding_publishers", {})
        self.publisher_weight = float(publishers.get("weight", 0.0))
        self.publisher_phrases = _cues(publishers.get("phrases", []), variants)
        self.publisher_exceptions = _cues(publishers.get("except", []), variants)
        # What lifts an item about children into the borderline band (relevance.py).
        focus = data.get("children_focus", {})
        self.children_publishers = _cues(focus.get("publishers", []), variants)
        self.children_subjects = _cues(focus.get("subjects", []), variants)
        self.research_words = _cues(focus.get("research", []), variants)

    @classmethod
    def load(cls, path: Path | str | None = None) -> Vocabulary:
        """The vocabulary at `path`, or the packaged one (cached) when None."""
        if path is None:
            return _packaged()
        raw = Path(path).read_bytes()
        return cls(json.loads(raw), _digest(raw))


@dataclass(frozen=True)
class Cue:
    """A phrase that is looked for, not weighed (in a publisher's name, or what lifts an item
    about children), with the letters every match contains."""

    text: str
    pattern: re.Pattern[str]
    literal: str

    def found_in(self, text: str, folded: str) -> bool:
        """Whether it occurs in `text`, whose `fold` is `folded` (most texts lack the literal,
        and the pattern never runs)."""
        return self.literal in folded and self.pattern.search(text) is not None


def _settings(entry: str | dict[str, Any]) -> dict[str, Any]:
    """A vocabulary entry as its settings: a bare string is {"phrase": it}."""
    return {"phrase": entry} if isinstance(entry, str) else entry


def _cues(entries: list[str | dict[str, Any]], variants: list[tuple[str, str]]) -> list[Cue]:
    """A cue is a string, or {"phrase": …, "plural": false} for a word matched only as
    written ("report" the noun, not "reports", as often the verb)."""
    cues = []
    for entry in entries:
        settings = _settings(entry)
        text = settings["phrase"]
        plural = bool(settings.get("plural", True))
        pattern = compile_phrase(text, variants, plural=plural)
        cues.append(Cue(text, pattern, required_literal(text, variants)))
    return cues


def _phrase(
    entry: str | dict[str, Any],
    kind: PhraseKind,
    topic: str | None,
    default_weight: float,
    variants: list[tuple[str, str]],
) -> Phrase:
    settings = _settings(entry)
    text = settings["phrase"]
    weight = float(settings.get("weight", default_weight))
    case_sensitive = settings.get("case_sensitive")
    acronym = bool(_ACRONYM.match(text.strip())) and case_sensitive is not False
    return Phrase(
        text,
        weight,
        kind,
        topic,
        compile_phrase(text, variants, case_sensitive),
        # A relevance cue says only that an item is about children: weak unless marked.
        weak=bool(settings.get("weak", kind == "cue")),
        needs_context=bool(settings.get("needs_context", acronym and kind == "topic")),
        generic=bool(settings.get("generic", False)),
        literal=required_literal(text, variants),
    )


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:12]


@lru_cache(maxsize=1)
def _packaged() -> Vocabulary:
    raw = resources.files("aggregator").joinpath(VOCABULARY_RESOURCE).read_bytes()
    return Vocabulary(json.loads(raw), _digest(raw))
