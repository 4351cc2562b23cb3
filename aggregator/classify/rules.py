"""Classification: document type, topics, UK nations and safeguarding relevance, with evidence.

The entry point (`classify_item`) and what it returns (`Classification`). Every decision says
why (docs/classification.md):
- **Document type** (`doc_types.py`) from the parser's type hint (the publisher's label or URL
  series, resolved by the source's parser), refined by title cues.
- **Nations** (`nations.py`) from the publisher's applicability, else from text cues.
- **Topics and relevance** (`relevance.py`) from the vocabulary (`vocabulary.py`).

Each field is read up to a cap (`bounds.py`); a field cut to it is named in the evidence.

Everything here is a pure function of its inputs: no network, no clock, no database, and no
knowledge of any particular source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aggregator.classify.bounds import MAX_FIELD_CHARS, bounded
from aggregator.classify.doc_types import decide_doc_type
from aggregator.classify.nations import decide_nations
from aggregator.classify.relevance import (
    children_focus,
    choose_topics,
    find_hits,
    names_a_deciding_phrase,
    safeguarding_publisher,
    score_relevance,
)
from aggregator.classify.vocabulary import Vocabulary
from aggregator.schema import DocType, Item


@dataclass(frozen=True)
class Classification:
    """What the rules decided about one item, and why.

    `topic_evidence` entries are {topic, phrase, field}; `relevance_evidence` entries are
    {phrase, field, weight} (weight signed: negative cues subtract), strongest first, with
    `ignored`, `lifts` or `capped` saying why a phrase did not count as its weight says;
    `nation_evidence` entries are {nation, field, cue}. `text`, `type_hint` and `nation_hints`
    are the inputs beyond the item that the rules read, kept so they can be re-run.
    """

    doc_type: DocType
    doc_type_evidence: str
    topics: list[str] = field(default_factory=list)
    topic_evidence: list[dict[str, str]] = field(default_factory=list)
    nations: list[str] = field(default_factory=list)
    nation_evidence: list[dict[str, str]] = field(default_factory=list)
    relevance: float = 0.0
    relevant: bool = False
    # Under the threshold but in the borderline band: shown in the queue, marked borderline.
    borderline: bool = False
    relevance_evidence: list[dict[str, Any]] = field(default_factory=list)
    vocabulary_version: str = ""
    text: str = ""
    type_hint: str | None = None
    nation_hints: list[str] = field(default_factory=list)
    classified_at: datetime | None = None
    # Which extraction layer gave each field of the page it came from ({"published":
    # "label", "title": "site"}, spiders/layers.py): how the item was read, kept beside
    # the type evidence and carried over when the item is classified again.
    extraction: dict[str, str] = field(default_factory=dict)
    # Fields longer than the cap, read only up to it: {"body": 100000} (field: cap).
    truncated: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How an editor sees the verdict."""
        if self.relevant:
            return "safeguarding"
        return "borderline" if self.borderline else "probably not safeguarding"

    def evidence(self) -> dict[str, Any]:
        """All the evidence, as stored in one JSON column; "truncated" only when a field was
        read up to the cap."""
        evidence: dict[str, Any] = {
            "doc_type": self.doc_type_evidence,
            "topics": self.topic_evidence,
            "nations": self.nation_evidence,
            "relevance": self.relevance_evidence,
            "extraction": self.extraction,
        }
        if self.truncated:
            evidence["truncated"] = dict(self.truncated)
        return evidence

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary for the CLI, the review app and exports (inputs left out)."""
        return {
            "doc_type": self.doc_type.value,
            "topics": list(self.topics),
            "nations": list(self.nations),
            "relevance": self.relevance,
            "relevant": self.relevant,
            "borderline": self.borderline,
            "label": self.label,
            "evidence": self.evidence(),
            "vocabulary_version": self.vocabulary_version,
            "classified_at": (
                self.classified_at.isoformat().replace("+00:00", "Z")
                if self.classified_at
                else None
            ),
        }


def classify_item(
    item: Item,
    *,
    body_text: str = "",
    type_hint: str | None = None,
    doc_type_hint: DocType | None = None,
    type_evidence: str = "",
    nation_hints: list[str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> Classification:
    """Classify an item from its title and summary plus what only the crawl saw.

    `body_text` is the detail page's main text; `type_hint` the publisher's type label as shown
    (stored, so the item can be classified again); `doc_type_hint` and `type_evidence` what the
    source's parser says that label or the item's URL series means; `nation_hints` the
    publisher's applicability labels. With no hint, label or title cue, an item's existing
    non-OTHER `doc_type` is kept (a stored item re-classified). Each of the title, summary
    and body is read up to `MAX_FIELD_CHARS` characters; a field cut is in `truncated`.
    """
    vocab = vocabulary or Vocabulary.load()
    read: dict[str, str] = {}
    truncated: dict[str, int] = {}
    for name, value in (("title", item.title), ("summary", item.summary), ("body", body_text)):
        read[name], cut = bounded(value or "")
        if cut:
            truncated[name] = MAX_FIELD_CHARS
    kind, kind_evidence = decide_doc_type(read["title"], doc_type_hint, type_evidence, type_hint)
    if (
        kind is DocType.OTHER
        and item.doc_type != DocType.OTHER
        and not type_hint
        and doc_type_hint is None
    ):
        kind, kind_evidence = DocType(item.doc_type), f"stored doc_type={item.doc_type}"
    hints = list(nation_hints or [])
    found_nations, nation_evidence = decide_nations(hints, read["title"], read["summary"])

    hits = find_hits(vocab, read)
    publisher_cue = safeguarding_publisher(vocab, item.publisher)
    relevance, relevance_evidence = score_relevance(vocab, hits, publisher_cue)
    if relevance < vocab.borderline:
        # Only an item the band would not show is asked whether it is about children's lives.
        deciding = names_a_deciding_phrase(hits, publisher_cue is not None)
        focus = children_focus(vocab, item.publisher, read, deciding)
        if focus is not None:
            relevance, relevance_evidence = score_relevance(vocab, hits, publisher_cue, focus)
    topics, topic_evidence = choose_topics(vocab, hits, publisher_cue is not None)
    return Classification(
        doc_type=kind,
        doc_type_evidence=kind_evidence,
        topics=topics,
        topic_evidence=topic_evidence,
        nations=found_nations,
        nation_evidence=nation_evidence,
        relevance=relevance,
        relevant=relevance >= vocab.threshold,
        borderline=vocab.borderline <= relevance < vocab.threshold and relevance > 0,
        relevance_evidence=relevance_evidence,
        vocabulary_version=vocab.version,
        text=body_text,
        type_hint=type_hint,
        nation_hints=hints,
        truncated=truncated,
    )
