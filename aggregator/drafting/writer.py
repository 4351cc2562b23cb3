"""Draft summaries in the bulletin's voice (issue 11; the method is in docs/drafts.md).

A draft is one paragraph, shaped like every entry of the example bulletin: an opening sentence
built from the item's fields ("The Lucy Faithfull Foundation has published a paper on …"),
then the one or two most informative sentences of the publisher's own standfirst and main
text, in source order, within a word limit the editor sets.

Nothing after the opening is invented. Each chosen sentence is the publisher's words,
possibly trimmed at a clause boundary (a leading "However," or a trailing clause cut to fit
the limit, with a full stop put back) and the draft records which sentence of which text it
used, so the review app can show where a draft came from.

Main text arrives in whatever shape the crawl kept: paragraphs on their own lines, or
flattened to one line, in which case a page's breadcrumbs, repeated title, date line and
headings run straight into its first sentence. The splitter and the cleaning below cope with
both; headings and link labels are dropped, never quoted.

Everything here is a pure function of its inputs (no clock, no network, no database) and
cheap: it runs for every crawled item.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aggregator.normalise.dates import LONDON
from aggregator.normalise.text import clean_title
from aggregator.schema import DocType, Item

__all__ = [
    "DEFAULT_WORD_LIMIT",
    "Draft",
    "UsedSentence",
    "draft_summary",
    "first_sentences",
    "opening_sentence",
    "split_sentences",
]

DEFAULT_WORD_LIMIT = 90
# The example bulletin's entries are an opening and one or two sentences of the publisher's.
MAX_SENTENCES = 2

Origin = Literal["summary", "main_text"]


# --- the result -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UsedSentence:
    """One sentence of the publisher's that the draft quotes."""

    text: str  # as it appears in the draft: the publisher's words, possibly trimmed
    origin: Origin  # "summary": Item.summary (the standfirst); "main_text": the page's text
    index: int  # 0-based, in split_sentences() of that origin's text
    trimmed: bool  # words were cut (a leading connective, a trailing clause)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "origin": self.origin,
            "index": self.index,
            "trimmed": self.trimmed,
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


def word_count(text: str) -> int:
    """Words as an editor counts them: runs of non-space characters."""
    return len(text.split())


# --- sentence splitting ---------------------------------------------------------------------

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
_END = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\d{1,2}(?=\s))?(\s+)")
_BULLET_START = re.compile(r"^(?:[•●▪◦‣∙*\-–]|\d{1,2}[.)])\s+")
_INLINE_BULLET = re.compile(r"\s+[•●▪◦‣∙]\s+")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_YEAR_END = re.compile(r"(?<!\d)(?:19|20)\d\d$")


@dataclass(frozen=True)
class _Unit:
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
    return [unit.text for unit in _units(text)]


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
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
                units.append(_Unit(sentence, line_start + piece_start + start, list_item))
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


# --- cleaning units into candidate sentences ------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_FULL_DATE = rf"(?:{_WEEKDAY},?\s+)?(?:{_DAY}\s+{_MONTH}|{_MONTH}\s+{_DAY}),?\s+\d{{4}}"
_ANY_DATE = rf"(?:{_FULL_DATE}|{_MONTH}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}})"
_CLOCK = r"\d{1,2}(?:[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?|\s*[AaPp]\.?[Mm]\.?)"
_TIMES = rf"{_CLOCK}(?:\s*(?:[-–—]|to)\s*{_CLOCK})?(?:\s*\(?(?:BST|GMT|UTC)\)?)?"
# A page's date line run into its first sentence ("Thursday May 16, 2024, 05:00 PM – 06:30 PM
# BST In this session …") or a labelled one ("Publication date April 2024 Agencies …").
_DATE_PREFIX = re.compile(rf"^{_FULL_DATE}(?:,?\s*(?:at|from)?\s*{_TIMES})?\s+(?=[A-Z\"“‘'(])")
_META_PREFIX = re.compile(
    r"^(?:Publication date|Date published|Published(?: on)?|First published|Last updated"
    rf"|Updated(?: on)?|Last reviewed|Posted(?: on)?|Date)\s*:?\s*(?:on\s+)?{_ANY_DATE}"
    rf"(?:,?\s*{_TIMES})?\s+(?=\S)",
    re.IGNORECASE,
)
_FOOTNOTE_PREFIX = re.compile(r"^\d{1,2}\s+(?=[A-Z>])")
# Leading connectives that only make sense after the sentence before (which the draft does not
# quote); trimming them keeps the sentence readable on its own.
_LEADING_TRIM = re.compile(
    r"^(?:However|In addition|Additionally|Also|Furthermore|Moreover|Overall|In summary"
    r"|In short|Meanwhile|As a result|Importantly|Crucially|Finally"
    r"|In this (?:report|briefing|paper|guide|guidance|article|blog|post|session|webinar"
    r"|podcast|episode|resource|study|document|consultation|update|course)),\s+(?=\w)",
)
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")

# A heading or link label run into the sentence after it, on a flattened page: "Key findings
# Many children said …", "Overview The Home Office has …", "> See our briefing … For this
# briefing we …". The sentence restarts at a capitalised word that often opens a sentence
# and never follows a lower-case content word inside one.
_STARTERS = frozenset(
    {
        "The", "This", "These", "Those", "It", "Its", "Our", "We", "They", "Their", "There",
        "Many", "Most", "Some", "Each", "Every", "All", "In", "For", "From", "Through",
        "Under", "When", "Where", "While", "If", "A", "An", "You", "Your", "He", "She",
        "His", "Her", "More", "Over", "Almost", "Nearly", "Around", "Only", "Since",
        "During", "After", "Before", "Speakers", "Join",
    }
)  # fmt: skip
# After a capitalised word only these restart a sentence ("Overview The …"), because "In",
# "For" or "A" inside a title-case name ("Keeping Children Safe In Education") must not.
_STRONG_STARTERS = frozenset(
    {
        "The", "This", "These", "It", "Our", "We", "They", "Many", "Most", "Some", "Each",
        "Every", "If", "When", "Where", "Through", "Under", "You", "Your", "Join",
    }
)  # fmt: skip
# Words after which a capitalised "The" is the start of a name, not of a sentence.
_FUNCTION_WORDS = frozenset(
    {
        "by", "of", "from", "with", "at", "to", "and", "or", "for", "the", "a", "an", "in",
        "on", "is", "are", "was", "were", "be", "been", "being", "called", "named",
        "titled", "entitled", "said", "says", "told", "as", "into", "via", "about", "than",
        "like", "including", "between", "against", "across", "under", "over", "nor", "but",
        "whether", "that", "which", "who", "whom", "whose", "&", "see", "visit", "read",
    }
)  # fmt: skip
_WORD_SPAN = re.compile(r"\S+")

_BOILERPLATE = re.compile(
    r"\bcookies?\b|\bnewsletters?\b|\bsign(?:ing)? up\b|\bsubscrib\w*|\bclick here\b"
    r"|\bread more\b|\bfind out more\b|\blearn more\b|\bshare (?:this|on|via)\b"
    r"|\bfollow us\b|\bcontact us\b|\bget in touch\b|\bemail us\b|\bcall us\b"
    r"|@|https?://|www\.|\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\bjavascript\b|\bbrowser\b"
    r"|\bprivacy (?:policy|notice)\b|\bterms (?:and|&) conditions\b|\ball rights reserved\b"
    r"|©|\bskip to\b|\bback to top\b|\bthis website\b|\bdonat(?:e|ion)\b"
    r"|\bif you (?:are|’re|'re) (?:worried|concerned)\b|\bif you have (?:any )?questions\b"
    r"|\bif you need (?:help|support|to talk)\b|\bhelpline\b.*\b(?:call|contact|confidential)"
    r"|\b(?:call|contact)\b.*\bhelpline\b|\bdownload (?:the|our|this)\b|\bbook (?:a|your) place\b"
    r"|\bregister (?:now|here|for)\b|\blisten (?:now|here|on)\b|\bwatch (?:now|here)\b",
    re.IGNORECASE,
)
# A reference-list entry: "HM Government (2023) Working together …".
_CITATION = re.compile(r"^[A-Z][\w .,&'’-]{0,80}\(\d{4}[a-z]?\)|\bet al\b")

# An arrow link or a call to action run into the next sentence: "> See our briefing on …",
# "Read the government response: …". Whatever follows it on the line is a new sentence.
_LINK_MARK = re.compile(
    r"^(?:[>›→»]\s*|(?:Read|Download|See|View|Watch|Listen to|Book|Register for)"
    r"\s+(?:the|our|this|a|an|more)\b[^.!?]{0,120}?:\s+)"
)
# Section headings of reports and articles, run into the sentence after them on a
# flattened page ("Key findings Many children said …", "Recommendations Professionals …").
_HEADING_PREFIX = re.compile(
    r"^(?:Key findings|Main findings|Findings|Recommendations|Overview|Background|Summary"
    r"|Introduction|Conclusions?|Context|Methodology|Methods?|Results|Aims|Objectives"
    r"|Outcomes|Next steps|Details|Description|Transcript|Contents|What we found|Key points"
    r"|Key messages|Learning points|Abstract|About (?:this|the) \w+|Who (?:it|this) is for)"
    r"\s+(?=[A-Z])"
)


@dataclass
class _Candidate:
    text: str
    origin: Origin
    index: int  # in split_sentences() of the origin's text
    rank: int  # position among the origin's candidates
    list_item: bool
    trimmed: bool
    stems: frozenset[str]
    words: int
    key_point: bool = False  # under a "Key findings" / "Recommendations" heading
    score: float = 0.0


def _word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD_SPAN.finditer(text)]


def _cut_glued_heading(text: str, limit: int = 12) -> str | None:
    """The sentence after a heading run into it, or None when there is none."""
    spans = _word_spans(text)
    words = [text[s:e] for s, e in spans]
    for i in range(1, min(len(words) - 4, limit + 1)):
        word, prev = words[i], words[i - 1]
        if word not in _STARTERS or prev[-1] in ".,;:!?":
            continue
        core = prev.strip("\"'“”‘’()[]")
        if not core or core.lower() in _FUNCTION_WORDS:
            continue
        if core[0].islower() or core[0].isdigit():
            return text[spans[i][0] :]
        heading_like = all(not w[0].isalpha() or w[0].isupper() for w in words[:i])
        if word in _STRONG_STARTERS and heading_like:
            return text[spans[i][0] :]
    return None


_WORD = re.compile(r"\w+")


def _word_sequence(text: str) -> tuple[str, ...]:
    """A title or standfirst as lower-case words, to find it whatever its punctuation."""
    return tuple(w.lower() for w in _WORD.findall(text))


def _strip_repeats(text: str, repeats: list[tuple[str, ...]]) -> str:
    """Text after the last repeat of the title or standfirst near its start (breadcrumbs
    and the page's own heading come before it)."""
    window = text[: 300 + max(len(" ".join(r)) for r in repeats) + 50]
    spans = [m.span() for m in _WORD.finditer(window)]
    words = [window[s:e].lower() for s, e in spans]
    cut = 0
    for repeat in repeats:
        n = len(repeat)
        for i in range(len(words) - n + 1):
            if spans[i][0] > 300:
                break
            if tuple(words[i : i + n]) == repeat and _starts_anew(text, spans[i + n - 1][1]):
                cut = max(cut, spans[i + n - 1][1])
    return text[cut:].lstrip(_AFTER_REPEAT) if cut else text


_AFTER_REPEAT = " \t:–—-|>\"”’'"


def _starts_anew(text: str, at: int) -> bool:
    """Whether a new sentence (or nothing) follows position `at`: a repeated title runs into
    the page's first sentence, while the same words inside a sentence run on in lower case."""
    rest = text[at:].lstrip(_AFTER_REPEAT)
    return not rest or rest[0].isupper() or rest[0].isdigit() or rest[0] in "“‘\"'("


def _clean(unit: _Unit, origin: Origin, head: list[tuple[str, ...]]) -> tuple[str, bool] | None:
    """The quotable sentence in a unit (a substring of it) and whether words were trimmed.

    None for headings, link labels, dates and other fragments.
    """
    text = unit.text
    if origin == "main_text" and unit.start < 500 and head:
        text = _strip_repeats(text, head)
    for _ in range(4):  # a unit can carry a footnote, a date line and a heading, in any order
        before = text
        text = _FOOTNOTE_PREFIX.sub("", text)
        text = _META_PREFIX.sub("", text)
        text = _DATE_PREFIX.sub("", text)
        if origin == "main_text":
            text = _HEADING_PREFIX.sub("", text)
        link = _LINK_MARK.match(text)
        if link:
            # A link label run into the next sentence, or alone (then nothing to quote).
            rest = text[link.end() :]
            after = _cut_glued_heading(rest, limit=25)
            if after is None:
                return None
            text = after
        elif origin == "main_text":
            text = _cut_glued_heading(text) or text
        if text == before:
            break
    text = text.strip()
    # Only a cut inside the sentence's own words counts as trimming: a glued heading, date
    # line or footnote dropped above was never part of the sentence.
    trimmed = False
    lead = _LEADING_TRIM.match(text)
    if lead:
        text = text[lead.end() :]
        text = text[0].upper() + text[1:]
        trimmed = True
    words = word_count(text)
    if words < 4 or not any(c.isalpha() for c in text):
        return None
    # Without a full stop: a heading, a button or a trailing line of links; but a list item
    # or the publisher's standfirst may lack one and still be prose.
    prose_anyway = (unit.list_item or origin == "summary") and words >= 6
    if not _TERMINAL.search(text) and not prose_anyway:
        return None
    return text, trimmed


# --- scoring --------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
        "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
        "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
        "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
        "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
        "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
        "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
        "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so",
        "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
        "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
        "yourselves", "new", "s", "t",
    }
)  # fmt: skip
_IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man"}


def _stem(word: str) -> str:
    """A crude stem, enough to match "findings" with "finding" and "reviews" with "review"."""
    word = _IRREGULAR.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    return word


def _stems(text: str) -> frozenset[str]:
    return frozenset(
        _stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS
    )


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
    title: frozenset[str]
    opening: frozenset[str]
    recurring: frozenset[str]  # stems found in more than one candidate
    type_cue: re.Pattern[str] | None


def _score(candidate: _Candidate, ctx: _Context) -> float:
    stems, text = candidate.stems, candidate.text
    if not stems or _BOILERPLATE.search(text) or _CITATION.search(text):
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


# Headings under which a publisher lists what matters most.
_KEY_HEADING = re.compile(
    r"^(?:key |main )?(?:findings|recommendations|points|messages|learning|conclusions?"
    r"|what we found|summary|key points|key messages|learning points|at a glance)\b",
    re.IGNORECASE,
)


def _candidates(item: Item, main_text: str) -> list[_Candidate]:
    """Every quotable sentence of the standfirst and the main text, in source order.

    A main-text sentence that repeats one of the standfirst (pages often open with it) is
    left out: the standfirst's copy is the one a draft cites.
    """
    title = clean_title(item.title)
    head = [w for w in (_word_sequence(title), _word_sequence(item.summary)) if len(w) >= 2]
    found: list[_Candidate] = []
    seen: list[frozenset[str]] = []
    for origin, text in (("summary", item.summary), ("main_text", main_text)):
        rank = 0
        key_section = False  # the sentences since a key heading, on its own line or run in
        for index, unit in enumerate(_units(text or "")):
            if origin == "main_text" and _KEY_HEADING.match(unit.text):
                run_in = not _TERMINAL.search(unit.text) and word_count(unit.text) <= 4
                key_section = run_in or bool(_HEADING_PREFIX.match(unit.text))
            cleaned = _clean(unit, origin, head)  # type: ignore[arg-type]
            if cleaned is None:
                continue
            sentence, trimmed = cleaned
            stems = _stems(sentence)
            if any(_similar(stems, other) for other in seen):
                continue
            seen.append(stems)
            found.append(
                _Candidate(
                    text=sentence,
                    origin=origin,  # type: ignore[arg-type]
                    index=index,
                    rank=rank,
                    # A line that starts in lower case continues a list ("…hard to know:").
                    list_item=unit.list_item or sentence[:1].islower(),
                    key_point=key_section,
                    trimmed=trimmed,
                    stems=stems,
                    words=word_count(sentence),
                )
            )
            rank += 1
    return found


def _similar(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= threshold


# --- fitting the limit ----------------------------------------------------------------------

# Where a sentence may be cut to fit: before a clause ("…, including …", "…, and discusses
# …", "…; …", "… – …", "… (…"), never between the items of a list ("loneliness, stress").
_CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:including|such as|from|which|who|whose|where|when|while|and|but|so|as|with"
    r"|without|because|although|though|whether|alongside|by|to|for|especially|particularly"
    r"|following|after|before|in|on|at|through|using|drawing|based)\b)"
    r"|;\s+|\s+[–—]\s+|\s+\(|:\s+"
)
MIN_TRIMMED_WORDS = 8


def _with_stop(text: str) -> str:
    """A sentence ending in a full stop (a standfirst often has none)."""
    text = text.rstrip()
    return text if _TERMINAL.search(text) else text.rstrip(",;:–— ") + "."


def _trim_to(text: str, budget: int) -> str | None:
    """The longest head of `text` ending at a clause boundary that fits `budget` words."""
    for match in reversed(list(_CLAUSE_BREAK.finditer(text))):
        head = text[: match.start()].rstrip(",;:–— ")
        words = word_count(head)
        if words > budget:
            continue
        if words < MIN_TRIMMED_WORDS or not _balanced(head):
            return None
        return head + "."
    return None


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")") and text.count("“") == text.count("”")


# --- the draft ------------------------------------------------------------------------------


def draft_summary(item: Item, main_text: str, word_limit: int = DEFAULT_WORD_LIMIT) -> Draft:
    """The draft paragraph for an item: the opening, then the best one or two sentences.

    Sentences are scored on overlap with the title, how central their words are to the page,
    cue phrases ("sets out", "findings", "aimed at"), position and length; boilerplate,
    references, questions and sentences that repeat the opening are never chosen. The chosen
    ones keep their source order. A sentence too long for what is left of `word_limit` is
    cut at a clause boundary, or skipped for the next best; either sets `hit_limit`. The
    opening is never cut, so a limit shorter than it gives the opening alone.
    """
    opening = opening_sentence(item, main_text)
    candidates = _candidates(item, main_text)
    ctx = _context(item, opening, candidates)
    for candidate in candidates:
        candidate.score = _score(candidate, ctx)
    ranked = sorted(
        (c for c in candidates if c.score > 0.0),
        key=lambda c: (-c.score, c.origin != "summary", c.rank),
    )
    budget = word_limit - word_count(opening)
    chosen: list[tuple[_Candidate, str, bool]] = []
    hit_limit = budget < 0
    for candidate in ranked:
        if len(chosen) == MAX_SENTENCES:
            break
        if any(_similar(candidate.stems, c.stems, 0.5) for c, _, _ in chosen):
            continue
        if chosen and _redundant(candidate, [c for c, _, _ in chosen], ranked):
            continue
        text, trimmed = _with_stop(candidate.text), candidate.trimmed
        if word_count(text) > budget:
            # Wanted but too long: cut a trailing clause, else try the next best.
            hit_limit = True
            cut = _trim_to(candidate.text, budget)
            if cut is None:
                continue
            text, trimmed = cut, True
        chosen.append((candidate, text, trimmed))
        budget -= word_count(text)
    chosen.sort(key=lambda c: (c[0].origin != "summary", c[0].index))
    used = tuple(UsedSentence(text, c.origin, c.index, trimmed) for c, text, trimmed in chosen)
    paragraph = " ".join([opening, *(u.text for u in used)])
    return Draft(
        text=paragraph,
        opening=opening,
        sentences=used,
        word_limit=word_limit,
        words=word_count(paragraph),
        hit_limit=hit_limit,
    )


def _redundant(candidate: _Candidate, chosen: list[_Candidate], ranked: list[_Candidate]) -> bool:
    """Whether a better second sentence exists once overlap with the first is discounted.

    Two sentences that say the same in other words (a standfirst and the page's own first
    line) waste the draft’s room: each candidate’s score loses the share of its words
    already chosen, and the best after that discount wins.
    """

    taken = frozenset().union(*(p.stems for p in chosen))

    def discounted(c: _Candidate) -> float:
        return c.score - len(c.stems & taken) / max(len(c.stems), 1)

    others = [c for c in ranked if c is not candidate and all(c is not p for p in chosen)]
    best = max(others, key=discounted, default=None)
    return best is not None and discounted(best) > discounted(candidate)


def _context(item: Item, opening: str, candidates: list[_Candidate]) -> _Context:
    counts: Counter[str] = Counter()
    for candidate in candidates:
        counts.update(candidate.stems)
    return _Context(
        title=_stems(clean_title(item.title)),
        opening=_stems(opening),
        recurring=frozenset(s for s, n in counts.items() if n >= 2),
        type_cue=_TYPE_CUES.get(DocType(item.doc_type)),
    )


def first_sentences(item: Item, main_text: str, count: int = 2) -> str:
    """The evaluation's baseline: the first `count` sentences of the standfirst and main text.

    The same splitter and cleaning as the drafts (headings, dates and a repeated standfirst
    dropped), with no opening and no choosing.
    """
    return " ".join(_with_stop(c.text) for c in _candidates(item, main_text)[:count])


# --- the opening sentence -------------------------------------------------------------------

# Words naming a kind of document or event, as publishers put them before or after a colon
# in a title ("Free live webinar: …", "…: CASPAR briefing", "… (practitioner guide)").
_KIND_WORDS = frozenset(
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
# Nouns with no "a": "has published guidance on …", "has published statistics on …".
_MASS_NOUNS = frozenset(
    {"guidance", "statistics", "research", "data", "news", "information", "advice", "analysis",
     "training", "learning", "evidence"}
)  # fmt: skip
_PERIOD = re.compile(
    rf"^(?:{_MONTH}\s+\d{{4}}|\d{{4}}(?:\s*(?:to|-|–)\s*\d{{2,4}})?"
    rf"|{_MONTH}(?:\s+\d{{4}})?\s+to\s+{_MONTH}\s+\d{{4}}|(?:Q[1-4]|quarter \d)\s+\d{{4}})$",
    re.IGNORECASE,
)
_RESPONSE_LABEL = re.compile(
    r"^(?:consultation outcome|consultation response|government response|outcome|response)"
    r"(?:\s+to(?:\s+the)?(?:\s+consultation\s+on)?)?\s*:?\s*",
    re.IGNORECASE,
)
_EVENT_KIND = re.compile(
    r"\b(webinar|live session|online session|workshop|conference|seminar|masterclass|course"
    r"|training|event|session)s?\b",
    re.IGNORECASE,
)
_FREE_EVENT = re.compile(
    r"\bfree\b(?=[^.]{0,40}\b(?:webinar|session|event|place|ticket|workshop|course|attend))"
    r"|\bfree (?:of charge|to attend)\b",
    re.IGNORECASE,
)
# How a publisher names its own document ("Our new paper looks at …", "This guide is for …").
_TEXT_NOUN = re.compile(
    r"\b(?:[Oo]ur|[Tt]his|[Aa] new|[Tt]he new) (?:new |latest |short )?(paper|report|briefing"
    r"|guide|toolkit|factsheet|checklist|study|survey|index|handbook|leaflet|framework)\b",
    re.IGNORECASE,
)
# Which document nouns a publisher's own wording may substitute for the type's default.
_NOUN_CHOICES: dict[DocType, frozenset[str]] = {
    DocType.REPORT: frozenset({"paper", "report", "study", "survey", "index"}),
    DocType.GUIDANCE: frozenset({"guide", "toolkit", "checklist", "factsheet", "handbook",
                                 "leaflet", "framework"}),
    DocType.BRIEFING: frozenset({"briefing", "paper"}),
    DocType.RESOURCE: frozenset({"guide", "toolkit", "checklist", "factsheet", "handbook",
                                 "leaflet", "briefing", "paper"}),
    DocType.OTHER: frozenset({"paper", "report", "briefing", "guide", "toolkit", "factsheet",
                              "checklist", "study", "survey", "handbook", "leaflet"}),
}  # fmt: skip
_DEFAULT_NOUN: dict[DocType, str] = {
    DocType.NEWS: "news",
    DocType.REPORT: "report",
    DocType.GUIDANCE: "guidance",
    DocType.STATUTORY_GUIDANCE: "statutory guidance",
    DocType.CONSULTATION: "consultation",
    DocType.BRIEFING: "briefing",
    DocType.STATISTICS: "statistics",
    DocType.EVALUATION: "evaluation",
    DocType.EVENT: "event",
    DocType.PODCAST: "podcast episode",
    DocType.RESOURCE: "resource",
    DocType.POLICY_PAPER: "policy paper",
    DocType.OTHER: "information",
}
# Publishers' names that take "the" although no word in them says so.
_THE_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_NO_ARTICLE = frozenset({"UNICEF", "NICE", "CEOP", "Ofsted", "Ofcom"})
_INSTITUTIONS = frozenset(
    {
        "Office", "Department", "Ministry", "Foundation", "Council", "Trust", "Society",
        "Agency", "Commission", "Commissioner", "Panel", "Government", "Service", "Board",
        "Centre", "Institute", "Association", "Alliance", "Network", "Partnership", "Unit",
        "Authority", "College", "Executive", "Inspectorate", "Ombudsman", "Coalition",
        "Consortium", "Forum", "Federation", "Children's", "Children’s", "Inspector",
        "Regulator", "Tribunal", "Court", "Police", "Constabulary", "Library",
    }
)  # fmt: skip
_ALWAYS_PROPER = frozenset(
    {"England", "Wales", "Scotland", "Ireland", "Northern", "UK", "British", "English",
     "Welsh", "Scottish", "Irish", "Britain", "London", "Parliament", "Europe", "European",
     "January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
     "Friday", "Saturday", "Sunday", "I"}
)  # fmt: skip
# A news headline that is a clause ("Helpline sees rise in calls", "Report published") does
# not fit "has published news on …": it is quoted instead.
_HEADLINE_VERB = re.compile(
    r"\b(?:announces?|announced|launch(?:es|ed)?|sees|saw|published|updated|confirmed|confirms"
    r"|expands?|urged|calls?|warns?|reveals?|shows?|finds|welcomes?|is|are|was|were|will|has"
    r"|have|comes?|come|receives?|recruits?|showcases?|marks|joins?|unveils?|opens?|says"
    r"|told|rises?|falls?|to be)\b",
    re.IGNORECASE,
)


def publisher_phrase(publisher: str) -> str:
    """The publisher as a sentence's subject: "The Home Office", "Internet Matters"."""
    name = " ".join(publisher.split()) or "The publisher"
    if name.lower().startswith("the ") or name in _NO_ARTICLE:
        return name[0].upper() + name[1:]
    words = name.split()
    if _THE_ACRONYM.match(name) or any(w in _INSTITUTIONS for w in words):
        return f"The {name}"
    return name


def _article(noun: str) -> str:
    """ "a" or "an" for a countable singular noun phrase; "" for mass and plural nouns."""
    head = noun.split()[-1].lower()
    if head in _MASS_NOUNS or (head.endswith("s") and not head.endswith(("ss", "us", "is"))):
        return ""
    first = noun.split()[0]
    if _THE_ACRONYM.match(first):
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    lower = first.lower()
    vowel = lower[0] in "aeio" or (lower[0] == "u" and not lower.startswith(("uni", "use", "usu")))
    return "an" if vowel or lower.startswith(("hour", "honest")) else "a"


def _with_article(noun: str) -> str:
    article = _article(noun)
    return f"{article} {noun}" if article else noun


def _is_kind_phrase(text: str, loose: bool = False) -> bool:
    """Whether a title part only names a kind of document: "Free live webinar", "CASPAR
    briefing"; `loose` also takes a short noun phrase headed by a kind word ("a step-by-step
    guide", "knife crime factsheet"), which is safe only after a colon: before one, or at
    the end of a title, the same shape is the subject ("NHS dental recovery plan")."""
    words = [w for w in re.split(r"[\s/]+", text.strip()) if w]
    if not words or len(words) > 6:
        return False
    lower = [w.lower().strip("()") for w in words]
    if not any(w in _KIND_WORDS for w in lower):
        return False
    if loose and lower[-1] in _KIND_WORDS and len(words) <= 4:
        return True
    return all(
        w in _KIND_WORDS or w in _KIND_MODIFIERS or _THE_ACRONYM.match(orig)
        for w, orig in zip(lower, words, strict=True)
    )


def _kind_noun(text: str) -> str:
    """A kind phrase as a noun: "Free live webinar" → "free live webinar", acronyms kept."""
    words = text.strip().split()
    if words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class _Subject:
    subject: str
    noun: str | None  # a kind named by the title ("CASPAR briefing", "practitioner guide")
    audience: str  # "for local authorities", from "…: guidance for local authorities"


def _title_subject(title: str) -> _Subject:
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
            if tail[-1].lower() in _KIND_WORDS and all(
                w.lower() in _TRAILING_ADJECTIVES for w in tail[:-1]
            ):
                noun, title = _kind_noun(" ".join(tail)), " ".join(words[:-n])
                break
    return _Subject(title.strip(), noun, audience)


_CASE_WORD = re.compile(r"[A-Za-z][\w’'-]*")
# After these (or at the start of a line) a capital only says a sentence or heading begins.
_SENTENCE_START = frozenset(".!?:>•\n\"“‘'(")


@dataclass(frozen=True)
class _Casing:
    """How the publisher's own text writes each word, read once per item."""

    capitalised: frozenset[str]  # seen capitalised inside a sentence
    lower: frozenset[str]  # seen in lower case
    often: frozenset[str]  # capitalised at least twice, anywhere, and never in lower case
    text: str  # the texts joined, to look for multi-word names


def _casing(texts: list[str]) -> _Casing:
    capitalised: set[str] = set()
    lower: set[str] = set()
    counts: Counter[str] = Counter()
    for text in texts:
        for match in _CASE_WORD.finditer(text):
            word = match.group()
            key = re.sub(r"[’']s$", "", word).lower()
            if not word[0].isupper():
                lower.add(key)
                continue
            counts[key] += 1
            if _mid_sentence(text, match.start()):
                capitalised.add(key)
    # -ing, -ed and -ly words are capitalised only to start a sentence or a title.
    often = {
        w
        for w, n in counts.items()
        if n >= 2 and w not in lower and not w.endswith(("ing", "ed", "ly"))
    }
    return _Casing(frozenset(capitalised), frozenset(lower), frozenset(often), "\n".join(texts))


def _sentence_case(subject: str, casing: _Casing) -> str:
    """The subject lower-cased as it would be mid-sentence, keeping names and acronyms.

    A word stays capitalised when it is an acronym, has inner capitals, is a place, nation,
    month or day, belongs to a multi-word name the publisher's text also capitalises
    ("Serious Violence Duty"), or the text capitalises it inside a sentence (or often, and
    never in lower case: "Ofcom"). In a title-case title every capitalised word is tested; in
    sentence case only the first (the rest were capitalised on purpose).
    """
    words = subject.split(" ")
    if not words or not words[0]:
        return subject
    named = _named_spans(words, casing.text)

    def keep(n: int, word: str) -> bool:
        if n in named:
            return True
        core = word.strip("\"'“”‘’()[],:;")
        bare = re.sub(r"[’']s$", "", core)
        if not bare or not bare[0].isupper():
            return True
        if bare.isupper() and len(bare) > 1 or any(c.isupper() for c in bare[1:]):
            return True
        if bare in _ALWAYS_PROPER or bare.split("-")[0] in _ALWAYS_PROPER:
            return True
        key = bare.lower()
        if key in casing.lower:
            return False
        return key in casing.capitalised or key in casing.often

    content = [w for w in words[1:] if re.match(r"[A-Za-z]", w) and w.lower() not in _STOPWORDS]
    title_case = len(content) >= 2 and sum(w[0].isupper() for w in content) >= 0.75 * len(content)
    if not title_case and len(words) > 1 and words[1][:1].isupper():
        named.add(0)  # "Home Office spending …": a sentence-case title opening with a name
    out: list[str] = []
    for n, word in enumerate(words):
        if (n == 0 or title_case) and not keep(n, word):
            index = next((i for i, c in enumerate(word) if c.isalpha()), 0)
            word = word[:index] + word[index].lower() + word[index + 1 :]
        out.append(word)
    return " ".join(out)


def _named_spans(words: list[str], text: str) -> set[int]:
    """Positions of title words in a multi-word name the publisher's text also capitalises
    ("Tobacco and Vapes Bill", "Serious Violence Duty", "Family Hubs and Start for Life")."""
    cores = [w.strip("\"'“”‘’()[],:;?!") for w in words]
    kept: set[int] = set()
    for i, first in enumerate(cores):
        if not first[:1].isupper() or i in kept:
            continue
        for j in range(min(len(cores), i + 7) - 1, i, -1):
            if cores[j][:1].isupper() and _inside_sentence(" ".join(cores[i : j + 1]), text):
                kept.update(range(i, j + 1))
                break
    return kept


def _inside_sentence(phrase: str, text: str) -> bool:
    """Whether `phrase` occurs in `text` other than at the start of a sentence or line."""
    at = text.find(phrase)
    while at != -1:
        if _mid_sentence(text, at):
            return True
        at = text.find(phrase, at + 1)
    return False


def _mid_sentence(text: str, at: int) -> bool:
    """Whether `text[at:]` follows other words of its sentence on its line (not the start of
    the text, a line or a sentence)."""
    j = at - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j >= 0 and text[j] not in _SENTENCE_START


def _is_update(item: Item) -> bool:
    """A substantive change upstream: a change note, or a date well after first publication.

    A WordPress "modified" date a few days after publishing is usually a correction, and a
    GOV.UK "First published." note is no change at all.
    """
    if item.updated is None:
        return False
    note = (item.change_note or "").strip().lower()
    if note and not note.startswith("first published"):
        return True
    return item.published is not None and (item.updated - item.published).days >= 30


def _event_when(start: datetime, end: datetime | None) -> str:
    local = start.astimezone(LONDON)
    day = f"{local.day} {local:%B %Y}"
    if end is not None:
        local_end = end.astimezone(LONDON)
        if local_end.date() != local.date():
            return f"from {day} to {local_end.day} {local_end:%B %Y}"
        if (local.hour, local.minute) != (0, 0):
            return f"on {day} from {_clock(local)} to {_clock(local_end)}"
    if (local.hour, local.minute) != (0, 0):
        return f"on {day} at {_clock(local)}"
    return f"on {day}"


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}.{moment.minute:02d}{suffix}"


# Titles that are an instruction or a question, or speak as the publisher ("Our annual
# report"): they do not read as a topic after "has published a resource on".
_NOT_A_TOPIC = re.compile(
    r"^(?:our|your|my|we|how|what|why|when|where|who|which|is|are|can|should|do|does"
    r"|build|help|keep|talk|find|make|support|understand|spot|protect|get|learn|use|start"
    r"|stay|set|create|tackle|take|know|respond|recognise|recognize|prevent|work|check|ask"
    r"|listen|explore|discover|tell|share|join|be|give|look|try|let|meet|see|watch|read)\b",
    re.IGNORECASE,
)


def _not_a_topic(subject: str) -> bool:
    """`subject` is sentence-cased: a first word still capitalised is a name ("Start for
    Life"), not an instruction."""
    bare = subject.strip("\"'“”‘’ ")
    return bool(bare[:1].islower() and _NOT_A_TOPIC.match(bare))


def opening_sentence(item: Item, main_text: str = "") -> str:
    """The generated first sentence: who published what, on which subject.

    Chosen by document type ("has published its response to the consultation on …", "is
    holding a free webinar on … on 16 May 2024", "has updated its guidance on …"). The subject
    is the title without kind labels ("Free live webinar:", "…: CASPAR briefing"), in
    sentence case. "free" is said only when the publisher says it.
    """
    who = publisher_phrase(item.publisher)
    casing = _casing([item.summary, main_text])
    parsed = _title_subject(clean_title(item.title) or item.title)
    kind = DocType(item.doc_type)
    subject_text = parsed.subject
    if kind in (DocType.CONSULTATION_RESPONSE, DocType.CONSULTATION):
        subject_text = _RESPONSE_LABEL.sub("", subject_text) or subject_text
        subject_text = re.sub(r"\s+consultation$", "", subject_text, flags=re.I)
    subject = _sentence_case(subject_text, casing) or "a new publication"
    update = _is_update(item)

    if kind is DocType.CONSULTATION_RESPONSE or (
        kind is DocType.CONSULTATION
        and update
        and re.search(r"\b(?:response|outcome)\b", item.change_note or "", re.I)
    ):
        return f"{who} has published its response to the consultation on {subject}."

    if kind is DocType.EVENT or item.event_start is not None:
        # The kind a title's label names ("Free live webinar:"), else the first one mentioned.
        found = _EVENT_KIND.search(parsed.noun or "") or _EVENT_KIND.search(
            " ".join([item.title, item.summary])
        )
        noun = found.group(1).lower() if found else "event"
        free = any(
            _FREE_EVENT.search(t) or re.search(r"\bfree\b", t, re.I)
            for t in (item.title, item.summary)
        ) or bool(_FREE_EVENT.search(main_text))
        noun = f"free {noun}" if free else noun
        sentence = f"{who} is holding {_with_article(noun)} on {subject}"
        if item.event_start is not None:
            past = item.first_seen is not None and (item.event_end or item.event_start) < (
                item.first_seen
            )
            if past:
                sentence = f"{who} held {_with_article(noun)} on {subject}"
            sentence += " " + _event_when(item.event_start, item.event_end)
        return sentence + "."

    if kind is DocType.NEWS and _HEADLINE_VERB.search(parsed.subject):
        headline = clean_title(item.title).rstrip(" .")
        return f"{who} has published a news story, ‘{headline}’."
    noun = _DEFAULT_NOUN.get(kind, "information")
    if _not_a_topic(subject):
        # "Build on a relationship with a trusted adult", "Our 2021/22 annual report": the
        # title does not read after "on", so it is quoted, as the bulletin quotes headlines.
        titled = clean_title(item.title).rstrip(" .")
        noun = _sentence_case(parsed.noun, casing) if parsed.noun else noun
        if kind is DocType.NEWS:
            noun = "news story"
        verb = "has updated its" if update else f"has published {_article(noun)}".rstrip()
        return f"{who} {verb} {noun}, ‘{titled}’."
    if parsed.noun and kind not in (DocType.NEWS, DocType.STATISTICS):
        noun = _sentence_case(parsed.noun, casing)
        # A series label with no document noun of its own ("learning from case reviews").
        if not any(w in _KIND_WORDS - {"learning"} for w in noun.lower().split()):
            noun = f"{noun} {_DEFAULT_NOUN.get(kind, 'briefing')}"
    elif kind in _NOUN_CHOICES:
        said = _TEXT_NOUN.search(" ".join([item.title, item.summary, main_text[:400]]))
        if said and said.group(1).lower() in _NOUN_CHOICES[kind]:
            noun = said.group(1).lower()
    if parsed.audience:
        noun = f"{noun} {parsed.audience}"
    preposition = "on"
    lead = re.match(
        r"(?i)^(?:an?\s+|the\s+)?((?:independent\s+|rapid\s+|annual\s+)?"
        r"(?:evaluation|review|analysis|assessment))\s+of\s+(.+)$",
        subject,
    )
    if lead and kind in (DocType.EVALUATION, DocType.REPORT, DocType.OTHER):
        noun, subject, preposition = lead.group(1).lower(), lead.group(2), "of"
    elif kind is DocType.EVALUATION:
        preposition = "of"
    if re.match(r"^[a-z][\w-]*\s+of\s", subject) and preposition == "on":
        subject = f"the {subject}"  # "on the drivers of …" reads; "on drivers of …" does not
    subject = re.sub(r"^The (?=\S)", "the ", subject)  # an article, not a name's capital

    head = noun.split()[-1].lower()
    if (
        preposition == "on"
        and head in _MASS_NOUNS
        and re.search(rf"\b{re.escape(head)}\b", subject, re.IGNORECASE)
    ):
        # The subject already names the kind ("National Referral Mechanism statistics UK for
        # …"): "statistics on … statistics" would say it twice.
        return f"{who} has {'updated' if update else 'published'} {subject}."
    if update and head == "update":
        return f"{who} has published {_with_article(noun)} {preposition} {subject}."
    if update:
        return f"{who} has updated its {noun} {preposition} {subject}."
    return f"{who} has published {_with_article(noun)} {preposition} {subject}."
