"""Sensitive content: child deaths, case reviews and explicit abuse (issue 11, docs/drafts.md).

An item about a child's death, a case review or explicit abuse gets a flag, and the review app
reminds the editor not to copy identifying or graphic detail into the summary. The flag is
evidence-based like the classifier (aggregator/classify/): phrases from a small vocabulary
(`aggregator/data/sensitive.json`) matched as whole words in the title, the summary and the
main text, each phrase counted once where it weighs most, and every decision carries the
phrases that made it and the field they were found in.

Negative phrases ("rapid evidence review", "death of a pet") win where they overlap a positive
one, because the longest match at a place is the one that counts. A bare "review" or "death"
is not in the vocabulary: only what names a case review or a child's death is.

Pure and cheap: it runs for every crawled item, and reads each field only up to the
classification's cap (`bounds.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from aggregator.classify.bounds import bounded
from aggregator.classify.spans import first_accepted
from aggregator.classify.vocabulary import compile_phrase, normalise_quotes
from aggregator.schema import Item

__all__ = ["FIELDS", "Sensitivity", "SensitiveVocabulary", "assess_sensitivity"]

FIELDS = ("title", "summary", "main_text")
RESOURCE = "data/sensitive.json"
_MAX_EVIDENCE = 12


@dataclass(frozen=True)
class Sensitivity:
    """Whether an item is sensitive, why, and the phrases that say so."""

    flagged: bool
    reasons: tuple[str, ...]  # e.g. ("child death", "case review", "explicit abuse")
    evidence: tuple[str, ...]  # e.g. 'title: "serious case review"'

    def to_json(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "reasons": list(self.reasons),
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sensitivity:
        return cls(
            flagged=bool(data.get("flagged", False)),
            reasons=tuple(str(r) for r in data.get("reasons", ())),
            evidence=tuple(str(e) for e in data.get("evidence", ())),
        )


@dataclass(frozen=True)
class _Phrase:
    text: str
    reason: str | None  # None for a negative phrase
    weight: float
    pattern: re.Pattern[str]
    # The phrase's longest word, lower-cased: a text without it cannot match, and a substring
    # test is far cheaper than the regex (most items match none of the phrases).
    needle: str


class SensitiveVocabulary:
    """The reasons, phrases, negatives, field weights and threshold of sensitive.json."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.threshold = float(data["threshold"])
        self.field_weights = {f: float(data["field_weights"][f]) for f in FIELDS}
        self.reasons: list[str] = [r["reason"] for r in data["reasons"]]
        phrases: list[_Phrase] = []
        for reason in data["reasons"]:
            for entry in reason["phrases"]:
                text = entry["phrase"]
                phrases.append(
                    _Phrase(
                        text,
                        reason["reason"],
                        float(entry["weight"]),
                        _compile(text),
                        _needle(text),
                    )
                )
        for text in data.get("negatives", []):
            phrases.append(_Phrase(text, None, 0.0, _compile(text), _needle(text)))
        self.phrases = phrases

    @classmethod
    def packaged(cls) -> SensitiveVocabulary:
        return _packaged()


def _compile(text: str) -> re.Pattern[str]:
    return compile_phrase(text, [])  # it straightens quotes itself


def _needle(text: str) -> str:
    return max(re.findall(r"[^\W\d_]+", normalise_quotes(text).lower()), key=len, default="")


@lru_cache(maxsize=1)
def _packaged() -> SensitiveVocabulary:
    raw = resources.files("aggregator").joinpath(RESOURCE).read_bytes()
    return SensitiveVocabulary(json.loads(raw))


@dataclass(frozen=True)
class _Hit:
    phrase: _Phrase
    field: str
    matched: str
    contribution: float


def assess_sensitivity(
    item: Item, main_text: str, vocabulary: SensitiveVocabulary | None = None
) -> Sensitivity:
    """The sensitivity flag of an item and its main text, with the evidence for it."""
    vocab = vocabulary or _packaged()
    texts = {"title": item.title or "", "summary": item.summary or "", "main_text": main_text}
    best: dict[int, _Hit] = {}
    for field_name in FIELDS:
        original = bounded(texts[field_name])[0]
        if not original.strip():
            continue
        weight = vocab.field_weights[field_name]
        # quotes are straightened one character for one, so spans found in the normalised
        # text are spans of the original too
        for index, phrase, (start, end) in _accepted(vocab.phrases, normalise_quotes(original)):
            if phrase.reason is None:
                continue  # a negative: it only keeps the positive inside it from counting
            hit = _Hit(phrase, field_name, original[start:end], phrase.weight * weight)
            if index not in best or hit.contribution > best[index].contribution:
                best[index] = hit
    totals: dict[str, float] = {}
    for hit in best.values():
        assert hit.phrase.reason is not None
        totals[hit.phrase.reason] = totals.get(hit.phrase.reason, 0.0) + hit.contribution
    reasons = tuple(r for r in vocab.reasons if totals.get(r, 0.0) >= vocab.threshold - 1e-9)
    hits = sorted(
        (h for h in best.values() if h.phrase.reason in reasons),
        key=lambda h: (
            reasons.index(h.phrase.reason or ""),
            -h.contribution,
            FIELDS.index(h.field),
            h.matched.lower(),
        ),
    )
    evidence = tuple(f'{h.field}: "{h.matched}"' for h in hits[:_MAX_EVIDENCE])
    return Sensitivity(flagged=bool(reasons), reasons=reasons, evidence=evidence)


def _accepted(phrases: list[_Phrase], text: str) -> list[tuple[int, _Phrase, tuple[int, int]]]:
    """Each phrase's first match that no longer, overlapping match swallows."""
    found: list[tuple[int, int, int]] = []
    lowered = text.lower()
    for index, phrase in enumerate(phrases):
        if phrase.needle not in lowered:
            continue
        for match in phrase.pattern.finditer(text):
            if match.end() > match.start():
                found.append((match.start(), match.end(), index))
    # Longest first; at equal length a negative (listed last) loses to nothing it overlaps,
    # and the earlier phrase wins.
    accepted = first_accepted(found)
    return [(index, phrases[index], accepted[index]) for index in sorted(accepted)]
