"""Overlapping phrase matches resolved longest first, in O(m log m) for m matches.

Both the relevance phrases (`relevance.py`) and the sensitivity phrases (`sensitive.py`) are
matched all over a text, and where matches overlap only the longest counts: "asylum-seeking
children" swallows the negative cue "asylum", "rapid evidence review" the positive "review".
Matches are taken longest first, then leftmost, then in vocabulary order; one is accepted
unless it overlaps an accepted span other than its own (the same span matched by several
phrases is accepted for each of them).

Comparing every match with every accepted span is quadratic: a long text of one repeated
safeguarding phrase has hundreds of thousands of matches (issue 20). Here the accepted spans
are kept in a prefix-maximum Fenwick tree over the matches' start offsets. Accepted spans
never overlap one another (only identical ones may coincide), so sorted by start they are
sorted by end as well, and the one accepted span with the greatest start before a match's end
is the only one that can overlap it: one O(log m) query per match.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

__all__ = ["first_accepted"]

Match = tuple[int, int, int]  # (start, end, phrase index); end > start


def first_accepted(matches: Iterable[Match]) -> dict[int, tuple[int, int]]:
    """Each phrase index's first accepted span, in the longest-first order.

    Empty matches are ignored. The result is the same as testing each match against every
    span accepted before it (`tests/classify/test_spans.py` compares the two).
    """
    ordered = sorted(
        (m for m in matches if m[1] > m[0]), key=lambda m: (-(m[1] - m[0]), m[0], m[2])
    )
    starts = sorted({start for start, _, _ in ordered})
    taken = _AcceptedSpans(starts)
    accepted: dict[int, tuple[int, int]] = {}
    for start, end, index in ordered:
        if taken.clashes(start, end):
            continue
        taken.add(start, end)
        accepted.setdefault(index, (start, end))
    return accepted


class _AcceptedSpans:
    """Pairwise non-overlapping spans whose starts are among `starts` (sorted, distinct)."""

    def __init__(self, starts: list[int]) -> None:
        self.starts = starts
        # tree[i] (1-based) holds the greatest (rank + 1) of an accepted start in its range;
        # 0 where none is accepted.
        self.tree = [0] * (len(starts) + 1)
        self.end_at: dict[int, int] = {}

    def add(self, start: int, end: int) -> None:
        if start in self.end_at:
            return  # the same span again (another phrase's match of it)
        self.end_at[start] = end
        rank = bisect_left(self.starts, start) + 1
        node = rank
        while node < len(self.tree):
            self.tree[node] = max(self.tree[node], rank)
            node += node & -node

    def clashes(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps an accepted span other than itself."""
        before = self._latest_rank(bisect_left(self.starts, end))
        if before == 0:
            return False  # nothing accepted starts before `end`
        other_start = self.starts[before - 1]
        other_end = self.end_at[other_start]
        # The accepted span starting last before `end` also ends last of those: if it ends
        # by `start`, all of them do.
        return other_end > start and (other_start, other_end) != (start, end)

    def _latest_rank(self, count: int) -> int:
        """The greatest (rank + 1) of an accepted start among the first `count` starts."""
        best = 0
        while count > 0:
            best = max(best, self.tree[count])
            count -= count & -count
        return best
