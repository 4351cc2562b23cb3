"""What a crawl derives from an item, done again on demand: `classify`, `drafts`."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli.options import db_option, examples, source_option
from aggregator.cli.progress import progress_bar
from aggregator.normalise.dates import LONDON
from aggregator.settings import database_url


@click.command(
    "classify",
    epilog=examples(
        "aggregator classify --all",
        "aggregator classify --source ofsted --vocabulary draft-vocabulary.json",
    ),
)
@click.option("--all", "all_items", is_flag=True, help="Re-classify every stored item.")
@source_option("Only the items of this source (`aggregator sources` lists them).")
@click.option(
    "--vocabulary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A vocabulary file to use instead of the packaged one (to try a draft).",
)
@db_option
def classify(
    all_items: bool, source: str | None, vocabulary: Path | None, db_url: str | None
) -> None:
    """Re-run the classification rules over stored items (after the vocabulary changes).

    Each item is classified again from its stored title, summary, body text and publisher
    hints; its classification, topics and nations are updated. Editors' decisions (review
    status, edits) are never touched, and the item's document type stays as crawled. Prints how
    many items changed relevance or topics.
    """
    from aggregator.services.reclassify import reclassify

    if not all_items and not source:
        raise click.UsageError("say which items: --all, or --source SLUG")
    with progress_bar("classifying") as progress:
        report = reclassify(
            database_url(db_url), source=source, vocabulary=vocabulary, progress=progress
        )
    click.echo(
        f"re-classified {report.items} items with vocabulary {report.vocabulary_version}: "
        f"{report.relevant} safeguarding, {report.items - report.relevant} probably not "
        f"safeguarding; relevance changed on {report.relevance_changed}, topics on "
        f"{report.topics_changed}; review state untouched"
    )


@click.group(
    "drafts",
    invoke_without_command=True,
    epilog=examples(
        "aggregator drafts --missing --words 60",
        "aggregator drafts show 42",
    ),
)
@click.option("--all", "all_items", is_flag=True, help="Redraft every stored item.")
@click.option("--missing", is_flag=True, help="Draft only the items that have no draft.")
@click.option(
    "--words",
    type=click.IntRange(
        20, 400
    ),  # WORD_LIMIT_MIN, WORD_LIMIT_MAX of aggregator.storage.draft_summaries
    default=None,
    help="Word limit for this run (default: the editors' setting in the review app, else 90).",
)
@db_option
@click.pass_context
def drafts(
    ctx: click.Context, all_items: bool, missing: bool, words: int | None, db_url: str | None
) -> None:
    """Draft summaries: redraft stored items (--all or --missing), or show one.

    A draft is an opening sentence built from the item's fields, then the publisher's own
    most informative sentences from its description and main text, within the word limit.
    Drafts are stored apart from the publisher's description and the editors' text, which a
    redraft never touches; crawls draft new and changed items themselves. Each draft carries
    a sensitivity flag (child deaths, case reviews, explicit abuse) with its evidence. Prints
    how many items were drafted, and how many items have a draft and are flagged.
    """
    if ctx.invoked_subcommand is not None:
        if all_items or missing or words is not None:
            raise click.UsageError("--all, --missing and --words go without a subcommand")
        return
    if all_items == missing:
        raise click.UsageError("say which items: --all or --missing (or `drafts show ITEM_ID`)")
    from aggregator.services.redraft import redraft

    with progress_bar("drafting") as progress:
        report = redraft(database_url(db_url), every=all_items, words=words, progress=progress)
    click.echo(
        f"drafted {report.drafted_now} items at up to {report.word_limit} words; "
        f"{report.with_draft} items have a draft ({report.flagged} flagged sensitive), "
        f"{report.without} without"
    )


@drafts.command(
    "show",
    epilog=examples(
        "aggregator drafts show 42",
    ),
)
@click.argument("item_id", type=int)
@db_option
def drafts_show(item_id: int, db_url: str | None) -> None:
    """Print ITEM_ID's draft summary, the sentences it used and where each came from, and
    its sensitivity flag with the evidence for it."""
    from aggregator.services.redraft import draft_of

    entry, stored = draft_of(database_url(db_url), item_id)
    draft, sensitivity = stored.draft, stored.sensitivity
    when = stored.drafted_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
    click.echo(f"item {item_id}: {entry.item.title}  [{entry.item.publisher}]")
    click.echo(f"  {entry.item.url}")
    limit_note = ", hit the limit" if draft.hit_limit else ""
    click.echo(f"\nDraft ({draft.words} words of {draft.word_limit}{limit_note}; {when}):")
    click.echo(f"  {draft.text}")
    click.echo("\nSentences:")
    click.echo(f"  opening (built from the item's fields): {draft.opening}")
    for used in draft.sentences:
        source = "description" if used.origin == "summary" else "main text"
        trimmed = ", trimmed" if used.trimmed else ""
        click.echo(f"  {source} sentence {used.index + 1}{trimmed}: {used.text}")
    if sensitivity.flagged:
        click.echo(f"\nSensitive: {', '.join(sensitivity.reasons) or 'yes'}")
        click.echo("  Do not copy identifying or graphic detail into the summary.")
        for evidence in sensitivity.evidence:
            click.echo(f"  evidence: {evidence}")
    else:
        click.echo("\nSensitive: no")
