"""The `aggregator` command: the front door. Each command's docstring is its help."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from aggregator.normalise.dates import LONDON
from aggregator.settings import database_url
from aggregator.sources import REGISTRY


class AggregatorGroup(click.Group):
    """Bad input gives one line on stderr and exit 1 (click's usage errors exit 2), never a
    traceback. Set AGGREGATOR_DEBUG=1 to see the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `aggregator items | head`: the reader left; not an error
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # the one place every unexpected error becomes one line
            if os.environ.get("AGGREGATOR_DEBUG"):
                raise
            text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            message = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
            click.echo(f"error: {message}", err=True)
            sys.exit(1)


db_option = click.option(
    "--db",
    "db_url",
    default=None,
    help="Database URL (default: AGGREGATOR_DATABASE_URL, else sqlite:///aggregator.db).",
)


redis_option = click.option(
    "--redis",
    "redis_url",
    default=None,
    help="Redis URL of the job queue (default: AGGREGATOR_REDIS_URL, else "
    "redis://127.0.0.1:6379/0).",
)
queue_option = click.option(
    "--queue",
    default=None,
    help="Key prefix of the job queue in Redis (default: AGGREGATOR_QUEUE, else 'aggregator').",
)


@click.group(cls=AggregatorGroup)
@click.version_option(package_name="aggregator")
def main() -> None:
    """Monitor UK child-safeguarding publishers and build current-awareness bulletins."""


def _parse_when(value: str, flag: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"not an ISO 8601 date or time: {value!r}", param_hint=flag
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_slugs(slugs: tuple[str, ...]) -> list[str]:
    for slug in slugs:
        if slug not in REGISTRY:
            raise click.BadParameter(
                f"unknown source {slug!r} (known: {', '.join(sorted(REGISTRY))})",
                param_hint="SLUG",
            )
    return list(slugs) or sorted(REGISTRY)


@main.command()
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option(
    "--fixtures", is_flag=True, help="Crawl the bundled fixtures offline instead of the live sites."
)
@click.option(
    "--snapshot", default=None, help="With --fixtures: a snapshot subfolder (e.g. 'earlier')."
)
@click.option(
    "--due",
    is_flag=True,
    help="Only sources whose poll interval has elapsed; each is leased, so overlapping runs "
    "(cron) never crawl a source twice at once.",
)
@click.option(
    "--distributed",
    is_flag=True,
    help="Like --due, but queue each due source as a job on Redis for `aggregator worker`s "
    "instead of crawling here.",
)
@redis_option
@queue_option
@db_option
def crawl(
    slugs: tuple[str, ...],
    fixtures: bool,
    snapshot: str | None,
    due: bool,
    distributed: bool,
    redis_url: str | None,
    queue: str | None,
    db_url: str | None,
) -> None:
    """Crawl sources (all when none is named) into the database.

    Live sites by default. Each source's run is recorded: requests, responses by status,
    items new / updated / unchanged / dropped, and errors with their URLs. With --due, only
    the sources whose interval has elapsed are crawled, and a source that keeps failing backs
    off exponentially (see `aggregator status --verbose`). With --distributed, each due source
    is leased and queued as a job for the workers (docs/operations.md, "Scaling out").
    """
    from aggregator.storage.db import upgrade

    chosen = _check_slugs(slugs)
    url = database_url(db_url)
    upgrade(url)
    if fixtures:
        from aggregator.devtools.fixtures import fixture_folders

        folders = fixture_folders(snapshot=snapshot)
        missing = [s for s in chosen if s not in folders]
        if slugs and missing:
            raise click.UsageError(f"no fixtures for: {', '.join(missing)}")
        chosen = [s for s in chosen if s in folders]
    if distributed:
        from aggregator.ops import distributed as dist

        jobs_queue = dist.JobQueue(dist.redis_url(redis_url), dist.queue_namespace(queue))
        try:
            jobs = dist.enqueue_due(chosen, url, jobs_queue, fixtures=fixtures, snapshot=snapshot)
        finally:
            jobs_queue.close()
        for job in jobs:
            click.echo(f"queued {job.slug} (job {job.job_id})")
        if not jobs:
            click.echo("Nothing due.")
        return
    if due:
        from aggregator.ops.schedule import crawl_due

        crawled = crawl_due(chosen, url, fixtures=fixtures, snapshot=snapshot)
        if not crawled:
            click.echo("Nothing due.")
            return
        _print_runs(url, crawled)
        return
    _run(chosen, url, fixtures=fixtures, snapshot=snapshot)
    _print_runs(url, chosen)


def _run(slugs: list[str], url: str, *, fixtures: bool, snapshot: str | None) -> None:
    """Crawl `slugs`, live or from the bundled fixtures through the loopback server."""
    from aggregator.fetch.process import run_crawl

    if not fixtures:
        run_crawl(slugs, url)
        return
    from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders

    folders = fixture_folders(snapshot=snapshot)
    with FixtureServer(FixtureSet.load({s: folders[s] for s in slugs})) as server:
        run_crawl(slugs, url, fixture_server=server.base_url)


def _print_runs(url: str, slugs: list[str]) -> None:
    from aggregator.storage.repository import Repository

    repo = Repository.from_url(url)
    click.echo(
        f"{'source':<20} {'status':<8} {'new':>4} {'upd':>4} {'same':>5} {'drop':>5} {'err':>4}"
        f" {'reqs':>5} {'304':>4}"
    )
    for slug in slugs:
        runs = repo.runs(source=slug, limit=1)
        if not runs:
            continue
        r = runs[0].stats
        click.echo(
            f"{slug:<20} {r.status:<8} {r.items_new:>4} {r.items_updated:>4} "
            f"{r.items_unchanged:>5} {r.items_dropped:>5} {len(r.errors):>4}"
            f" {r.requests:>5} {r.responses_by_status.get('304', 0):>4}"
        )
        for error in r.errors[:5]:
            click.echo(f"    error: {error['url']}: {error['message']}")


@main.command()
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
    from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders
    from aggregator.exports.bulletin import bulletin_summary, render_html, render_markdown
    from aggregator.fetch.process import run_crawl
    from aggregator.storage.db import upgrade
    from aggregator.storage.draft_summaries import DraftStore
    from aggregator.storage.repository import Repository

    url = database_url(db_url)
    upgrade(url)
    repo = Repository.from_url(url)
    before = {(s.item.source, s.item.key): s.content_hash for s in repo.list_items()}
    folders = fixture_folders()
    click.echo(f"Crawling fixtures of {len(folders)} sources into {url} ...")
    with FixtureServer(FixtureSet.load(folders)) as server:
        run_crawl(sorted(folders), url, fixture_server=server.base_url)
    _print_runs(url, sorted(folders))

    stored = repo.list_items()
    fresh = [s for s in stored if (s.item.source, s.item.key) not in before]
    changed = [
        s
        for s in stored
        if (s.item.source, s.item.key) in before
        and before[(s.item.source, s.item.key)] != s.content_hash
    ]
    classified = repo.relevance_of([s.id for s in stored])
    relevant = {s.id for s in stored if s.id in classified and classified[s.id].relevant}
    click.echo("")
    for label, group in (("New", fresh), ("Updated", changed)):
        click.echo(
            f"{label} items: {len(group)} ({sum(s.id in relevant for s in group)} safeguarding)"
        )
        for slug in sorted({s.item.source for s in group}):
            members = [s for s in group if s.item.source == slug]
            shown = [s for s in members if s.id in relevant]
            hidden = len(members) - len(shown)
            note = f"  (+{hidden} probably not safeguarding)" if hidden else ""
            click.echo(f"  {slug}{note}")
            for s in sorted(shown, key=lambda s: -classified[s.id].relevance):
                topics = ", ".join(s.item.topics[:2])
                click.echo(f"    - {s.item.title[:80]}" + (f"  [{topics}]" if topics else ""))
    if not fresh and not changed:
        click.echo("Nothing new since the last run: every item was seen before, unchanged.")
    _demo_drafts(repo, len(stored))
    # The bulletin takes what is new or updated and about safeguarding (everything relevant
    # on a repeat run, so there is always a bulletin to look at).
    pool = fresh + changed or stored
    picked = [
        s for s in pool if s.id in relevant and (s.item.withdrawn is None or s.include_withdrawn)
    ]
    # Each entry's summary is the editor's text, else the draft, else the publisher's own.
    drafts = DraftStore(repo.engine).many([s.id for s in picked])
    chosen = [
        dataclasses.replace(
            s.item,
            title=s.title,
            summary=bulletin_summary(
                s.edited_summary,
                drafts[s.id].draft.text if s.id in drafts else None,
                s.item.summary,
            ),
        )
        for s in picked
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bulletin.md").write_text(render_markdown(chosen), encoding="utf-8")
    (out_dir / "bulletin.html").write_text(render_html(chosen), encoding="utf-8")
    click.echo(
        f"\nWrote {out_dir / 'bulletin.html'} and {out_dir / 'bulletin.md'} ({len(chosen)} items)."
    )
    _demo_login(url)


def _demo_drafts(repo: Any, items: int) -> None:
    """Report the draft summaries: every item has one (items stored before drafts existed,
    whose pages a crawl does not fetch again while unchanged, are drafted here)."""
    from aggregator.storage.draft_summaries import DraftStore

    store = DraftStore(repo.engine)
    late = store.redraft_missing()
    drafted, flagged = store.counts()
    note = f" ({late} stored before drafts, drafted now)" if late else ""
    click.echo(
        f"\nDraft summaries: {drafted} of {items} items have one{note}; {flagged} flagged "
        "sensitive (`aggregator drafts show ITEM_ID`)."
    )


DEMO_USER = ("demo", "demo-editor-password")
"""The demo editor `make demo` creates (a fixed password, for a local demo only)."""


def _demo_login(url: str) -> None:
    from aggregator.review.auth import UserStore
    from aggregator.storage.db import make_engine

    engine = make_engine(url)
    try:
        store = UserStore(engine)
        username, password = DEMO_USER
        if store.get(username) is None:
            store.add(username, password, "editor", at=datetime.now(UTC))
            click.echo(f"Created the demo editor {username!r}.")
    finally:
        engine.dispose()
    click.echo(
        f"Review app: `aggregator serve`, then log in at http://127.0.0.1:8000/ as "
        f"{username} / {password} (if the password was changed since, use yours)."
    )


@main.command()
@click.option("--source", "source", default=None, help="Only this source slug.")
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
    --include-irrelevant is given (their relevance is then shown in brackets). With --json,
    each object carries a `classification` with its type, topics, nations, relevance and the
    evidence for each.
    """
    from aggregator.storage.repository import Repository

    if source:
        _check_slugs((source,))
    repo = Repository.from_url(database_url(db_url))
    found = repo.list_items(
        source=source,
        since=_parse_when(since, "--since") if since else None,
        status=status,
        limit=limit if include_irrelevant else None,
    )
    classified = repo.relevance_of([s.id for s in found])
    hidden = 0
    if not include_irrelevant:
        shown = [s for s in found if s.id not in classified or classified[s.id].relevant]
        hidden = len(found) - len(shown)
        found = shown[:limit] if limit is not None else shown
    for stored in found:
        item = stored.item
        result = classified.get(stored.id)
        if as_json:
            record = item.to_json() | {
                "id": stored.id,
                "status": stored.status,
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
    if hidden and not as_json:
        click.echo(
            f"({hidden} probably not safeguarding; --include-irrelevant lists them)", err=True
        )


@main.command()
@click.option("--all", "all_items", is_flag=True, help="Re-classify every stored item.")
@click.option("--source", "source", default=None, help="Only the items of this source slug.")
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
    import dataclasses

    from aggregator.classify.rules import Classification, Vocabulary, classify_item
    from aggregator.schema import DocType
    from aggregator.storage.db import upgrade
    from aggregator.storage.repository import Repository

    if not all_items and not source:
        raise click.UsageError("say which items: --all, or --source SLUG")
    if source:
        _check_slugs((source,))
    url = database_url(db_url)
    upgrade(url)
    vocab = Vocabulary.load(vocabulary)
    repo = Repository.from_url(url)
    stored = repo.list_items(source=source)
    before = repo.relevance_of([s.id for s in stored])
    pairs: list[tuple[int, Classification]] = []
    flipped = retopicked = relevant = 0
    for entry in stored:
        old = before.get(entry.id)
        result = classify_item(
            entry.item,
            body_text=old.text if old else "",
            type_hint=old.type_hint if old else None,
            nation_hints=old.nation_hints if old else list(entry.item.nations),
            vocabulary=vocab,
        )
        if old is None and entry.item.doc_type != DocType.OTHER:
            # Never classified (stored before classification existed): keep the crawled type.
            result = dataclasses.replace(
                result,
                doc_type=DocType(entry.item.doc_type),
                doc_type_evidence=f"stored doc_type={DocType(entry.item.doc_type).value}",
            )
        flipped += old is None or old.relevant != result.relevant
        retopicked += result.topics != entry.item.topics
        relevant += result.relevant
        pairs.append((entry.id, result))
    for start in range(0, len(pairs), 500):
        repo.save_classifications(pairs[start : start + 500])
    click.echo(
        f"re-classified {len(pairs)} items with vocabulary {vocab.version}: "
        f"{relevant} safeguarding, {len(pairs) - relevant} probably not safeguarding; "
        f"relevance changed on {flipped}, topics on {retopicked}; review state untouched"
    )


@main.group("drafts", invoke_without_command=True)
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
    from aggregator.storage.db import make_engine, upgrade
    from aggregator.storage.draft_summaries import DraftStore

    url = database_url(db_url)
    upgrade(url)
    engine = make_engine(url)
    try:
        store = DraftStore(engine)
        limit = words if words is not None else store.word_limit()
        now = datetime.now(UTC)
        done = store.redraft_all(limit, now) if all_items else store.redraft_missing(limit, now)
        drafted, flagged = store.counts()
        left = len(store.missing())
    finally:
        engine.dispose()
    click.echo(
        f"drafted {done} items at up to {limit} words; {drafted} items have a draft "
        f"({flagged} flagged sensitive), {left} without"
    )


@drafts.command("show")
@click.argument("item_id", type=int)
@db_option
def drafts_show(item_id: int, db_url: str | None) -> None:
    """Print ITEM_ID's draft summary, the sentences it used and where each came from, and
    its sensitivity flag with the evidence for it."""
    from aggregator.storage.db import make_engine
    from aggregator.storage.draft_summaries import DraftStore
    from aggregator.storage.repository import Repository

    engine = make_engine(database_url(db_url))
    try:
        entry = Repository(engine).stored_items([item_id]).get(item_id)
        if entry is None:
            raise KeyError(f"no item with id {item_id}")
        stored = DraftStore(engine).get(item_id)
        if stored is None:
            raise KeyError(f"item {item_id} has no draft yet (run `aggregator drafts --missing`)")
    finally:
        engine.dispose()
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


@main.command()
def sources() -> None:
    """List the registered sources and their channels."""
    for slug, source in sorted(REGISTRY.items()):
        click.echo(
            f"{slug:<18} {source.publisher}  (every {source.poll_interval}, {source.cadence})"
        )
        for channel in source.channels:
            click.echo(f"    {channel.role:<8} {channel.kind:<8} {channel.url}")


@main.group()
def db() -> None:
    """Database administration."""


@db.command("upgrade")
@db_option
def db_upgrade(db_url: str | None) -> None:
    """Apply the migrations up to the newest schema."""
    from aggregator.storage.db import current_revision, upgrade

    url = database_url(db_url)
    upgrade(url)
    click.echo(f"database at revision {current_revision(url)}")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def db_backup(path: Path, db_url: str | None) -> None:
    """Copy the SQLite database to PATH while it is in use (SQLite's online backup).

    For PostgreSQL use pg_dump (docs/operations.md).
    """
    from aggregator.storage.backup import backup

    pages = backup(database_url(db_url), path)
    click.echo(f"backed up {pages} pages to {path}")


@db.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def db_restore(path: Path, db_url: str | None) -> None:
    """Replace the SQLite database's contents with the backup at PATH."""
    from aggregator.storage.backup import restore

    restore(path, database_url(db_url))
    click.echo(f"restored {path}")


@main.command()
@click.argument("slug")
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
    validation are reported on stderr with their reason.
    """
    from aggregator.parse.offline import parse_saved

    if slug != "feed" and slug not in REGISTRY:
        raise click.BadParameter(
            f"unknown source {slug!r} (known: feed, {', '.join(sorted(REGISTRY))})",
            param_hint="SLUG",
        )
    when = _parse_when(fetched_at, "--fetched-at") if fetched_at else datetime.now(UTC)
    result = parse_saved(slug, file.read_bytes(), url, when, content_type)
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


@main.command("clusters")
@click.option(
    "--item", "item_id", type=int, default=None, help="Only the cluster holding this item."
)
@db_option
def clusters_command(item_id: int | None, db_url: str | None) -> None:
    """List cross-source clusters: the publisher of record, then each other sighting
    ("via NSPCC") with the reason it was merged."""
    from aggregator.storage.repository import Repository

    repo = Repository.from_url(database_url(db_url))
    found = repo.clusters(item_id)
    if item_id is not None and not found:
        raise KeyError(f"item {item_id} is in no cluster")
    for cluster in found:
        lead = cluster.publisher
        click.echo(f"cluster {cluster.id}: {lead.title}  [{lead.publisher}, item {lead.item_id}]")
        click.echo(f"        {lead.kind}: {lead.reason}")
        for member in cluster.members:
            if member.item_id != lead.item_id:
                click.echo(f"    via {member.publisher} (item {member.item_id}): {member.title}")
                click.echo(f"        {member.kind}: {member.reason}")


@main.command("split")
@click.argument("item_id", type=int)
@click.option("--actor", default=None, help="Who split it (recorded).")
@db_option
def split_command(item_id: int, actor: str | None, db_url: str | None) -> None:
    """Take ITEM_ID out of its cluster (a wrong merge). The split holds on later crawls."""
    from aggregator.storage.repository import Repository

    repo = Repository.from_url(database_url(db_url))
    repo.split(item_id, datetime.now(UTC), actor)
    click.echo(f"item {item_id} split from its cluster")


@main.command("review")
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
def review_command(
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
    from aggregator.storage.repository import Repository

    repo = Repository.from_url(database_url(db_url))
    now = datetime.now(UTC)
    if action:
        repo.review(item_id, action, at=now, actor=actor, reason=reason)
    if any(v is not None for v in (title, summary, section)):
        repo.edit(item_id, at=now, actor=actor, title=title, summary=summary, section=section)
    if undo_event is not None:
        repo.undo(undo_event, at=now, actor=actor)
    for event in repo.events(item_id):
        when = event.at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        change = ", ".join(f"{k}={v!r}" for k, v in event.detail.get("after", {}).items())
        click.echo(f"{event.id:>5} {when} {event.actor or '-':<12} {event.action:<8} {change}")


@main.command("status")
@click.option("--verbose", is_flag=True, help="Add the politeness log: 304s, robots, backoffs.")
@db_option
def status_command(verbose: bool, db_url: str | None) -> None:
    """Print each source's health, with the reason in words.

    States: ok, quiet, stale, fetch-failing, blocked, parse-broken, suspicious. Exits with
    status 3 when any source is fetch-failing, blocked or parse-broken (stale and suspicious
    are warnings), so cron mail or a monitor sees it.
    """
    from aggregator.ops.health import assess
    from aggregator.storage.crawl_state import CrawlState
    from aggregator.storage.repository import Repository

    url = database_url(db_url)
    repo = Repository.from_url(url)
    now = datetime.now(UTC)
    states = CrawlState.from_url(url).states(REGISTRY)
    failing = False
    for slug in sorted(REGISTRY):
        runs = repo.runs(source=slug, limit=10)
        health = assess(slug, runs, repo.item_times(slug), now)
        failing = failing or health.is_error
        last = health.last_run
        when = last.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if last else "never"
        click.echo(f"{slug:<18} {health.state:<14} {when:<16} {health.reason}")
        if verbose:
            requests = sum(r.stats.requests for r in runs)
            not_modified = sum(r.stats.responses_by_status.get("304", 0) for r in runs)
            messages = [e.get("message", "") for r in runs for e in r.stats.errors]
            robots = sum("robots.txt" in m for m in messages)
            waits = sum("Retry-After" in m for m in messages)
            share = f"{not_modified / requests:.0%}" if requests else "n/a"
            click.echo(
                f"    last {len(runs)} runs: {requests} requests, {share} answered 304,"
                f" {robots} refused by robots.txt, {waits} Retry-After waits"
            )
            state = states.get(slug)
            if state and state.disabled_until and state.disabled_until > now:
                until = state.disabled_until.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
                click.echo(f"    backing off until {until}: {state.disabled_reason}")
    if failing:
        sys.exit(3)


@main.command("schedule")
@click.option("--every", type=int, default=300, show_default=True, help="Seconds between rounds.")
@click.option("--iterations", type=int, default=None, help="Stop after this many rounds.")
@click.option("--fixtures", is_flag=True, help="Crawl the bundled fixtures offline.")
@db_option
def schedule_command(
    every: int, iterations: int | None, fixtures: bool, db_url: str | None
) -> None:
    """Run `aggregator crawl --due` in the foreground every --every seconds (for hosts
    without cron; see docs/operations.md for cron and systemd)."""
    from datetime import timedelta

    from aggregator.ops.schedule import schedule_loop

    extra = ["--db", database_url(db_url)] + (["--fixtures"] if fixtures else [])
    schedule_loop(timedelta(seconds=every), iterations, extra)


@main.command("worker")
@click.option("--threads", type=int, default=1, show_default=True, help="Jobs run at once.")
@click.option("--burst", is_flag=True, help="Stop once no job is left, queued or running.")
@click.option(
    "--lease",
    type=float,
    default=300,
    show_default=True,
    help="Seconds a running job holds its source's lease between renewals; a dead worker's "
    "job is redone after at most this long.",
)
@click.option(
    "--heartbeat-timeout",
    type=float,
    default=60,
    show_default=True,
    help="Seconds without a heartbeat after which a worker is dead and its jobs are requeued.",
)
@redis_option
@queue_option
@db_option
def worker(
    threads: int,
    burst: bool,
    lease: float,
    heartbeat_timeout: float,
    redis_url: str | None,
    queue: str | None,
    db_url: str | None,
) -> None:
    """Take crawl jobs from the Redis queue and crawl each into the database.

    Run one or more on any number of hosts, all with the same --redis, --queue and --db (one
    PostgreSQL). Each job crawls one source in a fresh process under that source's lease, and
    is acknowledged only once its crawl is stored: a worker that dies mid-crawl has its job
    redone by another. SIGTERM or Ctrl-C stops after the running jobs finish.
    """
    from datetime import timedelta

    from aggregator.ops import distributed as dist

    options = dist.WorkerOptions(
        db_url=database_url(db_url),
        threads=threads,
        lease=timedelta(seconds=lease),
        heartbeat_timeout=timedelta(seconds=heartbeat_timeout),
        burst=burst,
    )
    dist.run_worker(options, dist.redis_url(redis_url), dist.queue_namespace(queue))


@main.command("reconcile")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
@click.option("--fixtures", is_flag=True, help="Use the bundled fixtures offline.")
@db_option
def reconcile_command(slugs: tuple[str, ...], fixtures: bool, db_url: str | None) -> None:
    """Report items a source's fallback channels list that its primary channel missed.

    The fallback channels are crawled on their own into a scratch database and compared
    with what is stored; nothing is written to the database.
    """
    from aggregator.services.reconcile import reconcile

    chosen = _check_slugs(slugs)
    url = database_url(db_url)
    if fixtures:
        from aggregator.devtools.fixtures import FixtureServer, FixtureSet, fixture_folders

        folders = fixture_folders()
        chosen = [s for s in chosen if s in folders]
        with FixtureServer(FixtureSet.load({s: folders[s] for s in chosen})) as server:
            report = reconcile(chosen, url, fixture_server=server.base_url)
    else:
        report = reconcile(chosen, url)
    for slug, missed in sorted(report.items()):
        click.echo(f"{slug}: {len(missed)} item(s) only the fallback channels found")
        for item in missed:
            click.echo(f"    {item.title[:70]}  {item.url}")


@main.group()
def fixture() -> None:
    """Capture live pages as fixtures and refresh goldens for review."""


@fixture.command("save")
@click.argument("slug")
@click.argument("url")
@click.option("--name", default=None, help="File name in the snapshot (default: from the URL).")
@click.option("--snapshot", default=None, help="Snapshot folder (default: today's date).")
def fixture_save(slug: str, url: str, name: str | None, snapshot: str | None) -> None:
    """Fetch URL live and save it, with its URL, fetch time and content type, as a fixture.

    The page goes into fixtures/SLUG/<snapshot>/ (a dated folder by default, so a redesign
    gets a new fixture beside the old one) and is added to that folder's meta.json. Then run
    `aggregator fixture refresh SLUG` and review the goldens.
    """
    from aggregator.devtools.capture import save_fixture

    _check_slugs((slug,))
    saved = save_fixture(slug, url, name=name, snapshot=snapshot)
    click.echo(f"saved {url} as {saved}")


@fixture.command("refresh")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
def fixture_refresh(slugs: tuple[str, ...]) -> None:
    """Regenerate the goldens of SLUGs (all when none is named) for review.

    Every fixture response is parsed and every fixture folder crawled offline; read the
    diff field by field before committing.
    """
    from aggregator.devtools.goldens import refresh

    chosen = _check_slugs(slugs) if slugs else []
    for path in refresh(chosen):
        click.echo(f"wrote {path}")


@main.command("export")
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
@click.option("--source", default=None, help="Only this source slug.")
@click.option("--topic", default=None, help="Only items with this topic.")
@click.option("--since", default=None, help="Only items first seen at or after this ISO date.")
@click.option("--bulletin", "bulletin_id", type=int, default=None, help="A bulletin's items.")
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
@click.option(
    "--excel", is_flag=True, help="CSV for Excel: a UTF-8 byte-order mark, formulas defused."
)
@click.option("--title", default=None, help="The bulletin's or feed's title.")
@click.option(
    "--feed-url", default=None, help="The feed's own URL (default from AGGREGATOR_PUBLIC_URL)."
)
@db_option
def export_command(
    fmt: str,
    status: str,
    source: str | None,
    topic: str | None,
    since: str | None,
    bulletin_id: int | None,
    output: Path | None,
    consumer: str | None,
    dry_run: bool,
    excel: bool,
    title: str | None,
    feed_url: str | None,
    db_url: str | None,
) -> None:
    """Export items as a feed, a file or a bulletin, streamed to stdout or -o FILE.

    Feeds: atom, rss, jsonfeed. Files: csv (for mail merges; --excel adds a BOM), jsonl.
    Bulletins in the example bulletin's layout: html (an email fragment; text is its
    plain-text alternative), markdown, text. Approved items by default; editors' titles,
    summaries and sections are used, and withdrawn items are left out unless an editor kept
    them. With --consumer NAME, only items that consumer has not been sent are exported, and
    they are recorded as sent once the output is complete (--dry-run records nothing). One
    export per consumer runs at a time: another one exits with status 75, sending nothing.
    """
    import dataclasses

    from aggregator.exports.run import ExportOptions, check_format, export, selection_for
    from aggregator.exports.syndication import FeedInfo
    from aggregator.storage.db import upgrade
    from aggregator.storage.exporting import ConsumerBusyError, ExportSelection, bulletin_info
    from aggregator.storage.repository import Repository

    check_format(fmt)
    if dry_run and consumer is None:
        raise ValueError("--dry-run needs --consumer NAME")
    if source:
        _check_slugs((source,))
    url = database_url(db_url)
    upgrade(url)
    repo = Repository.from_url(url)
    try:
        if bulletin_id is not None and title is None:
            title = bulletin_info(repo, bulletin_id).title  # KeyError: "no bulletin N"
        selection = ExportSelection(
            status=status,  # type: ignore[arg-type]
            source=source,
            topic=topic,
            since=_parse_when(since, "--since") if since else None,
            consumer=consumer,
        )
        selection = selection_for(repo, selection, fmt, bulletin_id)
        feed = FeedInfo(self_url=feed_url or "")
        options = ExportOptions(
            format=fmt,
            title=title or ExportOptions.title,
            excel=excel,
            feed=dataclasses.replace(feed, title=title) if title else feed,
        )
        try:
            result = export(repo, selection, options, output, dry_run=dry_run)
        except ConsumerBusyError as busy:
            # not a failure: the export already running sends these items (EX_TEMPFAIL, so a
            # cron wrapper can tell "try later" from a broken export)
            click.echo(f"error: {busy}", err=True)
            sys.exit(75)
    finally:
        repo.close()
    if consumer is not None:
        verb = "would be sent" if dry_run else "sent"
        click.echo(
            f"{result.count} items {verb} to consumer {consumer!r}"
            + (" (dry run: nothing recorded)" if dry_run else ""),
            err=True,
        )


# --- the review app ---------------------------------------------------------------------------


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once.",
)
@db_option
def serve(host: str, port: int, threads: int, db_url: str | None) -> None:
    """Run the editors' review app (queue, item pages, bulletin composer, source health).

    Migrates the database first. Log in with an account made by `aggregator users add`.
    Sessions are signed with $AGGREGATOR_SECRET_KEY (a random key when unset, so sessions end
    when the server stops); set AGGREGATOR_SECURE_COOKIES=1 behind HTTPS.
    """
    import logging

    import waitress

    from aggregator.review.app import create_app
    from aggregator.storage.db import upgrade

    url = database_url(db_url)
    upgrade(url)
    app = create_app(url)
    click.echo(f"Review app on http://{host}:{port}/ (database {url}); Ctrl-C stops it.")
    # waitress, not werkzeug's development server: a fixed pool of worker threads, request
    # bodies buffered before the app sees them (a slow client holds no thread), and limits on
    # header and body sizes
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="aggregator",
        max_request_body_size=8 * 1024 * 1024,
        clear_untrusted_proxy_headers=True,
    )


@main.group("users")
def users_group() -> None:
    """Accounts of the review app: editors change things, viewers only look."""


def _user_store(db_url: str | None) -> Any:
    from aggregator.review.auth import UserStore
    from aggregator.storage.db import make_engine, upgrade

    url = database_url(db_url)
    upgrade(url)
    return UserStore(make_engine(url))


_password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (asked for when not given; at least 10 characters).",
)


@users_group.command("add")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["editor", "viewer"]), default="editor", show_default=True
)
@_password_option
@db_option
def users_add(username: str, role: str, password: str, db_url: str | None) -> None:
    """Create an account USERNAME with a role (editor or viewer) and a password.

    The password is stored only as an Argon2id hash.
    """
    store = _user_store(db_url)
    user = store.add(username, password, role, at=datetime.now(UTC))
    click.echo(f"created {user.role} {user.username!r}")


@users_group.command("list")
@db_option
def users_list(db_url: str | None) -> None:
    """List the accounts: name, role, whether disabled, when created and last in the queue."""
    for user in _user_store(db_url).all():
        seen = user.last_seen_queue_at
        state = "disabled" if user.disabled else "active"
        created = f"{user.created_at.astimezone(LONDON):%Y-%m-%d %H:%M}"
        queue = f"{seen.astimezone(LONDON):%Y-%m-%d %H:%M}" if seen else "never"
        click.echo(
            f"{user.username:<20} {user.role:<7} {state:<9} created {created}  queue {queue}"
        )


@users_group.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@db_option
def users_disable(username: str, enable: bool, db_url: str | None) -> None:
    """Disable USERNAME: it can no longer log in, and its open sessions end at once."""
    _user_store(db_url).set_disabled(username, not enable)
    click.echo(f"{'enabled' if enable else 'disabled'} {username!r}")


@users_group.command("passwd")
@click.argument("username")
@_password_option
@db_option
def users_passwd(username: str, password: str, db_url: str | None) -> None:
    """Set a new password for USERNAME; its open sessions end at once."""
    _user_store(db_url).set_password(username, password)
    click.echo(f"password of {username!r} changed")


if __name__ == "__main__":
    main()
