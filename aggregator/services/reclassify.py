"""Re-classify stored items: `aggregator classify`, after the vocabulary changes.

Each item is classified again from its stored title, summary, body text and publisher hints
(kept with its last classification); its classification, topics and nations are updated.
Editors' decisions (review status, edits) are never touched, and the item's document type
stays as crawled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aggregator.classify.rules import Classification, classify_item
from aggregator.classify.vocabulary import Vocabulary
from aggregator.fetch.spider_loader import resolve_type
from aggregator.schema import DocType
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository

BATCH = 500
"""Classifications saved per write."""


@dataclass(frozen=True)
class ReclassifyReport:
    items: int
    vocabulary_version: str
    relevant: int  # filed as safeguarding
    relevance_changed: int  # relevant flipped, or classified for the first time
    topics_changed: int


def reclassify(
    url: str,
    *,
    source: str | None,
    vocabulary: Path | None,
    progress: Callable[[int, int], None] | None = None,
) -> ReclassifyReport:
    """Re-classify the items of `source` (every item when None) with `vocabulary` (the
    packaged one when None); `progress(done, total)` is told after each item."""
    upgrade(url)
    vocab = Vocabulary.load(vocabulary)
    repo = Repository.from_url(url)
    try:
        stored = repo.list_items(source=source)
        before = repo.relevance_of([s.id for s in stored])
        pairs: list[tuple[int, Classification]] = []
        flipped = retopicked = relevant = 0
        for entry in stored:
            old = before.get(entry.id)
            label = old.type_hint if old else None
            # What the stored label means is its source's parser's to say.
            hint = resolve_type(entry.item.source, label, entry.item.url)
            result = classify_item(
                entry.item,
                body_text=old.text if old else "",
                type_hint=label,
                doc_type_hint=hint[0] if hint else None,
                type_evidence=hint[1] if hint else "",
                nation_hints=old.nation_hints if old else list(entry.item.nations),
                vocabulary=vocab,
            )
            if old is not None:
                # How the page was read is the crawl's to say, not the vocabulary's.
                result = dataclasses.replace(result, extraction=dict(old.extraction))
            if old is None and entry.item.doc_type != DocType.OTHER:
                # Never classified (stored before classification existed): keep the crawled type.
                result = dataclasses.replace(
                    result,
                    doc_type=DocType(entry.item.doc_type),
                    doc_type_evidence=f"stored doc_type={DocType(entry.item.doc_type).value}",
                )
            flipped += old is None or old.relevant != result.relevant
            retopicked += result.topics != entry.item.topics
            relevant += result.relevant
            pairs.append((entry.id, result))
            if progress is not None:
                progress(len(pairs), len(stored))
        for start in range(0, len(pairs), BATCH):
            repo.save_classifications(pairs[start : start + BATCH])
    finally:
        repo.close()
    return ReclassifyReport(len(pairs), vocab.version, relevant, flipped, retopicked)
