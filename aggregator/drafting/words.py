"""Words as the drafts count and compare them: word counts, stems, stop words, month names.

Shared by the sentence cleaning, the scoring and the opening sentence; pure and cheap.
"""

from __future__ import annotations

import re

__all__ = ["MONTH", "STOPWORDS", "TERMINAL", "similar", "stems", "word_count"]


def word_count(text: str) -> int:
    """Words as an editor counts them: runs of non-space characters."""
    return len(text.split())


# A month name, full or abbreviated: date lines to drop from a sentence, periods in a title.
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# A sentence's end: . ! ? or …, then any closing quotes or brackets.
TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")

# Words too common to say what a sentence is about (the scorer's and the title casing's).
STOPWORDS = frozenset(
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


def stems(text: str) -> frozenset[str]:
    """The stems of a text's content words: what the scorer compares sentences by."""
    return frozenset(_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS)


def similar(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
    """Whether two stem sets overlap by at least `threshold` (Jaccard): the same sentence in
    other words."""
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= threshold
