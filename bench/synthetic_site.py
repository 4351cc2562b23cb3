"""A generated GOV.UK-shaped fixture site: many organisations, their Search API pages ("feeds")
and a Content API detail page per result, for the crawl benchmark and tests/scale/.

Each organisation is registered as a source through $AGGREGATOR_EXTRA_SOURCES (the file
`sources.json` written beside the fixture folders) with the GOV.UK spider, so every process
that crawls it, a worker's job included, sees the same registry. A source's feeds are Search
API pages told apart by `start`; each result links its Content API page, which the spider
fetches, so a crawl runs the whole path: spider, normalise, classify, validate, dedupe, store.

Everything is seeded, so the same arguments write the same bytes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from aggregator.normalise.urls import canonical_url, url_key
from aggregator.sources import GOVUK_SEARCH

FETCHED_AT = datetime(2024, 5, 31, 8, tzinfo=UTC)
ROBOTS = "User-agent: *\nDisallow: /*/print$\n"

_SUBJECTS = [
    "child protection",
    "safeguarding partnerships",
    "online safety",
    "child sexual abuse",
    "children in care",
    "youth justice",
    "domestic abuse",
    "exploitation",
    "neglect",
    "mental health support",
    "school attendance",
    "family hubs",
    "serious violence",
    "county lines",
    "modern slavery",
    "care leavers",
    "kinship care",
    "early help",
]
_KINDS = [
    ("guidance", "Guidance"),
    ("policy_paper", "Policy paper"),
    ("news_story", "News story"),
    ("consultation_outcome", "Consultation outcome"),
    ("research", "Research and analysis"),
    ("statistics", "Official Statistics"),
    ("press_release", "Press release"),
]
_WORDS = [
    "review",
    "update",
    "framework",
    "evaluation",
    "funding",
    "pilot",
    "programme",
    "report",
    "practice",
    "standards",
    "inspection",
    "response",
    "strategy",
    "plan",
    "findings",
    "national",
    "local",
    "regional",
    "annual",
    "interim",
    "independent",
    "joint",
    "statutory",
    "draft",
    "revised",
    "new",
    "working",
    "together",
    "protecting",
    "supporting",
    "keeping",
    "safe",
    "children",
    "families",
    "young",
    "people",
    "schools",
    "police",
    "health",
]
_SENTENCES = [
    "Local safeguarding partners must publish arrangements for working together.",
    "The guidance sets out what schools and colleges should do to keep children safe.",
    "Practitioners should share information early where a child may be at risk of harm.",
    "The report finds that online grooming offences recorded by police have risen.",
    "Funding will support family hubs and early help services across England.",
    "Inspectors found weaknesses in how referrals about neglect were followed up.",
    "The consultation asked for views on mandatory reporting of child sexual abuse.",
    "Young people leaving care will receive more support with housing and work.",
]


@dataclass
class Site:
    """What `write_site` wrote: the fixture root, the sources file and what a crawl stores."""

    root: Path
    sources_file: Path
    slugs: list[str]
    keys: dict[str, list[str]] = field(default_factory=dict)
    pages: int = 0

    @property
    def items(self) -> int:
        return sum(len(k) for k in self.keys.values())

    def env(self) -> dict[str, str]:
        """What a crawl process needs to see the site: the registry entries and the folders."""
        return {
            "AGGREGATOR_EXTRA_SOURCES": str(self.sources_file),
            "AGGREGATOR_FIXTURES_DIR": str(self.root),
        }


def write_site(
    root: Path,
    *,
    sources: int,
    feeds: int,
    entries: int,
    seed: int = 11,
    prefix: str = "synthetic",
) -> Site:
    """`sources` organisations, each with `feeds` Search API pages of `entries` results."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    site = Site(root=root, sources_file=root / "sources.json", slugs=[])
    registry = []
    for n in range(1, sources + 1):
        slug, org = f"{prefix}_{n:02d}", f"{prefix}-org-{n:02d}"
        publisher = f"Synthetic Department {n:02d}"
        folder = root / slug
        (folder / "content").mkdir(parents=True, exist_ok=True)
        (folder / "robots.txt").write_text(ROBOTS, encoding="utf-8")
        responses: list[dict[str, object]] = [
            {
                "url": "https://www.gov.uk/robots.txt",
                "file": "robots.txt",
                "content_type": "text/plain; charset=utf-8",
            }
        ]
        channels = []
        keys: list[str] = []
        for page in range(feeds):
            search_url = GOVUK_SEARCH.format(org=org) + f"&start={page * entries}"
            channels.append({"kind": "api", "url": search_url})
            results = []
            for i in range(page * entries, (page + 1) * entries):
                record, content = _document(rng, org, publisher, i)
                results.append(record)
                name = f"content/{i:05d}.json"
                (folder / name).write_text(json.dumps(content, indent=1), encoding="utf-8")
                responses.append(
                    {
                        "url": "https://www.gov.uk/api/content" + str(record["link"]),
                        "file": name,
                        "content_type": "application/json; charset=utf-8",
                    }
                )
                keys.append(url_key(canonical_url("https://www.gov.uk" + str(record["link"]))))
            search = {"results": results, "total": feeds * entries, "start": page * entries}
            name = f"search-{page:02d}.json"
            (folder / name).write_text(json.dumps(search, indent=1), encoding="utf-8")
            responses.append(
                {
                    "url": search_url,
                    "file": name,
                    "content_type": "application/json; charset=utf-8",
                    "match_query": ["filter_organisations", "start"],
                }
            )
        meta = {
            "fetched_at": FETCHED_AT.isoformat().replace("+00:00", "Z"),
            "synthetic": "generated by bench/synthetic_site.py",
            "responses": responses,
        }
        (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        registry.append(
            {
                "slug": slug,
                "publisher": publisher,
                "homepage": f"https://www.gov.uk/government/organisations/{org}",
                "channels": channels,
                "poll_interval": 6 * 3600,
                "cadence": "daily",
                "notes": "Synthetic GOV.UK organisation (bench/synthetic_site.py).",
                "spider": "govuk",
            }
        )
        site.slugs.append(slug)
        site.keys[slug] = keys
        site.pages += feeds * (entries + 1)
    site.sources_file.write_text(json.dumps(registry, indent=1), encoding="utf-8")
    return site


def _document(
    rng: random.Random, org: str, publisher: str, index: int
) -> tuple[dict[str, object], dict[str, object]]:
    """A Search API result and its Content API page."""
    subject = rng.choice(_SUBJECTS)
    doc_type, display = rng.choice(_KINDS)
    words = " ".join(rng.sample(_WORDS, 5))
    title = f"{subject.capitalize()}: {words} ({org} {index})"
    path = f"/government/publications/{org}-{index:05d}-{subject.replace(' ', '-')}"
    published = FETCHED_AT - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 600))
    stamp = published.astimezone(UTC).isoformat()
    content_id = f"{rng.getrandbits(128):032x}"
    description = " ".join(rng.sample(_SENTENCES, 2))
    body = "".join(f"<p>{escape(s)}</p>\n" for s in rng.sample(_SENTENCES, 5))
    record: dict[str, object] = {
        "title": title,
        "link": path,
        "description": description,
        "public_timestamp": stamp,
        "content_id": content_id,
        "content_store_document_type": doc_type,
        "display_type": display,
        "content_purpose_supergroup": "guidance_and_regulation",
        "organisations": [
            {"slug": org, "title": publisher, "link": f"/government/organisations/{org}"}
        ],
        "latest_change_note": "First published.",
        "is_withdrawn": False,
    }
    content: dict[str, object] = {
        "base_path": path,
        "content_id": content_id,
        "title": title,
        "description": description,
        "document_type": doc_type,
        "first_published_at": stamp,
        "public_updated_at": stamp,
        "details": {
            "body": f'<div class="govspeak">{body}</div>',
            "change_history": [{"public_timestamp": stamp, "note": "First published."}],
        },
        "links": {"primary_publishing_organisation": [{"title": publisher}]},
        "locale": "en",
        "schema_name": "publication",
        "withdrawn_notice": {},
    }
    return record, content


def govuk_atom_feed(entries: int, seed: int = 5) -> bytes:
    """A GOV.UK organisation Atom feed (the shape of fixtures/*/org.atom) of `entries` entries."""
    rng = random.Random(seed)
    org = "synthetic-org-feed"
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">\n'
        f"  <id>tag:www.gov.uk,2005:/government/organisations/{org}</id>\n"
        '  <link rel="alternate" type="text/html" '
        f'href="https://www.gov.uk/government/organisations/{org}"/>\n'
        '  <link rel="self" type="application/atom+xml" '
        f'href="https://www.gov.uk/government/organisations/{org}.atom"/>\n'
        "  <title>Synthetic Department - Activity on GOV.UK</title>\n"
        "  <author>\n    <name>HM Government</name>\n  </author>\n"
        f"  <updated>{FETCHED_AT.isoformat().replace('+00:00', 'Z')}</updated>\n"
    )
    parts = [head]
    for i in range(entries):
        record, _ = _document(rng, org, "Synthetic Department", i)
        when = str(record["public_timestamp"]).replace("+00:00", "Z")
        url = "https://www.gov.uk" + str(record["link"])
        display = escape(str(record["display_type"]))
        parts.append(
            "  <entry>\n"
            f"    <id>{url}#{when}</id>\n"
            f"    <updated>{when}</updated>\n"
            f'    <link rel="alternate" type="text/html" href="{url}"/>\n'
            f"    <title>{display}: {escape(str(record['title']))}</title>\n"
            f'    <category label="{display}" term="{display}"/>\n'
            f"    <summary>{escape(str(record['description']))}</summary>\n"
            "  </entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")
