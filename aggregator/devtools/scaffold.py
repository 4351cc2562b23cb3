"""`aggregator source new`: the files a new source starts from, like city-scrapers' `genspider`.

It writes the registry entry, the module (HTML sites only), the fixture folder with its
`meta.json` and README, the test module (HTML sites only) and the row in docs/sources.md. Then
the editor saves or writes the fixtures, runs `aggregator fixture refresh SLUG`, reads every
field of the goldens and runs `make test`. The completeness test (tests/test_sources.py) fails
while any placeholder (`TODO`) is left in the fixture README or a fixture file is missing, so a
half-done source never passes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.sources import GOVUK_SEARCH, REGISTRY, REGISTRY_END, SourceKind

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SLUG = re.compile(r"[a-z][a-z0-9_]{1,39}")
GOVUK_ORGANISATION = re.compile(r"^/government/organisations/([a-z0-9-]+)/?$")
# A fixture README keeps this marker until a person has said what is real and what is not.
PLACEHOLDER = "TODO"
DOCS_TABLE_HEADER = "| slug | channels"


class ScaffoldError(ValueError):
    """A new source that cannot be written as asked (bad slug, URL or kind)."""


class FixtureFile(StrEnum):
    """The fixture file names the scaffold expects for each channel, by kind."""

    FEED = "feed.xml"
    REST = "wp-json-posts.json"
    SEARCH = "search.json"
    ORG_FEED = "org.atom"
    LISTING = "listing.html"


@dataclass(frozen=True)
class NewSource:
    """What the editor asked for: `aggregator source new SLUG --kind KIND --url URL`."""

    slug: str
    kind: SourceKind
    url: str
    publisher: str

    def check(self) -> None:
        if not SLUG.fullmatch(self.slug):
            raise ScaffoldError(
                f"slug {self.slug!r}: lower-case letters, digits and '_', starting with a letter"
            )
        if self.slug in REGISTRY:
            raise ScaffoldError(f"source {self.slug!r} is already registered")
        if self.slug in {kind.value for kind in SourceKind} | {"base", "loader", "chrome"}:
            raise ScaffoldError(f"slug {self.slug!r} is the name of a shared module in spiders/")
        parts = urlsplit(self.url)
        if parts.scheme != "https" or not parts.hostname:
            raise ScaffoldError(f"--url must be an absolute https URL, not {self.url!r}")
        if not self.publisher.strip():
            raise ScaffoldError("--publisher must name the organisation of record")
        if self.kind == SourceKind.GOVUK and not (
            parts.hostname == "www.gov.uk" and GOVUK_ORGANISATION.match(parts.path)
        ):
            raise ScaffoldError(
                "a GOV.UK source's --url is its organisation page, "
                "https://www.gov.uk/government/organisations/<organisation>"
            )

    @property
    def site(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}"

    @property
    def organisation(self) -> str:
        found = GOVUK_ORGANISATION.match(urlsplit(self.url).path)
        return found.group(1) if found else ""


def registry_entry(new: NewSource) -> str:
    """The Python of the source's registry entry, as it stands in REGISTRY."""
    notes = "TODO: what the site does (robots, cadence, quirks), and on what evidence."
    slug, publisher = json.dumps(new.slug), json.dumps(new.publisher)
    if new.kind == SourceKind.GOVUK:
        args = [slug, json.dumps(new.organisation), publisher, json.dumps(notes)]
        call = "_govuk"
    elif new.kind == SourceKind.WORDPRESS:
        args = [slug, publisher, json.dumps(new.site + "/"), json.dumps(notes)]
        call = "_wordpress"
    elif new.kind == SourceKind.FEED:
        args = [slug, publisher, json.dumps(new.url), json.dumps(new.site + "/"), json.dumps(notes)]
        call = "_feed"
    else:
        lines = [
            "        Source(",
            f"            slug={slug},",
            f"            publisher={publisher},",
            f"            homepage={json.dumps(new.site + '/')},",
            f"            channels=(Channel(ChannelKind.LISTING, {json.dumps(new.url)}),),",
            f"            notes={json.dumps(notes)},",
            f"            spider={slug},",
            "        ),",
        ]
        return "\n".join(lines) + "\n"
    inner = "\n".join(f"            {arg}," for arg in args)
    return f"        {call}(\n{inner}\n        ),\n"


def channel_fixtures(new: NewSource) -> list[tuple[str, str, str]]:
    """(URL, file, content type) of each response the fixture folder must hold at first."""
    if new.kind == SourceKind.GOVUK:
        org = new.organisation
        return [
            (GOVUK_SEARCH.format(org=org), FixtureFile.SEARCH, "application/json; charset=utf-8"),
            (
                f"https://www.gov.uk/government/organisations/{org}.atom",
                FixtureFile.ORG_FEED,
                "application/atom+xml; charset=utf-8",
            ),
        ]
    if new.kind == SourceKind.WORDPRESS:
        return [
            (f"{new.site}/feed/", FixtureFile.FEED, "application/rss+xml; charset=UTF-8"),
            (
                f"{new.site}/wp-json/wp/v2/posts?per_page=50",
                FixtureFile.REST,
                "application/json; charset=UTF-8",
            ),
        ]
    if new.kind == SourceKind.FEED:
        return [(new.url, FixtureFile.FEED, "application/rss+xml; charset=utf-8")]
    return [(new.url, FixtureFile.LISTING, "text/html; charset=utf-8")]


def meta_json(new: NewSource, fetched_at: datetime) -> str:
    responses = [
        {"url": url, "file": str(file), "content_type": content_type, "status": 200}
        for url, file, content_type in channel_fixtures(new)
    ]
    responses.append(
        {
            "url": f"{new.site}/robots.txt",
            "file": "robots.txt",
            "content_type": "text/plain",
            "status": 200,
        }
    )
    meta = {
        "fetched_at": fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "responses": responses,
    }
    return json.dumps(meta, indent=2) + "\n"


def fixture_readme(new: NewSource) -> str:
    files = "\n".join(
        f"- `{file}`: `{url}`. {PLACEHOLDER}: captured, or written by hand after which real page?"
        for url, file, _ in channel_fixtures(new)
    )
    detail = (
        "\nDetail pages: save each with `aggregator fixture save "
        f"{new.slug} URL`, which adds it to meta.json.\n"
        if new.kind in (SourceKind.HTML, SourceKind.WORDPRESS)
        else ""
    )
    return f"""# Fixtures: {new.slug} ({new.publisher}, {new.kind} kind)

{PLACEHOLDER}: say whether these responses are real captures, real-shape reconstructions or
synthetic, and for each file which real page, feed or API response it follows: what is real
(URLs, titles, dates, labels, field names) and what is reconstructed (prose is always your own).

Snapshot time: the `fetched_at` of `meta.json`.

{files}
- `robots.txt`: `{new.site}/robots.txt`.
{detail}"""


def spider_module(new: NewSource) -> str:
    """An HTML site's module: a subclass of the HTML kind, with the hooks it will need."""
    class_name = "".join(part.title() for part in new.slug.split("_")) + "Parser"
    listing_path = urlsplit(new.url).path or "/"
    host = urlsplit(new.url).hostname
    return f'''"""{new.publisher} ({host}): {PLACEHOLDER} what the site publishes and where
(sources.md). Only this site's quirks live here; the HTML kind (spiders/html.py) reads
everything else in layers: structured data, visible labels, the URL, a generic extractor.
"""

from __future__ import annotations

import re

from spiders.html import HtmlKind

# The listing links detail pages whose path matches this ({PLACEHOLDER}: the site's real pattern).
DETAIL_PATH = re.compile(r"^{re.escape(listing_path.rstrip("/"))}/[^/]+/?$")


class {class_name}(HtmlKind):
    listing_paths = ({json.dumps(listing_path)},)
    detail_patterns = (DETAIL_PATH,)


PARSER = {class_name}
'''


def test_module(new: NewSource) -> str:
    """An HTML site's test module: what every detail fixture must give (edge cases are added
    only where the golden does not show the behaviour)."""
    return f'''"""{new.publisher}: fixture tests beyond the goldens (tests/spiders/test_goldens.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.fetch.spider_loader import parser_class
from aggregator.parse.raw import RawItem
from aggregator.sources import REGISTRY
from spiders.base import Page

SLUG = {json.dumps(new.slug)}
FETCHED_AT = datetime(2024, 5, 31, 8, tzinfo=UTC)
RESPONSES = [r for r in read_meta(FIXTURES_DIR / SLUG) if "html" in r.content_type]


def parse(url: str) -> list[RawItem]:
    [response] = [r for r in RESPONSES if r.url == url]
    page = Page(response.file.read_bytes(), url, FETCHED_AT, response.content_type)
    return parser_class(SLUG)(REGISTRY[SLUG]).parse(page).listed()


@pytest.mark.parametrize("url", [r.url for r in RESPONSES])
def test_every_page_gives_titled_items_on_the_site(url: str) -> None:
    items = parse(url)
    assert items, f"nothing read from {{url}}"
    for item in items:
        assert item.title.strip()
        assert item.url.startswith({json.dumps(new.site)})
'''


def docs_row(new: NewSource) -> str:
    channels = " → ".join(f"`{url}`" for url, _, _ in channel_fixtures(new))
    how = {
        SourceKind.GOVUK: "GOV.UK kind: Search API → Content API; organisation Atom feed",
        SourceKind.WORDPRESS: "WordPress kind: feed → REST API",
        SourceKind.FEED: "plain RSS/Atom kind",
        SourceKind.HTML: f"HTML kind, spiders/{new.slug}.py: listing → detail pages",
    }[new.kind]
    return (
        f"| `{new.slug}` | {how}: {channels} | canonical URL | {PLACEHOLDER}: what the parser "
        f"leans on | {PLACEHOLDER}: real, real-shape or synthetic |"
    )


@dataclass(frozen=True)
class Written:
    path: Path
    what: str


def create(new: NewSource, root: Path = PROJECT_ROOT, now: datetime | None = None) -> list[Written]:
    """Write every file of a new source under `root` (the project); what was written.

    Nothing is written unless all of it can be: the checks run first, and no existing file is
    overwritten.
    """
    new.check()
    registry = root / "aggregator" / "sources.py"
    docs = root / "docs" / "sources.md"
    folder = root / "fixtures" / new.slug
    registry_text = registry.read_text(encoding="utf-8")
    docs_text = docs.read_text(encoding="utf-8")
    if registry_text.count(REGISTRY_END + "\n") != 1:
        raise ScaffoldError(f"{registry}: the end-of-registry marker line is missing")
    if DOCS_TABLE_HEADER not in docs_text:
        raise ScaffoldError(f"{docs}: no sources table (a line starting {DOCS_TABLE_HEADER!r})")
    files: list[tuple[Path, str, str]] = [
        (folder / "meta.json", meta_json(new, now or datetime.now(UTC)), "fixture index"),
        (folder / "README.md", fixture_readme(new), "fixture README"),
    ]
    if new.kind == SourceKind.HTML:
        files.append((root / "spiders" / f"{new.slug}.py", spider_module(new), "spider module"))
        files.append(
            (root / "tests" / "spiders" / f"test_{new.slug}.py", test_module(new), "test module")
        )
    existing = [str(path) for path, _, _ in files if path.exists()]
    if existing:
        raise ScaffoldError(f"already exists: {', '.join(existing)}")

    registry.write_text(
        registry_text.replace(REGISTRY_END + "\n", registry_entry(new) + REGISTRY_END + "\n"),
        encoding="utf-8",
    )
    written = [Written(registry, "registry entry")]
    for path, text, what in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(Written(path, what))
    docs.write_text(_add_docs_row(docs_text, docs_row(new)), encoding="utf-8")
    written.append(Written(docs, "docs/sources.md row"))
    return written


def _add_docs_row(text: str, row: str) -> str:
    """The sources table of docs/sources.md with one more row at its end."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(DOCS_TABLE_HEADER))
    end = start
    while end + 1 < len(lines) and lines[end + 1].startswith("|"):
        end += 1
    lines.insert(end + 1, row + "\n")
    return "".join(lines)
