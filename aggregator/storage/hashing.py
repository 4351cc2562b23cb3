"""The content hash: what tells an update of a stored item from a sighting of the same one.

`items.content_hash` is the sha256 of an item's substantive fields (`SUBSTANTIVE_FIELDS`) in a
comparable form (`substance`). Every stored hash was made by this code, so its bytes must not
change: tests/storage/test_content_hash.py holds it to the reference encoding.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from aggregator.schema import Item
from aggregator.storage.rows import columns_from_item

OPTIONAL_SUBSTANTIVE_FIELDS: tuple[tuple[str, Any], ...] = (
    ("event_precision", "none"),
    ("release_state", None),
    ("opens", None),
    ("closes", None),
)
"""Substantive fields added after hashes were first stored (migration 0012), each with the
value an item without it holds. A substance names one only when the item's value differs
from that, so an item without any of them hashes exactly as it did before they existed, and
a re-crawl of a stored item finds it unchanged."""

SUBSTANTIVE_FIELDS: tuple[str, ...] = (
    "title",
    "url",
    "summary",
    "doc_type",
    "published",
    "published_precision",
    "updated",
    "change_note",
    "event_start",
    "event_end",
    "attachments",
    "links",
    *(name for name, _empty in OPTIONAL_SUBSTANTIVE_FIELDS),
)
"""The fields `content_hash` covers: a change in any of them is an update."""


def normalise_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def content_hash(item: Item) -> str:
    """The sha256 hex digest of the item's substantive fields (`SUBSTANTIVE_FIELDS`).

    Text is whitespace-normalised and datetimes are compared in UTC first, so cosmetic
    differences do not count as an update.
    """
    return hash_substance(substance(columns_from_item(item)))


_HASH_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""The encoder `json.dumps(…, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
builds on every call, built once."""


def hash_substance(found: Mapping[str, Any]) -> str:
    """sha256 of a substance as `_HASH_ENCODER` writes it, in UTF-8 (the stored hashes).

    orjson writes the same bytes for what a substance holds (ASCII keys, strings, integers,
    null and lists: tests/storage/test_content_hash.py checks it over arbitrary text) five
    times faster, and the hash is a tenth of the time of storing an item. Anything orjson
    refuses (an integer beyond 64 bits, a lone surrogate) goes through the encoder itself.
    """
    try:
        encoded = orjson.dumps(found, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        encoded = _HASH_ENCODER.encode(found).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def substance(values: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of the substantive fields of a row's column values (a field of
    `OPTIONAL_SUBSTANTIVE_FIELDS` only when it is set)."""
    found: dict[str, Any] = {
        "title": normalise_whitespace(values["title"]),
        "url": values["url"].strip(),
        "summary": normalise_whitespace(values["summary"]),
        "doc_type": values["doc_type"],
        "published": _iso(values["published"]),
        "published_precision": values["published_precision"],
        "updated": _iso(values["updated"]),
        "change_note": normalise_whitespace(values["change_note"] or "") or None,
        "event_start": _iso(values["event_start"]),
        "event_end": _iso(values["event_end"]),
        "attachments": [
            {
                "title": normalise_whitespace(a["title"]),
                "url": a["url"].strip(),
                "media_type": a.get("media_type"),
                "size": a.get("size"),
            }
            for a in values["attachments"]
        ],
        "links": [
            {"label": normalise_whitespace(link["label"]), "url": link["url"].strip()}
            for link in values["links"]
        ],
    }
    for name, empty in OPTIONAL_SUBSTANTIVE_FIELDS:
        value = values[name]
        if value != empty:
            found[name] = _iso(value) if isinstance(value, datetime) else value
    return found


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()
