"""One light English stemmer for the drafts' sentence matching and the clusters' title tokens.

Both only need a word's inflections to meet ("findings"/"finding", "reviews"/"reviewed",
"children"/"child", "churches"/"church"); neither ever shows a stem to anyone. A handful of
suffix rules, not Porter: cheap enough for every sentence of every crawled page, and kept
deliberately crude so that short words ("news", "bus", "analysis", "used") are left alone.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["stem"]

_IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case word: irregular plurals, plural -s/-es/-ies, then -ing or -ed.

    ``stem("findings") == stem("finding") == "find"``; ``stem("policies") == "policy"``;
    ``stem("analysis") == "analysis"``.
    """
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
