"""`export`: items as a feed, a file or a bulletin, to stdout or a file."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import cast

import click

from aggregator.cli.exit_codes import EX_TEMPFAIL
from aggregator.cli.options import db_option, examples, parse_when, source_option
from aggregator.cli.progress import progress_bar
from aggregator.settings import database_url


@click.command(
    "export",
    epilog=examples(
        'aggregator export --format html --title "Safeguarding bulletin" -o bulletin.html',
        "aggregator export --format csv --source nspcc --since 2024-05-01 -o items.csv",
    ),
)
@click.option(
    "--format",
    "fmt",
    required=True,
    metavar="FORMAT",
    help="atom, rss, jsonfeed, csv, jsonl, html (email fragment), markdown or text.",
)
@click.option(
    "--status",
    type=click.Choice(["approved", "new", "all"]),
    default="approved",
    show_default=True,
    help="Which review status to export.",
)
@source_option("Only this source (`aggregator sources` lists them).")
@click.option("--topic", default=None, help="Only items with this topic.")
@click.option("--since", default=None, help="Only items first seen at or after this ISO date.")
@click.option(
    "--bulletin",
    "bulletin_id",
    type=int,
    default=None,
    help="A bulletin: a published one exactly as published, a draft as it stands.",
)
@click.option(
    "--revision",
    type=int,
    default=None,
    help="With --bulletin: this published revision (default: the latest).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE (replaced once complete) instead of stdout.",
)
@click.option(
    "--consumer",
    default=None,
    help="Send only what this consumer has not received yet, and remember what was sent.",
)
@click.option(
    "--dry-run", is_flag=True, help="With --consumer: show what would be sent, record nothing."
)
@click.option("--excel", is_flag=True, help="CSV for Excel: a UTF-8 byte-order mark first.")
@click.option(
    "--raw",
    is_flag=True,
    help="CSV values exactly as stored: formulas NOT defused (a warning is printed).",
)
@click.option("--title", default=None, help="The bulletin's or feed's title.")
@click.option(
    "--feed",
    type=click.Choice(["approved", "approvals", "bulletins"]),
    default="approved",
    show_default=True,
    help="Feeds: approved items dated by their publishers; approvals: the same dated by "
    "approval (for RSS-to-email such as Mailchimp); bulletins: published bulletins in full.",
)
@click.option(
    "--feed-url",
    default=None,
    help="The feed's own public URL; every link of the feed follows it. Feeds need it or "
    "AGGREGATOR_PUBLIC_URL.",
)
@click.option(
    "--drafts",
    type=click.Choice(["label", "publisher"]),
    default=None,
    help="Bulletins: unchecked machine drafts go out labelled as drafts, or replaced by the "
    "publisher's description [default: a stored bulletin's own choice, else label]. A draft "
    "flagged sensitive never goes out unchecked.",
)
@db_option
def export(
    fmt: str,
    status: str,
    source: str | None,
    topic: str | None,
    since: str | None,
    bulletin_id: int | None,
    revision: int | None,
    output: Path | None,
    consumer: str | None,
    dry_run: bool,
    excel: bool,
    raw: bool,
    title: str | None,
    feed: str,
    feed_url: str | None,
    drafts: str | None,
    db_url: str | None,
) -> None:
    """Export items as a feed, a file or a bulletin, streamed to stdout or -o FILE.

    Feeds: atom, rss, jsonfeed, most recently reviewed first (as the review app serves them);
    their links need a public address (--feed-url or AGGREGATOR_PUBLIC_URL), never localhost.
    --feed approvals dates each entry by its approval, so RSS-to-email (Mailchimp) sends what
    was approved since its last send; --feed bulletins is the published bulletins, in full.
    Files: csv (for mail merges; --excel adds a BOM), jsonl, oldest item first.
    Every CSV cell a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
    carriage return) is prefixed with an apostrophe; --raw writes values as stored instead.
    Bulletins in the example bulletin's layout: html (an email fragment; text is its plain-text
    alternative; a warning above 100 KB, where Gmail clips), markdown, text. An unchecked
    machine draft is labelled as one (--drafts publisher: the publisher's description instead);
    a draft flagged sensitive never goes out unchecked. Approved items by default; editors'
    titles, summaries and sections are used, and withdrawn items are left out unless an editor
    kept them. With --consumer NAME, only items that consumer has not been sent are exported,
    and they are recorded as sent once the output is complete (--dry-run records nothing). One
    export per consumer runs at a time: another one exits with status 75, sending nothing.

    A published bulletin (--bulletin ID) is written exactly as it was published, in every
    format, whatever was crawled or edited since: the text stored with its latest revision
    (--revision N for an earlier one; a correction is a new revision). Options that would
    change it (--title, filters, --consumer) are refused.
    """
    from aggregator.exports.email_html import email_size_warning
    from aggregator.exports.run import check_format
    from aggregator.services.export import ExportRequest, export_items
    from aggregator.storage.export_consumers import ConsumerBusyError
    from aggregator.storage.exports import ExportStatus

    check_format(fmt)
    if dry_run and consumer is None:
        raise ValueError("--dry-run needs --consumer NAME")
    if raw and fmt != "csv":
        raise ValueError("--raw applies to --format csv only")
    if raw:
        click.echo(
            "warning: --raw: CSV cells starting with =, +, -, @, tab or CR are not defused; "
            "a spreadsheet may run them as formulas",
            err=True,
        )
    request = ExportRequest(
        format=fmt,
        status=cast(ExportStatus, status),
        source=source,
        topic=topic,
        since=parse_when(since, "--since") if since else None,
        bulletin_id=bulletin_id,
        consumer=consumer,
        excel=excel,
        raw_csv=raw,
        title=title,
        feed_url=feed_url,
        revision=revision,
        feed=feed,
        drafts=drafts,
    )
    try:
        # a bar only for a file: on stdout the export itself is what the terminal shows
        with progress_bar("exporting") if output is not None else nullcontext() as progress:
            result = export_items(
                database_url(db_url), request, output, dry_run=dry_run, progress=progress
            )
    except ConsumerBusyError as busy:
        # not a failure: the export already running sends these items
        click.echo(f"error: {busy}", err=True)
        sys.exit(EX_TEMPFAIL)
    if fmt == "html" and (warning := email_size_warning(result.size)):
        click.echo(warning, err=True)
    if consumer is not None:
        verb = "would be sent" if dry_run else "sent"
        click.echo(
            f"{result.count} items {verb} to consumer {consumer!r}"
            + (" (dry run: nothing recorded)" if dry_run else ""),
            err=True,
        )
