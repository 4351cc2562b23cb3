"""The charity sites' real-shape fixtures (fixtures/<slug>/real/) read by their parsers and
checked, fact by fact, against what an editor expects of each page (`facts.json`, written
from the real page, never from a parser's output).

`python -m tests.spiders.real_shape_score` prints, per site and per fact, how many hold, and
how many fields each extraction layer supplied; `tests/spiders/test_real_shapes.py` asserts
every fact. Each page goes through `parse_saved` exactly as `aggregator parse SLUG FILE --url
URL` does.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aggregator.parse.offline import parse_saved
from aggregator.schema import LONDON, Item, calendar_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SITES = ("nspcc", "lucy_faithfull", "internet_matters", "uk_trauma_council")
FACTS = (
    "publication",
    "url",
    "title",
    "published",
    "updated",
    "doc_type",
    "summary",
    "attachments",
)


@dataclass(frozen=True)
class Fact:
    site: str
    page: str
    name: str
    held: bool
    got: Any = None
    want: Any = None


@dataclass(frozen=True)
class Page:
    site: str
    file: str
    url: str
    fetched_at: str
    content_type: str
    publication: bool
    expect: dict[str, Any]


def pages(site: str) -> list[Page]:
    folder = FIXTURES / site / "real"
    meta = json.loads((folder / "meta.json").read_text())
    urls = {r["file"]: r for r in meta["responses"]}
    found = []
    for entry in json.loads((folder / "facts.json").read_text())["pages"]:
        response = urls[entry["file"]]
        found.append(
            Page(
                site,
                entry["file"],
                response["url"],
                meta["fetched_at"],
                response.get("content_type", "text/html; charset=utf-8"),
                bool(entry["publication"]),
                entry.get("expect") or {},
            )
        )
    return found


def read(page: Page) -> tuple[Item | None, dict[str, str]]:
    """The page's item (None when the parser dropped it) and its extraction layers."""
    result = parse_saved(
        page.site,
        (FIXTURES / page.site / "real" / page.file).read_bytes(),
        page.url,
        datetime.fromisoformat(page.fetched_at.replace("Z", "+00:00")),
        page.content_type,
        parser="detail",
    )
    if not result.items:
        return None, {}
    extraction = getattr(result.classifications[0], "extraction", {})
    return result.items[0], dict(extraction)


def facts(page: Page) -> tuple[list[Fact], dict[str, str]]:
    item, layers = read(page)
    kept = item is not None
    held = [
        Fact(page.site, page.file, "publication", kept == page.publication, kept, page.publication)
    ]
    if not page.publication:
        return held, layers
    if item is None:  # a publication dropped: every fact of it is lost
        held.extend(Fact(page.site, page.file, name, False) for name in FACTS[1:])
        return held, layers
    got = {
        "url": item.url,
        "title": item.title,
        "published": (
            calendar_text(item.published, item.published_precision) if item.published else None
        ),
        "updated": item.updated,
        "doc_type": str(item.doc_type),
        "summary": " ".join(item.summary.split()),
        "attachments": sorted(a.url for a in item.attachments),
    }
    for name in FACTS[1:]:
        want = page.expect.get(name)
        have = got[name]
        if name == "updated":
            have = _at_precision(item.updated, want)
        elif name == "attachments":
            want = sorted(want or [])
        elif name == "summary":
            want = " ".join((want or "").split())
        held.append(Fact(page.site, page.file, name, have == want, have, want))
    return held, layers


def _at_precision(value: datetime | None, want: str | None) -> str | None:
    """`value`'s London date at the precision `want` is written in."""
    if value is None:
        return None
    day = value.astimezone(LONDON).date().isoformat()
    return day[: len(want)] if want else day


def score(sites: tuple[str, ...] = SITES) -> tuple[list[Fact], dict[str, Counter[str]]]:
    """Every fact of every real-shape page, and per site the count of fields per layer."""
    found: list[Fact] = []
    layers: dict[str, Counter[str]] = {}
    for site in sites:
        counted: Counter[str] = Counter()
        for page in pages(site):
            held, used = facts(page)
            found.extend(held)
            counted.update(f"{field}:{layer}" for field, layer in used.items())
        layers[site] = counted
    return found, layers


def main() -> None:
    found, layers = score()
    for site in SITES:
        mine = [f for f in found if f.site == site]
        held = sum(f.held for f in mine)
        print(f"{site}: {held}/{len(mine)} facts held")
        for name in FACTS:
            facts_of = [f for f in mine if f.name == name]
            if facts_of:
                print(f"  {name:12} {sum(f.held for f in facts_of)}/{len(facts_of)}")
        print("  layers (pages per field and layer):")
        for name in sorted({key.split(":")[0] for key in layers[site]}):
            counts = {
                k.split(":")[1]: v for k, v in layers[site].items() if k.startswith(name + ":")
            }
            print(f"    {name:12}", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if "-v" in sys.argv:
            for fact in mine:
                if not fact.held:
                    print(f"    MISS {fact.page} {fact.name}: got {fact.got!r} want {fact.want!r}")
    total = sum(f.held for f in found)
    print(f"all: {total}/{len(found)} facts held")


if __name__ == "__main__":
    main()
