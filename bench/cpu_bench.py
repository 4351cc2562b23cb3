"""CPU per response (issue 20): time per KB of input for parse, classify and drafts, at 10k,
100k and 1M characters, so that no step grows faster than n log n in what a source sends.

Each case builds one input of the given size, times the real entry point on it and reports
milliseconds per KB of input at each size, and the ratio of the largest size's per-KB time to
the 10k one's. A step that is linear (or n log n) keeps that ratio near 1; a quadratic one
multiplies it by the size ratio (×100 from 10k to 1M). PASS when the ratio is at most
`TARGET_RATIO`: "flat". `--quick` stops at 100k.

- **parse**: the feed reader (`PlainFeedParser.parse`) on an RSS feed whose five entries each
  have a description of the given size (HTML paragraphs, escaped, as feeds send them), and
  the HTML detail read (the NSPCC parser's `parse(page, "detail")`, every layer) of a real
  fixture page whose article is padded with paragraphs to the given size.
- **classify**: `classify_item` on an item whose summary and body are each of the given size,
  made of a repeated safeguarding phrase (the many-overlapping-matches case) or of ordinary
  varied prose (the usual case).
- **drafts**: `draft_summary` on a main text of the given size (prose, one paragraph a line;
  and the repeated phrase), with a short standfirst.

Sizes are characters of the varying input (the description, summary + body, main text).
Small sizes are repeated until a case has run for at least `MIN_SECONDS`, so per-KB times
are not timer noise.
"""

from __future__ import annotations

import html
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from aggregator.classify.rules import classify_item
from aggregator.drafting import draft_summary
from aggregator.schema import DocType, Item
from aggregator.sources import REGISTRY, Channel, ChannelKind, Source
from bench.__main__ import Row
from bench.html_bench import detail_pages
from spiders.base import Page
from spiders.feed import PlainFeedParser
from spiders.loader import parser_for

SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
TARGET_RATIO = 3.0
MIN_SECONDS = 0.3
FETCHED = datetime(2025, 11, 3, 9, tzinfo=UTC)
FEED_ENTRIES = 5
# The phrase of the report that froze a crawl (issue 20): every word of it is a vocabulary
# phrase or part of one, so matches overlap everywhere.
SAFEGUARDING_PHRASE = "Child sexual abuse and exploitation: safeguarding children from harm. "

_SUBJECTS = (
    "The local authority", "Our practitioners", "The review", "Many schools", "This guidance",
    "Young people", "The partnership", "Health visitors", "The Home Office", "Parents and carers",
    "Social workers", "The inspectorate", "Early help teams", "The charity", "Researchers",
)  # fmt: skip
_VERBS = (
    "described", "set out", "looked at", "reported on", "discussed", "explained", "compared",
    "considered", "published", "recommended", "questioned", "welcomed", "reviewed", "noted",
)  # fmt: skip
_OBJECTS = (
    "the funding of youth services", "new arrangements for school transport",
    "changes to housing benefit", "a pilot of family hubs in three areas",
    "the timetable for the next inspection", "how volunteers are recruited and trained",
    "the rise in referrals over the winter", "the cost of residential placements",
    "what parents said about the consultation", "a survey of 2,400 households",
    "the role of community nurses", "plans for a new library and sports centre",
    "the effect of the pandemic on attendance", "guidance on sharing information",
)  # fmt: skip
_TAILS = (
    "", " in 2024", " across the region", " during the last year", ", with examples",
    " for the first time", ", according to the figures", " in rural areas",
)  # fmt: skip


def prose(size: int, seed: int = 20) -> list[str]:
    """Ordinary varied prose of about `size` characters, as paragraphs of five sentences."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < size:
        sentences = [
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            f"{rng.choice(_TAILS)}."
            for _ in range(5)
        ]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph) + 1
    return paragraphs


def repeated(size: int) -> str:
    """The safeguarding phrase repeated to `size` characters."""
    return (SAFEGUARDING_PHRASE * (size // len(SAFEGUARDING_PHRASE) + 1))[:size].strip()


# --- the cases: each builds its input once and returns the call to time ----------------------


def feed_case(size: int) -> Callable[[], object]:
    source = Source(
        slug="cpu_bench",
        publisher="Example LSCP",
        homepage="https://lscp.example.org/",
        channels=(Channel(ChannelKind.FEED, "https://lscp.example.org/feed/"),),
    )
    per_entry = size // FEED_ENTRIES
    entries = []
    for n in range(FEED_ENTRIES):
        description = "".join(f"<p>{p}</p>" for p in prose(per_entry, seed=n))
        entries.append(
            f"<item><title>Entry {n}</title><link>https://lscp.example.org/{n}</link>"
            f"<pubDate>Tue, 14 May 2024 09:00:00 +0100</pubDate>"
            f"<description>{html.escape(description)}</description></item>"
        )
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>LSCP news</title>'
        + "".join(entries)
        + "</channel></rss>"
    ).encode()
    page = Page(body, "https://lscp.example.org/feed/", FETCHED, "application/rss+xml")
    parser = PlainFeedParser(source)
    return lambda: parser.parse(page)


def html_case(size: int) -> Callable[[], object]:
    slug, template = next((s, p) for s, p in detail_pages() if s == "nspcc")
    marker = b"<p>They also discuss"
    if marker not in template.body:
        raise RuntimeError("the NSPCC fixture page changed: no place to pad its article")
    padding = "".join(f"<p>{p}</p>\n" for p in prose(size)).encode()
    body = template.body.replace(marker, padding + marker, 1)
    page = Page(body, template.url, FETCHED, template.content_type)
    parser = parser_for(REGISTRY[slug])(REGISTRY[slug])
    parser.parse(page, "detail")  # htmldate loads its locales once per process
    return lambda: parser.parse(page, "detail")


def _item(summary: str) -> Item:
    url = "https://www.gov.uk/government/publications/example"
    return Item(
        key=url,
        source="home_office",
        publisher="Home Office",
        title="Annual report on children's services",
        url=url,
        summary=summary,
        doc_type=DocType.REPORT,
    )


def classify_case(text: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    def build(size: int) -> Callable[[], object]:
        half = text(size // 2)
        item = _item(half)
        return lambda: classify_item(item, body_text=half)

    return build


def draft_case(text: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    def build(size: int) -> Callable[[], object]:
        main_text = text(size)
        item = _item("The annual report sets out how children's services performed this year.")
        return lambda: draft_summary(item, main_text)

    return build


CASES: tuple[tuple[str, Callable[[int], Callable[[], object]]], ...] = (
    ("parse: feed descriptions", feed_case),
    ("parse: HTML detail body", html_case),
    ("classify: repeated phrase", classify_case(repeated)),
    ("classify: varied prose", classify_case(lambda n: " ".join(prose(n)))),
    ("drafts: repeated phrase", draft_case(repeated)),
    ("drafts: varied prose", draft_case(lambda n: "\n".join(prose(n)))),
)


def per_kb(call: Callable[[], object], size: int) -> float:
    """Milliseconds per KB of input (1 KB = 1,024 characters), over enough runs to time."""
    runs = 0
    started = time.perf_counter()
    while True:
        call()
        runs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= MIN_SECONDS:
            break
    return elapsed / runs * 1000 / (size / 1024)


def run(quick: bool = False) -> list[Row]:
    sizes = QUICK_SIZES if quick else SIZES
    rows: list[Row] = []
    print(f"ms per KB of input at {', '.join(f'{s:,}' for s in sizes)} characters")
    for name, build in CASES:
        figures = [per_kb(build(size), size) for size in sizes]
        ratio = figures[-1] / figures[0]
        passed = ratio <= TARGET_RATIO
        shown = "  ".join(f"{s // 1000}k: {f:.3f}" for s, f in zip(sizes, figures, strict=True))
        verdict = "PASS" if passed else "FAIL"
        print(f"  {name}: {shown} ms/KB; {sizes[-1] // 1000}k/10k {ratio:.2f}× {verdict}")
        rows.append(
            (
                f"cpu: {name}",
                f"{figures[-1]:.3f} ms/KB at {sizes[-1] // 1000}k",
                f"{figures[0]:.3f} ms/KB at 10k",
                ratio,
                f"≤ {TARGET_RATIO:g}× (flat)",
                passed,
            )
        )
    return rows


if __name__ == "__main__":
    run()
