"""docs/schema.md and aggregator/schema.py must describe the same fields, in the same order."""

from __future__ import annotations

import re
from pathlib import Path

from aggregator.schema import Item, field_names

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def documented_fields() -> list[str]:
    """The fields of the item's table: the first table of the page, before its first section
    (later sections have tables of their own: the exports' extra fields)."""
    items_table = DOC.read_text(encoding="utf-8").split("\n## ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", items_table, flags=re.M)


def test_every_schema_field_is_documented_in_order() -> None:
    assert documented_fields() == field_names()


def test_item_json_round_trip() -> None:
    from datetime import UTC, datetime

    from aggregator.schema import Attachment, DocType, Precision, Sighting

    item = Item(
        key="gov.uk/x",
        source="home_office",
        publisher="Home Office",
        title="T",
        url="https://www.gov.uk/x",
        doc_type=DocType.GUIDANCE,
        published=datetime(2024, 5, 9, tzinfo=UTC),
        published_precision=Precision.DAY,
        attachments=[Attachment("A", "https://x/a.pdf", "application/pdf", 12)],
        provenance=[
            Sighting("home_office", "https://www.gov.uk/api", datetime(2024, 5, 31, tzinfo=UTC))
        ],
    )
    assert Item.from_json(item.to_json()) == item
