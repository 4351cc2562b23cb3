"""The registry and the add-a-source recipe: a completeness check for every source.

Every slug list here comes from the registry (and the fixtures on disk), so a new registry
entry is checked as soon as it exists. What the recipe demands of every source: a registry
entry; fixtures/<slug>/ with meta.json and a README saying whether it is real, real-shape or
synthetic; reviewed goldens; a row in docs/sources.md. Only a source of the HTML kind also
needs its own module spiders/<slug>.py, a test module tests/spiders/test_<slug>.py and a
`variant/` re-skin (a redesign changes markup; an API or feed response has no skin to change).
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.devtools.goldens import parse_cases, snapshot_folders
from aggregator.devtools.scaffold import PLACEHOLDER
from aggregator.fetch.spider_loader import RegistrySpiderLoader, parser_class, spider_class
from aggregator.sources import REGISTRY, ChannelKind, SourceKind
from spiders.feed import PlainFeedParser
from tests import prewarmed
from tests.source_kinds import VARIANT

ROOT = Path(__file__).resolve().parent.parent
SLUGS = sorted(REGISTRY)
SLUG = re.compile(r"[a-z][a-z0-9_]*")


def test_registry_and_fixture_folders_name_the_same_sources() -> None:
    """Every registered source has fixtures, and every fixture folder is a registered source."""
    assert SLUGS, "the registry is empty"
    assert all(SLUG.fullmatch(slug) for slug in SLUGS), SLUGS
    folders = sorted(meta.parent.name for meta in FIXTURES_DIR.glob("*/meta.json"))
    assert folders == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_recipe_was_followed(slug: str) -> None:
    """Registry entry, fixtures with README and meta, reviewed goldens and a row in
    docs/sources.md; for an HTML site also its module, its test module and a re-skin."""
    source = REGISTRY[slug]
    assert source.publisher and source.homepage.startswith("https://")
    assert source.channels, "a source needs at least one channel"
    assert source.spider is None or (ROOT / "spiders" / f"{source.spider}.py").exists()

    folder = FIXTURES_DIR / slug
    assert (folder / "meta.json").exists(), f"no fixtures/{slug}/meta.json"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower() or "real" in readme.lower(), "the README must say which"
    # `aggregator source new` leaves placeholders for what only a person can say.
    assert PLACEHOLDER not in readme, f"fixtures/{slug}/README.md still has a {PLACEHOLDER}"
    assert PLACEHOLDER not in source.notes, f"the registry notes still have a {PLACEHOLDER}"
    responses = read_meta(folder)
    absent = [str(r.file) for r in responses if not r.file.exists()]
    assert not absent, f"meta.json names fixture files that do not exist: {absent}"
    served = {r.url for r in responses}
    for channel in source.channels:
        if channel.role == "primary":
            assert channel.url in served, f"no fixture for primary channel {channel.url}"

    # Reviewed goldens: one per parsed response, one crawl golden per snapshot folder.
    expected = [c.expected_path for c in parse_cases() if c.slug == slug]
    expected += [f / "crawl.expected.json" for s, f in snapshot_folders() if s == slug]
    missing = [str(path) for path in expected if not path.exists()]
    assert not missing, f"no golden (run `make goldens` and review): {missing}"
    assert json.loads((folder / "crawl.expected.json").read_text()), "the crawl golden is empty"

    docs = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    [row] = [line for line in docs.splitlines() if line.startswith(f"| `{slug}` |")] or [""]
    assert row, "no row in docs/sources.md"
    assert PLACEHOLDER not in row, f"the docs/sources.md row still has a {PLACEHOLDER}"

    if source.kind == SourceKind.HTML:
        module = ROOT / "spiders" / f"{slug}.py"
        assert module.exists(), f"no spiders/{slug}.py"
        assert PLACEHOLDER not in module.read_text(encoding="utf-8"), f"spiders/{slug}.py"
        assert (ROOT / "tests" / "spiders" / f"test_{slug}.py").exists(), "no test module"
        variant = folder / VARIANT
        assert (variant / "meta.json").exists() and (variant / "README.md").exists(), "no variant"
        assert (variant / "crawl.expected.json").exists(), "variant golden missing"


@pytest.mark.parametrize("slug", SLUGS)
def test_scrapy_finds_every_source_by_slug(slug: str) -> None:
    loader = RegistrySpiderLoader()
    assert slug in loader.list()
    cls = loader.load(slug)
    assert cls.name == slug and cls.source is REGISTRY[slug]
    assert cls.parser_class is parser_class(slug)


def test_a_plain_feed_source_needs_only_a_registry_entry(tmp_path: Path) -> None:
    """Register another publisher's feed (no module), crawl it through the fixture server."""
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>LSCP news</title>'
        b"<item><title>Neglect strategy 2024</title><link>https://lscp.example.org/neglect</link>"
        b"<guid>https://lscp.example.org/?p=7</guid>"
        b"<pubDate>Tue, 14 May 2024 09:00:00 +0100</pubDate></item></channel></rss>"
    )
    (tmp_path / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    meta = {
        "fetched_at": "2024-05-31T08:00:00Z",
        "responses": [
            {
                "url": "https://lscp.example.org/feed/",
                "file": "feed.xml",
                "content_type": "application/rss+xml",
            },
            {
                "url": "https://lscp.example.org/robots.txt",
                "file": "robots.txt",
                "content_type": "text/plain",
            },
        ],
    }
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from aggregator.sources import REGISTRY, Source, Channel, ChannelKind
        REGISTRY["lscp"] = Source(
            slug="lscp", publisher="Example LSCP", homepage="https://lscp.example.org/",
            channels=(Channel(ChannelKind.FEED, "https://lscp.example.org/feed/"),),
        )
        from aggregator.fetch.process import run_crawl
        from aggregator.devtools.fixtures import FixtureServer, FixtureSet
        from aggregator.storage.db import upgrade
        from aggregator.storage.repository import Repository
        db = "sqlite:///{tmp_path}/feed.db"
        upgrade(db)
        with FixtureServer(FixtureSet.load({{"lscp": Path("{tmp_path}")}})) as server:
            run_crawl(["lscp"], db, fixture_server=server.base_url)
        [stored] = Repository.from_url(db).list_items(source="lscp")
        print(stored.item.title, stored.item.publisher, stored.item.aliases)
        """
    )
    result = prewarmed.run([sys.executable, "-c", script], cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == (
        "Neglect strategy 2024 Example LSCP ['feed-guid:https://lscp.example.org/?p=7']"
    )


def test_registry_only_source_uses_the_shared_feed_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    from aggregator.sources import Channel, Source

    monkeypatch.setitem(
        REGISTRY,
        "other",
        Source(
            "other",
            "Other",
            "https://o.example/",
            (Channel(ChannelKind.FEED, "https://o.example/f"),),
        ),
    )
    assert parser_class("other") is PlainFeedParser
    assert spider_class("other").name == "other"
