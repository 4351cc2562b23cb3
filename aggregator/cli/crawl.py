"""Crawling: `crawl` (now, due, or queued for workers), `schedule`, `worker`, `reconcile`.

Each command imports its service when it runs (as every group module does), so
`aggregator --help` starts without loading Scrapy, Dramatiq or SQLAlchemy.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import click

from aggregator.cli.exit_codes import EX_ERROR, EX_OK, EX_SOURCE_FAILED
from aggregator.cli.options import (
    check_slugs,
    db_option,
    examples,
    queue_option,
    redis_option,
    slugs_argument,
)
from aggregator.fetch.logs import crawl_log
from aggregator.settings import database_url

WARNED_STATUSES = {
    "partial": "items stored, with errors",
    "empty": "pages fetched, nothing parsed",
}
"""Run statuses a crawl warns of on stderr without failing its exit status."""


@click.command(
    "crawl",
    epilog=examples(
        "aggregator crawl --fixtures",
        "aggregator crawl --due nspcc ofsted",
    ),
)
@slugs_argument()
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

    Exits with status 3 when any source's run failed or was interrupted (one line on stderr
    names them), so cron and systemd notice; 0 when every run succeeded. A partial run (items
    stored despite errors) or an empty one is shown, with a warning line, but exits 0:
    `aggregator status` judges those over time. With --distributed the crawls happen in the
    workers, so only queueing can fail here.
    """
    from aggregator.services import crawl as service
    from aggregator.storage.db import upgrade

    chosen = check_slugs(slugs)
    url = database_url(db_url)
    upgrade(url)
    if fixtures:
        chosen, missing = service.with_fixtures(chosen, snapshot)
        if slugs and missing:
            raise click.UsageError(f"no fixtures for: {', '.join(missing)}")
    if distributed:
        from aggregator.ops import distributed as dist

        jobs = dist.queue_due(
            chosen,
            url,
            dist.redis_url(redis_url),
            dist.queue_namespace(queue),
            fixtures=fixtures,
            snapshot=snapshot,
        )
        for job in jobs:
            click.echo(f"queued {job.slug} (job {job.job_id})")
        if not jobs:
            click.echo("Nothing due.")
        return
    started = datetime.now(UTC)
    with crawl_log() as log:
        if due:
            from aggregator.services.due import crawl_due

            chosen = crawl_due(chosen, url, fixtures=fixtures, snapshot=snapshot)
        else:
            service.run(chosen, url, fixtures=fixtures, snapshot=snapshot, progress=True)
    if not chosen:
        click.echo("Nothing due.")
        return
    echo_runs(url, chosen)
    if log.worth_reading:  # the full log, tracebacks included, for what stderr kept short
        click.echo(f"log: {log.path}", err=True)
    exit_for_runs(url, chosen, started)


def echo_runs(url: str, slugs: list[str]) -> None:
    """Print the run summary table of `slugs`' newest runs."""
    from aggregator.services.crawl import format_runs, last_runs

    for line in format_runs(last_runs(url, slugs)):
        click.echo(line)


def exit_for_runs(url: str, slugs: Sequence[str], started: datetime) -> None:
    """Warn of partial and empty runs, and exit with EX_SOURCE_FAILED, naming them, when any
    of `slugs`' runs since `started` failed, was interrupted or was never recorded."""
    from aggregator.services.crawl import failed_sources, runs_since

    runs = runs_since(url, slugs, started)
    for status, words in WARNED_STATUSES.items():
        found = [slug for slug, run in runs.items() if run is not None and run.status == status]
        if found:
            click.echo(f"warning: {status} run ({words}): {', '.join(found)}", err=True)
    failed = failed_sources(runs)
    if failed:
        click.echo(f"error: source run failed: {', '.join(failed)}", err=True)
        sys.exit(EX_SOURCE_FAILED)


@click.command(
    "schedule",
    epilog=examples(
        "aggregator schedule --every 600",
        "aggregator schedule --fixtures --every 5 --iterations 3",
    ),
)
@click.option("--every", type=int, default=300, show_default=True, help="Seconds between rounds.")
@click.option("--iterations", type=int, default=None, help="Stop after this many rounds.")
@click.option("--fixtures", is_flag=True, help="Crawl the bundled fixtures offline.")
@db_option
def schedule(every: int, iterations: int | None, fixtures: bool, db_url: str | None) -> None:
    """Run `aggregator crawl --due` in the foreground every --every seconds (for hosts
    without cron; see docs/operations.md for cron and systemd).

    Each round runs `crawl --due` as a process of its own, with its exit status: a round that
    exits non-zero is reported in one line on stderr, and the loop goes on. After --iterations
    rounds it exits with status 3 if any round had a failed source, else 1 if any round ended
    in another error, else 0.
    """
    from aggregator.ops.schedule import schedule_loop

    codes: list[int] = []

    def report(cycle: int, code: int) -> None:
        codes.append(code)
        if code == EX_SOURCE_FAILED:
            click.echo(f"round {cycle}: a source failed (exit {code})", err=True)
        elif code != EX_OK:
            click.echo(f"round {cycle}: crawl --due ended in an error (exit {code})", err=True)

    extra = ["--db", database_url(db_url)] + (["--fixtures"] if fixtures else [])
    schedule_loop(timedelta(seconds=every), iterations, extra, report=report)
    sys.exit(worst(codes))


def worst(codes: Sequence[int]) -> int:
    """One exit status for several rounds or jobs: EX_SOURCE_FAILED if any had a failed source,
    else EX_ERROR if any ended otherwise non-zero, else EX_OK."""
    if EX_SOURCE_FAILED in codes:
        return EX_SOURCE_FAILED
    return EX_ERROR if any(code != EX_OK for code in codes) else EX_OK


@click.command(
    "worker",
    epilog=examples(
        "aggregator worker --threads 2 --redis redis://queue.internal:6379/0",
        "aggregator worker --burst",
    ),
)
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

    With --burst it exits with status 3 if any job it ran had a failed or interrupted source
    run, else 0. A long-running worker stopped by SIGTERM exits 0 (a failed job is logged).
    """
    from aggregator.ops import distributed as dist

    options = dist.WorkerOptions(
        db_url=database_url(db_url),
        threads=threads,
        lease=timedelta(seconds=lease),
        heartbeat_timeout=timedelta(seconds=heartbeat_timeout),
        burst=burst,
    )
    failed = dist.run_worker(options, dist.redis_url(redis_url), dist.queue_namespace(queue))
    if burst and failed:
        click.echo(f"error: source run failed: {', '.join(sorted(set(failed)))}", err=True)
        sys.exit(EX_SOURCE_FAILED)


@click.command(
    "reconcile",
    epilog=examples(
        "aggregator reconcile --fixtures dfe",
        "aggregator reconcile nspcc ofsted",
    ),
)
@slugs_argument()
@click.option("--fixtures", is_flag=True, help="Use the bundled fixtures offline.")
@db_option
def reconcile(slugs: tuple[str, ...], fixtures: bool, db_url: str | None) -> None:
    """Report items a source's fallback channels list that its primary channel missed.

    The fallback channels are crawled on their own into a scratch database and compared
    with what is stored; nothing is written to the database.
    """
    from aggregator.services.reconcile import reconcile_sources

    report = reconcile_sources(check_slugs(slugs), database_url(db_url), fixtures=fixtures)
    for slug, missed in sorted(report.items()):
        click.echo(f"{slug}: {len(missed)} item(s) only the fallback channels found")
        for item in missed:
            click.echo(f"    {item.title[:70]}  {item.url}")
