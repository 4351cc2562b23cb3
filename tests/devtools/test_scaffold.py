"""`aggregator source new`: what it writes for each kind, what it refuses, and the whole recipe.

The unit tests write into a scratch copy of the two files the scaffold edits (the registry and
docs/sources.md) and import the scratch registry to read the entry back. The end-to-end test
walks the README recipe in a scratch copy of the project: scaffold a feed source, fill its
fixtures and placeholders, refresh its goldens, and run the completeness and golden tests on it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from aggregator.devtools.scaffold import PLACEHOLDER, NewSource, ScaffoldError, create
from aggregator.sources import ChannelKind, SourceKind
from tests import prewarmed
from tests.crawling import aggregator_cli

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The files the scaffold reads and edits, copied."""
    for relative in ("aggregator/sources.py", "docs/sources.md"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    return tmp_path


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


CASES = [
    (
        NewSource(
            "scr_govuk",
            SourceKind.GOVUK,
            "https://www.gov.uk/government/organisations/ofsted",
            "Ofsted",
        ),
        [ChannelKind.API, ChannelKind.FEED],
    ),
    (
        NewSource(
            "scr_wordpress",
            SourceKind.WORDPRESS,
            "https://www.childrenscommissioner.gov.uk/",
            "Children's Commissioner for England",
        ),
        [ChannelKind.FEED, ChannelKind.API, ChannelKind.SITEMAP],
    ),
    (
        NewSource(
            "scr_feed",
            SourceKind.FEED,
            "https://lscp.example.org/news/feed/",
            "Example Safeguarding Children Partnership",
        ),
        [ChannelKind.FEED],
    ),
    (
        NewSource(
            "scr_html",
            SourceKind.HTML,
            "https://charity.example.org/news/",
            "Example Charity",
        ),
        [ChannelKind.LISTING],
    ),
]


@pytest.mark.parametrize(("new", "channels"), CASES, ids=[c[0].kind for c in CASES])
def test_each_kind_gets_a_registry_entry_fixtures_and_a_docs_row(
    project: Path, new: NewSource, channels: list[ChannelKind]
) -> None:
    written = create(new, root=project, now=NOW)

    registry = load(project / "aggregator" / "sources.py", f"scratch_{new.slug}")
    source = registry.REGISTRY[new.slug]
    assert (source.kind, source.publisher) == (new.kind, new.publisher)
    assert [c.kind for c in source.channels] == channels
    assert PLACEHOLDER in source.notes  # for a person to replace

    folder = project / "fixtures" / new.slug
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["fetched_at"] == "2026-12-06T09:00:00Z"
    served = {r["url"] for r in meta["responses"]}
    assert {c.url for c in source.channels if c.role == "primary"} <= served
    readme = (folder / "README.md").read_text()
    assert PLACEHOLDER in readme and all(r["file"] in readme for r in meta["responses"])

    [row] = [
        line
        for line in (project / "docs" / "sources.md").read_text().splitlines()
        if line.startswith(f"| `{new.slug}` |")
    ]
    assert PLACEHOLDER in row

    paths = {entry.path.relative_to(project) for entry in written}
    module = Path("spiders") / f"{new.slug}.py"
    test_module = Path("tests") / "spiders" / f"test_{new.slug}.py"
    if new.kind == SourceKind.HTML:
        assert {module, test_module} <= paths
        compile((project / module).read_text(), str(module), "exec")
        compile((project / test_module).read_text(), str(test_module), "exec")
    else:
        assert not paths & {module, test_module}, "only an html site gets a module"


def test_the_html_module_is_a_parser_of_the_html_kind(project: Path) -> None:
    new = next(c[0] for c in CASES if c[0].kind == SourceKind.HTML)
    create(new, root=project, now=NOW)
    module = load(project / "spiders" / f"{new.slug}.py", "scratch_html_module")
    from spiders.html import HtmlKind

    assert issubclass(module.PARSER, HtmlKind)
    assert module.PARSER.listing_paths == ("/news/",)
    assert module.DETAIL_PATH.match("/news/a-new-report/")
    assert not module.DETAIL_PATH.match("/about/")


@pytest.mark.parametrize(
    ("slug", "kind", "url", "publisher", "says"),
    [
        ("nspcc", "feed", "https://example.org/feed", "NSPCC", "already registered"),
        ("Bad-Slug", "feed", "https://example.org/feed", "X", "lower-case"),
        ("govuk", "feed", "https://example.org/feed", "X", "shared module"),
        ("new_one", "feed", "http://example.org/feed", "X", "https"),
        ("new_one", "govuk", "https://www.gov.uk/guidance/x", "X", "organisation page"),
        ("new_one", "feed", "https://example.org/feed", "  ", "organisation of record"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    project: Path, slug: str, kind: str, url: str, publisher: str, says: str
) -> None:
    before = (project / "aggregator" / "sources.py").read_text()
    with pytest.raises(ScaffoldError, match=says):
        create(NewSource(slug, SourceKind(kind), url, publisher), root=project, now=NOW)
    assert (project / "aggregator" / "sources.py").read_text() == before
    assert not (project / "fixtures").exists()


def test_the_cli_gives_one_line_for_a_refusal() -> None:
    result = aggregator_cli(
        "source", "new", "nspcc", "--kind", "feed",
        "--url", "https://example.org/feed", "--publisher", "NSPCC",
    )  # fmt: skip
    assert result.returncode == 2
    assert "source 'nspcc' is already registered" in result.stderr
    assert "Traceback" not in result.stderr


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Partnership news</title>
<link>https://lscp.example.org/news/</link><description>News</description>
<item><title>Neglect strategy 2024 to 2027</title>
<link>https://lscp.example.org/news/neglect-strategy/</link>
<guid isPermaLink="false">https://lscp.example.org/?p=41</guid>
<pubDate>Tue, 14 May 2024 09:00:00 +0100</pubDate>
<description>The partnership's plan for tackling neglect, with a toolkit.</description>
</item></channel></rss>
"""


@pytest.mark.timeout(600)
@pytest.mark.slow
def test_a_scaffolded_source_passes_the_tests_once_its_fixtures_are_filled(
    tmp_path: Path,
) -> None:
    """The recipe, walked: scaffold, fill, refresh goldens, then the completeness test."""
    copy = tmp_path / "project"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        target = copy / name.decode()
        if (ROOT / name.decode()).exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name.decode(), target)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return prewarmed.run([sys.executable, *args], cwd=copy, timeout=500)

    slug, feed_url = "lscp_news", "https://lscp.example.org/news/feed/"
    made = run(
        "-m", "aggregator.cli", "source", "new", slug, "--kind", "feed", "--url", feed_url,
        "--publisher", "Example Safeguarding Children Partnership",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    # Unfilled, the completeness test refuses it.
    unfilled = run(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_sources.py", "-k", slug
    )
    assert unfilled.returncode != 0

    folder = copy / "fixtures" / slug
    (folder / "feed.xml").write_text(FEED)
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    for path in (
        folder / "README.md",
        copy / "aggregator" / "sources.py",
        copy / "docs" / "sources.md",
    ):
        text = path.read_text()
        path.write_text(text.replace(f"{PLACEHOLDER}: ", "Synthetic, test: "))
    refreshed = run("-m", "aggregator.cli", "fixture", "refresh", slug)
    assert refreshed.returncode == 0, refreshed.stderr
    crawled = json.loads((folder / "crawl.expected.json").read_text())
    assert [item["title"] for item in crawled] == ["Neglect strategy 2024 to 2027"]
    assert crawled[0]["publisher"] == "Example Safeguarding Children Partnership"

    checked = run(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_sources.py",
        "tests/spiders/test_goldens.py", "tests/test_architecture.py", "-k", slug,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert " passed" in checked.stdout
