"""Which of the publisher's sentences a draft may quote: units cleaned into candidates.

On a flattened page a sentence carries what stood before it on the page: breadcrumbs, the
repeated title, a date line, a heading or a link label. Cleaning cuts those off (keeping the
sentence an exact substring of the publisher's text) and drops what is left that is not prose:
headings, link labels, dates and fragments are never quoted. A leading connective ("However,")
is trimmed so the sentence reads on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.drafting.draft import Origin
from aggregator.drafting.sentences import Unit, sentence_units
from aggregator.drafting.words import MONTH, TERMINAL, NearDuplicates, stems, word_count
from aggregator.normalise.text import clean_title
from aggregator.schema import Item

__all__ = ["CandidateSentence", "candidate_sentences"]

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_FULL_DATE = rf"(?:{_WEEKDAY},?\s+)?(?:{_DAY}\s+{MONTH}|{MONTH}\s+{_DAY}),?\s+\d{{4}}"
_ANY_DATE = rf"(?:{_FULL_DATE}|{MONTH}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}})"
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
class CandidateSentence:
    """A sentence a draft may quote, with what the scorer needs (`score` is set by it)."""

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


def _clean(unit: Unit, origin: Origin, head: list[tuple[str, ...]]) -> tuple[str, bool] | None:
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
    if not TERMINAL.search(text) and not prose_anyway:
        return None
    return text, trimmed


# Headings under which a publisher lists what matters most.
_KEY_HEADING = re.compile(
    r"^(?:key |main )?(?:findings|recommendations|points|messages|learning|conclusions?"
    r"|what we found|summary|key points|key messages|learning points|at a glance)\b",
    re.IGNORECASE,
)


def candidate_sentences(item: Item, main_text: str) -> list[CandidateSentence]:
    """Every quotable sentence of the standfirst and the main text, in source order.

    A main-text sentence that repeats one of the standfirst (pages often open with it) is
    left out: the standfirst's copy is the one a draft cites.
    """
    title = clean_title(item.title)
    head = [w for w in (_word_sequence(title), _word_sequence(item.summary)) if len(w) >= 2]
    # (origin, index, unit, sentence, trimmed, stems, key_section) of every quotable unit.
    cleaned: list[tuple[str, int, Unit, str, bool, frozenset[str], bool]] = []
    for origin, text in (("summary", item.summary), ("main_text", main_text)):
        key_section = False  # the sentences since a key heading, on its own line or run in
        for index, unit in enumerate(sentence_units(text or "")):
            if origin == "main_text" and _KEY_HEADING.match(unit.text):
                run_in = not TERMINAL.search(unit.text) and word_count(unit.text) <= 4
                key_section = run_in or bool(_HEADING_PREFIX.match(unit.text))
            found_clean = _clean(unit, origin, head)  # type: ignore[arg-type]
            if found_clean is not None:
                sentence, trimmed = found_clean
                cleaned.append(
                    (origin, index, unit, sentence, trimmed, stems(sentence), key_section)
                )
    # A sentence similar to an earlier one (the standfirst repeated on the page) is left out.
    seen = NearDuplicates(entry[5] for entry in cleaned)
    found: list[CandidateSentence] = []
    ranks = {"summary": 0, "main_text": 0}
    for origin, index, unit, sentence, trimmed, sentence_stems, key_section in cleaned:
        if seen.seen(sentence_stems):
            continue
        seen.keep(sentence_stems)
        found.append(
            CandidateSentence(
                text=sentence,
                origin=origin,  # type: ignore[arg-type]
                index=index,
                rank=ranks[origin],
                # A line that starts in lower case continues a list ("…hard to know:").
                list_item=unit.list_item or sentence[:1].islower(),
                key_point=key_section,
                trimmed=trimmed,
                stems=sentence_stems,
                words=word_count(sentence),
            )
        )
        ranks[origin] += 1
    return found
