"""Words as the drafts count and compare them: word counts, stems, stop words, month names.

Shared by the sentence cleaning, the scoring and the opening sentence; pure and cheap.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from aggregator.normalise.stem import stem as word_stem

__all__ = [
    "MONTH",
    "STOPWORDS",
    "TERMINAL",
    "NearDuplicates",
    "similar",
    "stems",
    "word_count",
]


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


def stems(text: str) -> frozenset[str]:
    """The stems of a text's content words: what the scorer compares sentences by."""
    return frozenset(
        word_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS
    )


def similar(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
    """Whether two stem sets overlap by at least `threshold` (Jaccard): the same sentence in
    other words."""
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= threshold


class NearDuplicates:
    """Stem sets kept so far, and whether a new one is `similar()` to any of them, without
    comparing it with each (which is quadratic in the number of sentences of a long page).

    Prefix filtering, as in set-similarity joins: with every set's stems in one global order
    (rarest first, over `universe`, every set that will be asked about), two sets whose
    Jaccard overlap reaches `threshold` share a stem among the first |A| - ⌈threshold·|A|⌉ + 1
    of each. Only the kept sets sharing such a stem are compared, with `similar()` itself, so
    the answers are `similar()`'s. Sets too different in size to reach the threshold are not
    compared at all.
    """

    def __init__(self, universe: Iterable[frozenset[str]], threshold: float = 0.8) -> None:
        self.threshold = threshold
        counts: Counter[str] = Counter()
        for stem_set in universe:
            counts.update(stem_set)
        self.rank = {stem: n for n, (stem, _) in enumerate(sorted(counts.items(), key=_rarest))}
        self.kept: list[frozenset[str]] = []
        self.by_prefix_stem: dict[str, list[int]] = {}
        self.kept_empty = False

    def _prefix(self, stem_set: frozenset[str]) -> list[str]:
        # A hair under the threshold: a rounding in `similar()`'s division never goes unseen.
        required = math.ceil((self.threshold - 1e-9) * len(stem_set))
        ordered = sorted(stem_set, key=lambda stem: (self.rank.get(stem, -1), stem))
        return ordered[: len(stem_set) - required + 1]

    def seen(self, stem_set: frozenset[str]) -> bool:
        """Whether a kept set is `similar()` to `stem_set`."""
        if not stem_set:
            return self.kept_empty  # similar() holds between empty sets only
        compared: set[int] = set()
        for stem in self._prefix(stem_set):
            for n in self.by_prefix_stem.get(stem, ()):
                if n in compared:
                    continue
                compared.add(n)
                other = self.kept[n]
                # Jaccard overlap is at most the smaller size over the larger.
                small, large = sorted((len(stem_set), len(other)))
                if small < (self.threshold - 1e-9) * large:
                    continue
                if similar(stem_set, other, self.threshold):
                    return True
        return False

    def keep(self, stem_set: frozenset[str]) -> None:
        if not stem_set:
            self.kept_empty = True
            return
        self.kept.append(stem_set)
        for stem in self._prefix(stem_set):
            self.by_prefix_stem.setdefault(stem, []).append(len(self.kept) - 1)


def _rarest(entry: tuple[str, int]) -> tuple[int, str]:
    stem, count = entry
    return count, stem
