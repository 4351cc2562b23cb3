"""A title's subject in sentence case, as the opening sentence quotes it mid-sentence.

Titles come in title case ("Keeping Children Safe In Education") or sentence case; the
opening lower-cases what is not a name. Which words are names is read from the publisher's
own text: a word it capitalises inside a sentence, or a multi-word name it also capitalises,
stays capitalised.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from aggregator.drafting.words import STOPWORDS

__all__ = ["Casing", "read_casing", "sentence_case"]

# Capitalised wherever they stand: places, nations, months, days.
_ALWAYS_PROPER = frozenset(
    {"England", "Wales", "Scotland", "Ireland", "Northern", "UK", "British", "English",
     "Welsh", "Scottish", "Irish", "Britain", "London", "Parliament", "Europe", "European",
     "January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
     "Friday", "Saturday", "Sunday", "I"}
)  # fmt: skip
_CASE_WORD = re.compile(r"[A-Za-z][\w’'-]*")
# After these (or at the start of a line) a capital only says a sentence or heading begins.
_SENTENCE_START = frozenset(".!?:>•\n\"“‘'(")


@dataclass(frozen=True)
class Casing:
    """How the publisher's own text writes each word, read once per item."""

    capitalised: frozenset[str]  # seen capitalised inside a sentence
    lower: frozenset[str]  # seen in lower case
    often: frozenset[str]  # capitalised at least twice, anywhere, and never in lower case
    text: str  # the texts joined, to look for multi-word names


def read_casing(texts: list[str]) -> Casing:
    """How `texts` (the standfirst and the main text) write each word."""
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
    return Casing(frozenset(capitalised), frozenset(lower), frozenset(often), "\n".join(texts))


def sentence_case(subject: str, casing: Casing) -> str:
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

    content = [w for w in words[1:] if re.match(r"[A-Za-z]", w) and w.lower() not in STOPWORDS]
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
