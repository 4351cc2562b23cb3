"""Classifications: each item's document type, topics, nations and relevance, with evidence.

Kept in `classifications`, beside the item: the item's own `topics` and `nations` are set to
the classification's (derived, not substantive: no revision of their own, no change to the
content hash), and `doc_type`, the other crawl fields and the review state are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from aggregator.classify.rules import Classification
from aggregator.schema import DocType
from aggregator.storage.bulk import LOOKUP_CHUNK, chunks, dialect_insert, member
from aggregator.storage.db import StoreBase, require_aware, retry_on_conflict, write_transaction
from aggregator.storage.revisions import snapshot_first_versions
from aggregator.storage.tables import CLASSIFICATIONS, ITEMS


class ClassificationStore(StoreBase):
    """The `classifications` table, and the topics and nations it sets on items."""

    def save_classifications(
        self,
        pairs: Sequence[tuple[int, Classification]],
        classified_at: datetime | None = None,
    ) -> None:
        """Store the classification of each (item id, classification), in one transaction.

        An existing classification is replaced. The item's `topics` and `nations` are set to
        the classification's (they are derived, not substantive: no revision, no change to
        the content hash); `doc_type`, the other crawl fields and the item's review state are
        never touched. `classified_at` defaults to each classification's own, else now.
        """
        if not pairs:
            return
        if classified_at is not None:
            require_aware(classified_at, "classified_at")
        now = datetime.now(UTC)
        latest: dict[int, Classification] = {}
        for item_id, result in pairs:
            latest[item_id] = result  # the last classification of an item wins
        rows = [
            _classification_columns(item_id, result, classified_at or result.classified_at or now)
            for item_id, result in sorted(latest.items())
        ]

        def store() -> None:
            with write_transaction(self.engine) as conn:
                _snapshot_before_topics_change(conn, rows)
                stmt = dialect_insert(conn, CLASSIFICATIONS)
                replace = {
                    name: stmt.excluded[name]
                    for name in (c.name for c in CLASSIFICATIONS.columns)
                    if name != "item_id"
                }
                for chunk in chunks(rows, LOOKUP_CHUNK):
                    conn.execute(
                        stmt.on_conflict_do_update(index_elements=["item_id"], set_=replace),
                        list(chunk),
                    )
                conn.execute(
                    update(ITEMS).where(ITEMS.c.id == bindparam("b_id")),
                    [
                        {"b_id": r["item_id"], "topics": r["topics"], "nations": r["nations"]}
                        for r in rows
                    ],
                )

        # Another crawler's upsert locks the same items in key order; these rows go in id
        # order, so PostgreSQL may end one side to break a deadlock: store again.
        retry_on_conflict(store)

    def classification(self, item_id: int) -> Classification | None:
        """The stored classification of an item, or None if it has never been classified."""
        return self.relevance_of([item_id]).get(item_id)

    def relevance_of(self, item_ids: Sequence[int]) -> dict[int, Classification]:
        """The stored classifications of these items (items never classified are absent)."""
        found: dict[int, Classification] = {}
        with self.engine.connect() as conn:
            for id_chunk in chunks(sorted(set(item_ids)), LOOKUP_CHUNK):
                query = select(CLASSIFICATIONS).where(CLASSIFICATIONS.c.item_id.in_(id_chunk))
                for row in conn.execute(query):
                    found[row.item_id] = _classification_from_row(row._mapping)
        return found


def _snapshot_before_topics_change(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Snapshot the first version of items whose topics or nations are about to change."""
    wanted = {r["item_id"]: (r["topics"], r["nations"]) for r in rows}
    changing: dict[int, Mapping[Any, Any]] = {}
    for id_chunk in chunks(sorted(wanted), LOOKUP_CHUNK):
        for row in conn.execute(select(ITEMS).where(member(conn, ITEMS.c.id, id_chunk))):
            values = row._mapping
            if (values["topics"], values["nations"]) != wanted[values["id"]]:
                changing[values["id"]] = values
    if changing:
        snapshot_first_versions(conn, changing)


def _classification_columns(
    item_id: int, result: Classification, classified_at: datetime
) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "doc_type": DocType(result.doc_type).value,
        "topics": list(result.topics),
        "nations": list(result.nations),
        "relevance": float(result.relevance),
        "relevant": bool(result.relevant),
        "borderline": bool(result.borderline),
        "evidence": result.evidence(),
        "vocabulary_version": result.vocabulary_version,
        "classified_at": classified_at,
        "text": result.text,
        "type_hint": result.type_hint,
        "nation_hints": list(result.nation_hints),
    }


def _classification_from_row(values: Mapping[Any, Any]) -> Classification:
    evidence = values["evidence"] or {}
    return Classification(
        doc_type=DocType(values["doc_type"]),
        doc_type_evidence=evidence.get("doc_type", ""),
        topics=list(values["topics"]),
        topic_evidence=list(evidence.get("topics", [])),
        nations=list(values["nations"]),
        nation_evidence=list(evidence.get("nations", [])),
        relevance=float(values["relevance"]),
        relevant=bool(values["relevant"]),
        borderline=bool(values["borderline"]),
        relevance_evidence=list(evidence.get("relevance", [])),
        vocabulary_version=values["vocabulary_version"],
        text=values["text"],
        type_hint=values["type_hint"],
        nation_hints=list(values["nation_hints"]),
        classified_at=values["classified_at"],
        extraction=dict(evidence.get("extraction", {})),
        truncated={str(k): int(v) for k, v in evidence.get("truncated", {}).items()},
    )
