"""A draft summary as stored and shown: the paragraph, its opening, and each quoted sentence.

`UsedSentence.index` counts in `split_sentences()` of the sentence's origin, so the review app
can show where every quoted sentence came from. Both types round-trip through plain JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Draft", "Origin", "UsedSentence"]

# Where a quoted sentence comes from: the standfirst (`Item.summary`) or the page's main text.
Origin = Literal["summary", "main_text"]


@dataclass(frozen=True)
class UsedSentence:
    """One sentence of the publisher's that the draft quotes."""

    text: str  # as it appears in the draft: the publisher's words, possibly trimmed
    origin: Origin  # "summary": Item.summary (the standfirst); "main_text": the page's text
    index: int  # 0-based, in split_sentences() of that origin's text
    trimmed: bool  # words were cut (a leading connective, a trailing clause)
    # The publisher's first person was put in the third person ("Our new paper" → "The Lucy
    # Faithfull Foundation's new paper"): the only rewording a draft does (`person.py`).
    reworded: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "origin": self.origin,
            "index": self.index,
            "trimmed": self.trimmed,
            "reworded": self.reworded,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UsedSentence:
        origin = data["origin"]
        if origin not in ("summary", "main_text"):
            raise ValueError(f"unknown sentence origin {origin!r}")
        return cls(
            text=str(data["text"]),
            origin=origin,
            index=int(data["index"]),
            trimmed=bool(data["trimmed"]),
            # drafts stored before issue 21 have no "reworded": they were never reworded
            reworded=bool(data.get("reworded", False)),
        )


@dataclass(frozen=True)
class Draft:
    """A draft summary: the opening sentence, then the publisher's chosen sentences."""

    text: str  # opening + chosen sentences, one paragraph
    opening: str  # the generated opening sentence
    sentences: tuple[UsedSentence, ...]
    word_limit: int
    words: int
    hit_limit: bool  # a wanted sentence was dropped or trimmed to fit the limit

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-able dict, for storage."""
        return {
            "text": self.text,
            "opening": self.opening,
            "sentences": [s.to_json() for s in self.sentences],
            "word_limit": self.word_limit,
            "words": self.words,
            "hit_limit": self.hit_limit,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        """The inverse of `to_json`."""
        return cls(
            text=str(data["text"]),
            opening=str(data["opening"]),
            sentences=tuple(UsedSentence.from_json(s) for s in data.get("sentences", ())),
            word_limit=int(data["word_limit"]),
            words=int(data["words"]),
            hit_limit=bool(data["hit_limit"]),
        )
