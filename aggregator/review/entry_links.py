"""An entry's links in a bulletin: the "via" lines for other sightings of its publication
(the example's "Read the report via the NSPCC: …", worded per section) and the editor's extra
links ("Label | https://…", http(s) only)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aggregator.exports.via import VIA_DEFAULT, via_publisher

__all__ = ["VIA_DEFAULT", "check_extra_links", "check_via_wording", "via_publisher"]

_VIA_FIELDS = re.compile(r"\{(\w*)\}")
MAX_EXTRA_LINKS = 10


def check_via_wording(wording: str) -> str:
    """The wording if its placeholders are known ({publisher}, {label}); else ValueError."""
    wording = " ".join(wording.split())
    unknown = sorted({f for f in _VIA_FIELDS.findall(wording) if f not in ("publisher", "label")})
    if unknown:
        raise ValueError(
            "the via wording may use {publisher} and {label} only, not "
            + ", ".join("{" + name + "}" for name in unknown)
        )
    return wording


def check_extra_links(text: str) -> list[tuple[str, str]]:
    """An entry's extra links from the editor's lines "Label | https://…" (one per line):
    each needs a label and an absolute http(s) URL with a host; ValueError naming the line
    otherwise."""
    found: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, bar, url = line.rpartition("|")
        label, url = " ".join(label.split()), url.strip()
        if not bar or not label:
            raise ValueError(f"extra link line {number}: write it as 'Label | https://…'")
        if len(label) > 300:
            raise ValueError(f"extra link line {number}: the label is over 300 characters")
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
            raise ValueError(f"extra link line {number}: {url!r} is not an http(s) link")
        found.append((label, url))
    if len(found) > MAX_EXTRA_LINKS:
        raise ValueError(f"at most {MAX_EXTRA_LINKS} extra links an entry")
    return found
