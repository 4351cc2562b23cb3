"""The content hash is the sha256 of the substance as `json.dumps(sort_keys=True, …)` writes it.

Stored hashes were made that way; `hash_substance` now encodes with orjson, which must give
the very same bytes, or every stored item would look changed on its next crawl.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.schema import Attachment, DocType, Item, Link, Precision
from aggregator.storage.hashing import content_hash, hash_substance
from aggregator.storage.hashing import substance as substance_of
from aggregator.storage.rows import columns_from_item


def reference_hash(substance: dict[str, Any]) -> str:
    encoded = json.dumps(substance, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# any character but lone surrogates (which cannot be written as UTF-8 at all)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
sizes = st.none() | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits too


@settings(max_examples=300, deadline=None)
@given(
    title=text,
    summary=text,
    note=st.none() | text,
    attachment_title=text,
    size=sizes,
    label=text,
)
def test_hash_is_the_json_dumps_hash(
    title: str, summary: str, note: str | None, attachment_title: str, size: int | None, label: str
) -> None:
    item = Item(
        key="k",
        source="nspcc",
        publisher="NSPCC",
        title=title,
        url="https://learning.nspcc.org.uk/x",
        summary=summary,
        doc_type=DocType.REPORT,
        published=datetime(2024, 5, 1, 9, tzinfo=UTC),
        published_precision=Precision.DAY,
        change_note=note,
        attachments=[Attachment(attachment_title, "https://x/y.pdf", "application/pdf", size)],
        links=[Link(label, "https://x/z")],
    )
    substance = substance_of(columns_from_item(item))
    assert hash_substance(substance) == reference_hash(substance) == content_hash(item)


def test_a_known_hash_does_not_move() -> None:
    """A hash made before orjson, so a change of encoding cannot pass unnoticed."""
    substance = {"title": "Ça va – “quotes” \u2028 \x7f \n\t", "size": 1000, "x": None, "l": []}
    assert hash_substance(substance) == reference_hash(substance)
    assert reference_hash(substance) == (
        hashlib.sha256(
            '{"l":[],"size":1000,"title":"Ça va – “quotes” \u2028 \x7f \\n\\t","x":null}'.encode()
        ).hexdigest()
    )
