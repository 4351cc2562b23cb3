"""The "via" lines of a cross-source cluster: the other sightings of one publication.

A publication reported by several sources ("Read the report via the NSPCC") is one entry in
every export, the publisher of record's, with the other sightings as via lines under it. The
composer words them per section; every other export uses `VIA_DEFAULT`.
"""

from __future__ import annotations

import re

from aggregator.exports.bulletin import READ_LABELS
from aggregator.schema import DocType
from aggregator.storage.exports import ViaSighting

VIA_DEFAULT = "Read the report via {publisher}"
"""The wording of a line for another sighting of an entry's publication, as the example
bulletin words it ("Read the report via the NSPCC: <the sighting's title>"). A section may
use its own; `{publisher}` is the sighting's publisher (with "the" where English wants it),
`{label}` the usual link label of the sighting's type ("Read the guidance")."""


def via_publisher(name: str) -> str:
    """A publisher's name as it reads after "via": "the NSPCC", "the Lucy Faithfull
    Foundation", "the Home Office", but "Ofsted", "Internet Matters", "Barnardo's"."""
    name = " ".join(name.split())
    if not name or name.lower().startswith("the "):
        return name
    first = name.split(" ", 1)[0]
    institutional = re.search(
        r"\b(Department|Office|Ministry|Commission|Commissioner|Council|Foundation|Trust|"
        r"Panel|Agency|Board|Society|Institute|Association|Service|Centre|Government|"
        r"Partnership|Alliance|Network|College|Federation|Fund|Unit)\b",
        name,
    )
    acronym = len(first) > 1 and first.isupper() and first.isalpha()
    return f"the {name}" if acronym or institutional else name


def via_label(wording: str, publisher: str, label: str) -> str:
    """A via line's label: the wording with its sighting's publisher and link label."""
    return wording.replace("{publisher}", via_publisher(publisher)).replace("{label}", label)


def sighting_label(sighting: ViaSighting) -> str:
    """The usual link label of a sighting's document type ("Read the guidance")."""
    try:
        return READ_LABELS.get(DocType(sighting.doc_type), "Read more")
    except ValueError:  # a type this version does not know
        return "Read more"


def via_lines(
    sightings: tuple[ViaSighting, ...], wording: str = VIA_DEFAULT
) -> tuple[tuple[str, str, str], ...]:
    """Sightings as the bulletin writers take them: (label, sighting's title, url)."""
    return tuple(
        (via_label(wording, found.publisher, sighting_label(found)), found.title, found.url)
        for found in sightings
    )
