"""Draft summaries in the bulletin's voice: a generated opening, then one or two of the
publisher's own sentences within a word limit; pure functions of an item and its main text.

This is the package's public surface; its modules (draft, words, sentences, candidates,
scoring, subjects, casing, opening, writer) are its parts.
"""

from aggregator.drafting.draft import Draft, UsedSentence
from aggregator.drafting.opening import opening_sentence, publisher_phrase
from aggregator.drafting.sentences import split_sentences
from aggregator.drafting.words import word_count
from aggregator.drafting.writer import DEFAULT_WORD_LIMIT, draft_summary, first_sentences

__all__ = [
    "DEFAULT_WORD_LIMIT",
    "Draft",
    "UsedSentence",
    "draft_summary",
    "first_sentences",
    "opening_sentence",
    "publisher_phrase",
    "split_sentences",
    "word_count",
]
