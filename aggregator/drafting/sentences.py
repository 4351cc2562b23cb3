"""Splitting the publisher's text into sentences, each an exact substring, in order.

Main text arrives in whatever shape the crawl kept: paragraphs on their own lines, or flattened
to one line. Lines are never joined; within a line a sentence ends at . ! ? or … before a
capital, a digit, a quote or a bracket, unless an abbreviation, an initial or a decimal says
otherwise. Which sentences a draft may quote is decided later (`candidates.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Unit", "bounded_text", "sentence_units", "split_sentences"]

# A full stop after these (lower-cased, without the dot) does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "eg", "ie", "cf", "vs", "viz", "approx", "ca", "c",
        "dr", "mr", "mrs", "ms", "mx", "prof", "st", "rt", "hon", "cllr", "rev", "sr", "jr",
        "gen", "col", "lt", "sgt", "insp", "supt", "det", "dept", "govt",
        "vol", "vols", "p", "pp", "fig", "figs", "para", "paras", "sec", "art", "ch", "ref",
        "tel", "ext", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec",
    }
)  # fmt: skip
# "No. 3", "Nos. 4-6": an abbreviation only before a number.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos"})
# Sentence-ending punctuation, closing quotes/brackets, and whitespace. An optional footnote
# number glued to the full stop ("child protection.1 Perennial") belongs to neither sentence.
# A match starts only where a run of punctuation starts: tried inside a long run ("......"
# with no space after), each start would rescan the rest of the run (quadratic).
_END = re.compile(r"(?<![.!?…])([.!?…]+)([\"'”’)\]]*)(\d{1,2}(?=\s))?(\s+)")
_BULLET_START = re.compile(r"^(?:[•●▪◦‣∙*\-–]|\d{1,2}[.)])\s+")
# Only from the start of a run of spaces, for the same reason as `_END`.
_INLINE_BULLET = re.compile(r"(?<!\s)\s+[•●▪◦‣∙]\s+")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_YEAR_END = re.compile(r"(?<!\d)(?:19|20)\d\d$")


@dataclass(frozen=True)
class Unit:
    """A sentence, list item or fragment, as an exact substring of its source text."""

    text: str
    start: int  # offset in the source text
    list_item: bool


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, each an exact substring of it, in order.

    This is the list `UsedSentence.index` counts in. It keeps everything, headings and
    fragments included: which of them a draft may quote is decided later. Lines are never
    joined (a list item stays apart from the next one); within a line a sentence ends at
    . ! ? or … followed by space and a capital, digit, quote or bracket, except after an
    abbreviation (e.g., Dr., "No. 3") or an initial. Decimals ("2.5") never split.
    """
    return [unit.text for unit in sentence_units(text)]


def bounded_text(text: str, cap: int) -> str:
    """`text` up to `cap` characters, cut at the end of its last whole line before the cap,
    else of its last sentence, else of its last word: every line (and, but for the last,
    every sentence) of the result splits as it does in the whole text."""
    if len(text) <= cap:
        return text
    head = text[:cap]
    line_end = max(head.rfind("\n"), head.rfind("\r"))
    if line_end > 0:
        return head[:line_end].rstrip()
    last_stop = None
    for match in _END.finditer(head):
        last_stop = match
    if last_stop is not None:
        return head[: last_stop.end(2)]
    space = max(head.rfind(" "), head.rfind("\t"))
    return head[:space].rstrip() if space > 0 else head


def sentence_units(text: str) -> list[Unit]:
    """`split_sentences()` with each sentence's offset and whether it is a list item."""
    units: list[Unit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        line_start = offset
        offset += len(line)
        pieces = _line_pieces(line)
        for n, (piece_start, piece) in enumerate(pieces):
            bullet = _BULLET_START.match(piece)
            list_item = bool(bullet) or n > 0
            if bullet:
                piece_start += bullet.end()
                piece = piece[bullet.end() :]
            for start, sentence in _sentences(piece):
                units.append(Unit(sentence, line_start + piece_start + start, list_item))
    return units


def _line_pieces(line: str) -> list[tuple[int, str]]:
    """A line cut at inline bullet characters (a flattened list), with offsets."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in _INLINE_BULLET.finditer(line):
        pieces.append((start, line[start : match.start()]))
        start = match.end()
    pieces.append((start, line[start:]))
    out: list[tuple[int, str]] = []
    for piece_start, piece in pieces:
        stripped = piece.strip()
        if stripped:
            out.append((piece_start + piece.index(stripped), stripped))
    return out


def _sentences(paragraph: str) -> Iterator[tuple[int, str]]:
    start = 0
    for match in _END.finditer(paragraph):
        after = match.end()
        if after >= len(paragraph):
            break
        if not _is_boundary(paragraph, match):
            continue
        end = match.end(2)
        sentence = paragraph[start:end].strip()
        if sentence:
            yield start + paragraph[start:end].index(sentence), sentence
        start = after
    rest = paragraph[start:].strip()
    if rest:
        yield start + paragraph[start:].index(rest), rest


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    following = text[match.end()]
    if not (following.isupper() or following.isdigit() or following in "\"'“‘([>•"):
        return False
    if match.group(3):
        # A footnote number: right after a word or a year ("protection.1 Per…", "2023.2 >"),
        # never after other digits, where it is a decimal ("2.5 In …" does not occur).
        before = text[max(0, match.start() - 5) : match.start()]
        return before[-1:].isalpha() or before[-1:] == ")" or bool(_YEAR_END.search(before))
    punct = match.group(1)
    if punct != "." or match.group(2):
        return True
    # Only the last word matters: look back a little, not to the start of the paragraph.
    token = _TOKEN_BEFORE.search(text, max(0, match.start() - 40), match.start())
    if token is None:
        return True
    word = token.group(1).lstrip("\"'“‘([")
    lower = word.lower()
    if lower in _ABBREVIATIONS:
        return False
    if lower in _NUMBER_ABBREVIATIONS:
        return not following.isdigit()
    # not an initial ("J. K. Rowling")
    return not (len(word) == 1 and word.isalpha() and word.isupper())
