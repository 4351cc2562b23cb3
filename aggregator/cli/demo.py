"""`demo`: the whole flow offline, from the bundled fixtures to a bulletin."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli.options import db_option, examples
from aggregator.settings import database_url

TITLE_WIDTH = 80
TOPICS_SHOWN = 2


@click.command(
    "demo",
    epilog=examples(
        "aggregator demo",
        "aggregator demo --db sqlite:///demo.db --out-dir demo",
    ),
)
@db_option
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Where bulletin.html and bulletin.md are written.",
)
def demo(db_url: str | None, out_dir: Path) -> None:
    """Crawl the bundled fixtures offline, list what is new, and write a bulletin.

    Starts the loopback fixture server, crawls every source that has fixtures into the
    database, prints the new and updated items per source, and writes bulletin.html and
    bulletin.md from them.
    """
    from aggregator.services.crawl import format_runs
    from aggregator.services.demo import run_demo

    url = database_url(db_url)

    def starting(sources: int) -> None:
        click.echo(f"Crawling fixtures of {sources} sources into {url} ...")

    report = run_demo(url, out_dir, starting=starting)
    for line in format_runs(report.runs):
        click.echo(line)
    click.echo("")
    for group in report.groups:
        click.echo(f"{group.label} items: {group.total} ({group.relevant} safeguarding)")
        for source in group.sources:
            note = f"  (+{source.hidden} probably not safeguarding)" if source.hidden else ""
            click.echo(f"  {source.source}{note}")
            for title, topics in source.shown:
                shown = ", ".join(topics[:TOPICS_SHOWN])
                click.echo(f"    - {title[:TITLE_WIDTH]}" + (f"  [{shown}]" if shown else ""))
    if report.nothing_new:
        click.echo("Nothing new since the last run: every item was seen before, unchanged.")
    late = (
        f" ({report.drafted_late} stored before drafts, drafted now)" if report.drafted_late else ""
    )
    click.echo(
        f"\nDraft summaries: {report.drafted} of {report.items} items have one{late}; "
        f"{report.flagged} flagged sensitive (`aggregator drafts show ITEM_ID`)."
    )
    click.echo(
        f"\nWrote {report.bulletin_html} and {report.bulletin_markdown} "
        f"({report.bulletin_items} items)."
    )
    echo_login(report.editor_created)


def echo_login(created: bool) -> None:
    """How to log in to the review app as the demo editor (and whether it was just made)."""
    from aggregator.services.demo import DEMO_USER

    username, password = DEMO_USER
    if created:
        click.echo(f"Created the demo editor {username!r}.")
    click.echo(
        f"Review app: `aggregator serve`, then log in at http://127.0.0.1:8000/ as "
        f"{username} / {password} (if the password was changed since, use yours)."
    )


def demo_login(url: str) -> None:
    """Make the demo editor unless it exists, and print how to log in."""
    from aggregator.services.demo import ensure_demo_editor

    echo_login(ensure_demo_editor(url))
