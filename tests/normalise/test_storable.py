"""Characters no database stores are cleaned from every string of a raw item, nested ones too,
and normalisation applies it: a NUL byte or a lone surrogate in any field reaches no store."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from aggregator.normalise.storable import storable, storable_text
from aggregator.parse.item import normalise_classified
from aggregator.parse.raw import RawAttachment, RawItem
from aggregator.schema import DocType, Item

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def test_storable_text() -> None:
    assert storable_text("Neg\x00lect") == "Neglect"
    assert storable_text("half \ud83d pair") == "half \ufffd pair"
    assert storable_text("ordinary £ text ✓ 👍") == "ordinary £ text ✓ 👍"


def hostile_raw() -> RawItem:
    return RawItem(
        source="nspcc",
        url="https://learning.nspcc.org.uk/research-resources/2024/neglect\x00",
        title="Neglect\x00 in the early years \udc80",
        fetched_at=T0,
        summary="<p>A report\x00 on neglect.</p>",
        published="1 May\x00 2024",
        type_hint="Research\x00 report",
        doc_type_hint=DocType.REPORT,
        topic_hints=["neglect\x00"],
        attachments=[RawAttachment("Full\x00 report \ud800", "https://example.org/r.pdf\x00")],
        links=[("Read\x00", "https://example.org/\x00more")],
        body_text="Body\x00 text",
        field_layers={"title\x00": "site"},
    )


def strings(value: object) -> list[str]:
    """Every string in `value`, however nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    if isinstance(value, dict):
        return [s for pair in value.items() for s in strings(list(pair))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in strings(getattr(value, f.name))]
    return []


def test_every_field_of_a_raw_item_is_cleaned() -> None:
    raw = storable(hostile_raw())
    found = strings(raw)
    assert found and not [s for s in found if "\x00" in s]
    assert not [s for s in found if any("\ud800" <= c <= "\udfff" for c in s)]
    assert raw.doc_type_hint is DocType.REPORT  # a controlled value stays what it was
    assert raw.links == [("Read", "https://example.org/more")]


def test_normalisation_cleans_before_it_reads() -> None:
    item, _ = normalise_classified(hostile_raw())
    assert isinstance(item, Item)
    assert item.title == "Neglect in the early years \ufffd"
    assert not [s for s in strings(item) if "\x00" in s]
    assert item.attachments[0].title.startswith("Full report")
