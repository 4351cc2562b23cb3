"""The registry and the add-a-source recipe: a completeness check for every source."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.fetch.spider_loader import RegistrySpiderLoader, parser_class, spider_class
from aggregator.sources import REGISTRY, ChannelKind
from spiders.base import PlainFeedParser

ROOT = Path(__file__).resolve().parent.parent
SLUGS = sorted(REGISTRY)


def test_the_six_sources_are_registered() -> None:
    assert SLUGS == [
        "dhsc",
        "home_office",
        "internet_matters",
        "lucy_faithfull",
        "nspcc",
        "uk_trauma_council",
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_recipe_was_followed(slug: str) -> None:
    """Registry entry, spider module, fixtures with README and meta, a re-skin variant,
    goldens, tests and a row in docs/sources.md."""
    source = REGISTRY[slug]
    assert source.publisher and source.homepage.startswith("https://")
    assert source.channels, "a source needs at least one channel"
    assert source.spider is None or (ROOT / "spiders" / f"{source.spider}.py").exists()
    folder = FIXTURES_DIR / slug
    readme = (folder / "README.md").read_text(encoding="utf-8").lower()
    assert "synthetic" in readme or "real" in readme, "the fixture README must say which"
    responses = read_meta(folder)
    served = {r.url for r in responses}
    for channel in source.channels:
        if channel.role == "primary":
            assert channel.url in served, f"no fixture for primary channel {channel.url}"
    variant = folder / "variant"
    assert (variant / "meta.json").exists() and (variant / "README.md").exists(), "no variant"
    assert (variant / "crawl.expected.json").exists(), "variant golden missing"
    docs = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert f"| `{slug}` |" in docs, "no row in docs/sources.md"
    assert (folder / "crawl.expected.json").exists()
    assert json.loads((folder / "crawl.expected.json").read_text()), "the crawl golden is empty"
    module = source.spider or "feed"
    assert (ROOT / "tests" / "spiders" / f"test_{module}.py").exists() or (
        ROOT / "tests" / "spiders" / f"test_{slug}.py"
    ).exists()


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
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT
    )
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
