"""Working on sources: `fixture save`, `fixture refresh`, and `parse` (one saved page)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from aggregator.cli.options import (
    check_slugs,
    examples,
    parse_when,
    slugs_argument,
    source_choice,
)
from aggregator.sources import REGISTRY


@click.group(
    "fixture",
    epilog=examples(
        "aggregator fixture save nspcc https://learning.nspcc.org.uk/news",
        "aggregator fixture refresh nspcc",
    ),
)
def fixture() -> None:
    """Capture live pages as fixtures and refresh goldens for review."""


@fixture.command(
    "save",
    epilog=examples(
        "aggregator fixture save nspcc https://learning.nspcc.org.uk/news",
        "aggregator fixture save nspcc https://learning.nspcc.org.uk/news --snapshot redesign",
    ),
)
@click.argument("slug", type=source_choice(), metavar="SLUG")
@click.argument("url")
@click.option("--name", default=None, help="File name in the snapshot (default: from the URL).")
@click.option("--snapshot", default=None, help="Snapshot folder (default: today's date).")
def fixture_save(slug: str, url: str, name: str | None, snapshot: str | None) -> None:
    """Fetch URL live and save it, with its URL, fetch time and content type, as a fixture.

    The fetch is the crawler's own (a one-off crawl with the project's settings): its
    User-Agent, robots.txt, decompression, size caps and SSRF guard, so the saved body is
    what the spider would have parsed.

    The page goes into fixtures/SLUG/<snapshot>/ (a dated folder by default, so a redesign
    gets a new fixture beside the old one) and is added to that folder's meta.json. Then run
    `aggregator fixture refresh SLUG` and review the goldens.
    """
    from aggregator.devtools.capture import CaptureError, save_fixture

    try:
        saved = save_fixture(slug, url, name=name, snapshot=snapshot)
    except CaptureError as exc:  # robots.txt, the SSRF guard, an HTTP error: one line
        raise click.ClickException(str(exc)) from None
    click.echo(f"saved {url} as {saved}")


@fixture.command(
    "refresh",
    epilog=examples(
        "aggregator fixture refresh nspcc",
        "aggregator fixture refresh",
    ),
)
@slugs_argument()
def fixture_refresh(slugs: tuple[str, ...]) -> None:
    """Regenerate the goldens of SLUGs (all when none is named) for review.

    Every fixture response is parsed and every fixture folder crawled offline; read the
    diff field by field before committing.
    """
    from aggregator.devtools.goldens import refresh

    chosen = check_slugs(slugs) if slugs else []
    for path in refresh(chosen):
        click.echo(f"wrote {path}")


@click.command(
    "parse",
    epilog=examples(
        "aggregator parse nspcc fixtures/nspcc/news.html --url https://learning.nspcc.org.uk/news",
        "aggregator parse feed feed.xml --url https://example.org/feed/ --fetched-at 2024-05-31",
    ),
)
@click.argument("slug", type=source_choice("feed"), metavar="SLUG")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the file was fetched from.")
@click.option("--fetched-at", default=None, help="ISO 8601 fetch time (default: now).")
@click.option("--content-type", default="", help="The response's Content-Type, if known.")
def parse(slug: str, file: Path, url: str, fetched_at: str | None, content_type: str) -> None:
    """Parse one saved page, feed or API response offline; print one JSON object per item.

    SLUG picks the source's parser (`feed` reads any RSS/Atom file). The parser is chosen from
    the URL and content. For a listing, feed or search result it prints what that page alone
    shows. Each object carries its `classification` (type, topics, nations, relevance, with
    evidence) and its `main_text` (what drafts are built from: the page's own words, one
    paragraph or list item per line; check it after a site redesign). Items that fail
    validation are reported on stderr with their reason, and so is what the page was read in
    spite of (skipped feed entries, a cut-off feed, fields refused for their markup). A file
    larger than the crawler's download cap is refused unread.
    """
    from aggregator.fetch.scrapy_settings import DOWNLOAD_MAXSIZE
    from aggregator.parse.offline import SavedFileTooLarge, parse_saved, read_saved

    if slug != "feed" and slug not in REGISTRY:
        raise click.BadParameter(
            f"unknown source {slug!r} (known: feed, {', '.join(sorted(REGISTRY))})",
            param_hint="SLUG",
        )
    when = parse_when(fetched_at, "--fetched-at") if fetched_at else datetime.now(UTC)
    try:
        body = read_saved(file, DOWNLOAD_MAXSIZE)  # the crawler's own cap
    except SavedFileTooLarge as exc:
        raise click.ClickException(str(exc)) from None
    result = parse_saved(slug, body, url, when, content_type)
    for item, classification, main_text in zip(
        result.items, result.classifications, result.main_texts, strict=True
    ):
        record = item.to_json() | {
            "classification": classification.to_json(),
            "main_text": main_text,
        }
        click.echo(json.dumps(record, ensure_ascii=False))
    for reason, dropped_url in result.dropped:
        click.echo(f"dropped ({reason}): {dropped_url}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


@click.group(
    "source",
    epilog=examples(
        "aggregator source new lscp_news --kind feed --url https://lscp.example.org/news/feed/"
        ' --publisher "Example Safeguarding Children Partnership"',
    ),
)
def source() -> None:
    """Add a source: write the files its recipe needs (README, "Adding a source")."""


@source.command(
    "new",
    epilog=examples(
        "aggregator source new lscp_news --kind feed --url https://lscp.example.org/news/feed/"
        ' --publisher "Example Safeguarding Children Partnership"',
        "aggregator source new barnardos --kind html --url https://www.barnardos.org.uk/news"
        ' --publisher "Barnardo\'s"',
    ),
)
@click.argument("slug")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["govuk", "wordpress", "feed", "html"]),
    help="The shared kind that reads it; only an html site gets a module of its own.",
)
@click.option(
    "--url",
    required=True,
    help="govuk: the organisation page; wordpress: the site; feed: the feed; html: the listing.",
)
@click.option("--publisher", required=True, help="The organisation of record, as it names itself.")
def source_new(slug: str, kind: str, url: str, publisher: str) -> None:
    """Write a new source SLUG: its registry entry, its fixture folder (meta.json, README), a
    row in docs/sources.md, and for an html site its module and test module.

    Then: fill the fixtures (`aggregator fixture save SLUG URL`, or by hand to a real page's
    shape, saying which in the README), replace every TODO, run `aggregator fixture refresh
    SLUG`, read every field of the goldens, and run `make test`.
    """
    from aggregator.devtools.scaffold import NewSource, ScaffoldError, create
    from aggregator.sources import SourceKind

    try:
        written = create(NewSource(slug, SourceKind(kind), url, publisher))
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    for entry in written:
        click.echo(f"wrote {entry.what}: {entry.path}")
