"""How much of each field classification reads: at most `MAX_FIELD_CHARS` characters.

Matching the vocabulary costs time in proportion to the text, and one response can carry a
megabyte of description (issue 20). A safeguarding item says what it is about long before
100,000 characters (about 15,000 words, a long report page), so each field is read up to
that cap, cut at the last space before it so no word is read half ("children" cut to
"child" would match a phrase of its own). A cut field is recorded in the evidence, with the
cap (`Classification.truncated`, shown as {"truncated": {"body": 100000}}).
"""

from __future__ import annotations

__all__ = ["MAX_FIELD_CHARS", "bounded"]

MAX_FIELD_CHARS = 100_000
# A "word" longer than this before the cap is cut where the cap falls.
_LONGEST_WORD = 200


def bounded(text: str, cap: int = MAX_FIELD_CHARS) -> tuple[str, bool]:
    """`text` up to `cap` characters, cut at a space, and whether it was cut."""
    if len(text) <= cap:
        return text, False
    if text[cap].isspace():
        return text[:cap], True
    floor = max(0, cap - _LONGEST_WORD)
    for cut in range(cap - 1, floor - 1, -1):
        if text[cut].isspace():
            return text[:cut], True
    return text[:cap], True
