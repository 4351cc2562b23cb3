"""Stored items: `items` (list), `review` (decide on one), `clusters`, `split`."""

from __future__ import annotations

import json

import click

from aggregator.cli.options import db_option, examples, parse_when, source_option
from aggregator.normalise.dates import LONDON
from aggregator.settings import database_url


@click.command(
    "items",
    epilog=examples(
        "aggregator items --source nspcc --since 2024-05-01",
        "aggregator items --status new --json --limit 20",
    ),
)
@source_option("Only this source (`aggregator sources` lists them).")
@click.option("--since", default=None, help="Only items first seen at or after this ISO date.")
@click.option(
    "--status", type=click.Choice(["new", "approved", "rejected", "deferred"]), default=None
)
@click.option("--limit", type=int, default=None)
@click.option(
    "--include-irrelevant",
    is_flag=True,
    help="Also list items filed as 'probably not safeguarding' (hidden by default).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item.")
@db_option
def items(
    source: str | None,
    since: str | None,
    status: str | None,
    limit: int | None,
    include_irrelevant: bool,
    as_json: bool,
    db_url: str | None,
) -> None:
    """List stored items, newest first, with their safeguarding relevance.

    Items the classifier files as "probably not safeguarding" are kept but hidden here unless
    --include-irrelevant is given (their relevance is then shown in brackets); borderline items
    (just under the threshold) are listed. With --json, each object carries a
    `classification` with its type, topics, nations, relevance, whether it is borderline, and
    the evidence for each, and the review state: `status`, `needs_review`, `reason`, the
    editor's `editor_title` and `editor_summary` (null when none), and the machine `draft`,
    marked as one ({"text", "machine_written", "checked", "sensitive", …}; null when the item
    has none). `summary` stays the publisher's own description.
    """
    from aggregator.exports.syndication import draft_json, editor_summary
    from aggregator.services.items import list_items

    listing = list_items(
        database_url(db_url),
        source=source,
        since=parse_when(since, "--since") if since else None,
        status=status,
        limit=limit,
        include_irrelevant=include_irrelevant,
        with_drafts=as_json,
    )
    for stored, result in listing.items:
        item = stored.item
        if as_json:
            record = item.to_json() | {
                "id": stored.id,
                "status": stored.status,
                "needs_review": stored.needs_review,
                "reason": stored.reason,
                "section": stored.section,
                "editor_title": stored.edited_title or None,
                "editor_summary": editor_summary(stored.edited_summary),
                "draft": draft_json(listing.drafts.get(stored.id), stored.edited_summary),
                "classification": result.to_json() if result else None,
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            when = item.updated or item.published
            date = when.astimezone(LONDON).date().isoformat() if when else "undated"
            if result is None:
                relevance = "  -   "
            elif result.relevant:
                relevance = f" {result.relevance:.2f} "
            else:
                relevance = f"({result.relevance:.2f})"
            click.echo(
                f"{stored.id:>6} {item.source:<18} {stored.status:<9} {date:<10} {relevance} "
                f"{item.title[:80]}"
            )
    if listing.hidden and not as_json:
        click.echo(
            f"({listing.hidden} probably not safeguarding; --include-irrelevant lists them)",
            err=True,
        )


@click.command(
    "review",
    epilog=examples(
        'aggregator review 42 --action approve --section "Research and data" --actor alice',
        'aggregator review 42 --action reject --reason "not about safeguarding"',
    ),
)
@click.argument("item_id", type=int)
@click.option(
    "--action",
    type=click.Choice(["approve", "reject", "defer", "reopen"]),
    default=None,
    help="The decision.",
)
@click.option("--reason", default=None, help="Why (required to reject).")
@click.option("--title", default=None, help="The editor's title (a crawl never overwrites it).")
@click.option("--summary", default=None, help="The editor's summary.")
@click.option("--section", default=None, help="The bulletin section.")
@click.option("--undo", "undo_event", type=int, default=None, help="Undo this audit event id.")
@click.option("--actor", default=None, help="Who is acting (recorded in the audit).")
@db_option
def review(
    item_id: int,
    action: str | None,
    reason: str | None,
    title: str | None,
    summary: str | None,
    section: str | None,
    undo_event: int | None,
    actor: str | None,
    db_url: str | None,
) -> None:
    """Decide on ITEM_ID from the command line and print its audit record.

    Approve, reject (with --reason), defer or reopen; edit its title, summary or section;
    or undo an earlier action. Every change is recorded with who and when. With no option,
    only the audit record is printed.
    """
    from aggregator.services.items import decide

    events = decide(
        database_url(db_url),
        item_id,
        action=action,
        reason=reason,
        title=title,
        summary=summary,
        section=section,
        undo_event=undo_event,
        actor=actor,
    )
    for event in events:
        when = event.at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        change = ", ".join(f"{k}={v!r}" for k, v in event.detail.get("after", {}).items())
        click.echo(f"{event.id:>5} {when} {event.actor or '-':<12} {event.action:<8} {change}")


@click.command(
    "clusters",
    epilog=examples(
        "aggregator clusters",
        "aggregator clusters --item 42",
    ),
)
@click.option(
    "--item", "item_id", type=int, default=None, help="Only the cluster holding this item."
)
@db_option
def clusters(item_id: int | None, db_url: str | None) -> None:
    """List cross-source clusters: the publisher of record, then each other sighting
    ("via NSPCC") with the reason it was merged."""
    from aggregator.services import items as service

    for cluster in service.clusters(database_url(db_url), item_id):
        lead = cluster.publisher
        click.echo(f"cluster {cluster.id}: {lead.title}  [{lead.publisher}, item {lead.item_id}]")
        click.echo(f"        {lead.kind}: {lead.reason}")
        for member in cluster.members:
            if member.item_id != lead.item_id:
                click.echo(f"    via {member.publisher} (item {member.item_id}): {member.title}")
                click.echo(f"        {member.kind}: {member.reason}")


@click.command(
    "split",
    epilog=examples(
        "aggregator split 42 --actor alice",
    ),
)
@click.argument("item_id", type=int)
@click.option("--actor", default=None, help="Who split it (recorded).")
@db_option
def split(item_id: int, actor: str | None, db_url: str | None) -> None:
    """Take ITEM_ID out of its cluster (a wrong merge). The split holds on later crawls."""
    from aggregator.services import items as service

    service.split(database_url(db_url), item_id, actor)
    click.echo(f"item {item_id} split from its cluster")
