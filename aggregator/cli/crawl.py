"""Crawling: `crawl` (now, due, or queued for workers), `schedule`, `worker`, `reconcile`.

Each command imports its service when it runs (as every group module does), so
`aggregator --help` starts without loading Scrapy, Dramatiq or SQLAlchemy.
"""

from __future__ import annotations

from datetime import timedelta

import click

from aggregator.cli.options import check_slugs, db_option, queue_option, redis_option
from aggregator.settings import database_url


@click.command("crawl")
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
    if due:
        from aggregator.services.due import crawl_due

        crawled = crawl_due(chosen, url, fixtures=fixtures, snapshot=snapshot)
        if not crawled:
            click.echo("Nothing due.")
            return
        echo_runs(url, crawled)
        return
    service.run(chosen, url, fixtures=fixtures, snapshot=snapshot)
    echo_runs(url, chosen)


def echo_runs(url: str, slugs: list[str]) -> None:
    """Print the run summary table of `slugs`' newest runs."""
    from aggregator.services.crawl import format_runs, last_runs

    for line in format_runs(last_runs(url, slugs)):
        click.echo(line)


@click.command("schedule")
@click.option("--every", type=int, default=300, show_default=True, help="Seconds between rounds.")
@click.option("--iterations", type=int, default=None, help="Stop after this many rounds.")
@click.option("--fixtures", is_flag=True, help="Crawl the bundled fixtures offline.")
@db_option
def schedule(every: int, iterations: int | None, fixtures: bool, db_url: str | None) -> None:
    """Run `aggregator crawl --due` in the foreground every --every seconds (for hosts
    without cron; see docs/operations.md for cron and systemd)."""
    from aggregator.ops.schedule import schedule_loop

    extra = ["--db", database_url(db_url)] + (["--fixtures"] if fixtures else [])
    schedule_loop(timedelta(seconds=every), iterations, extra)


@click.command("worker")
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
    from aggregator.ops import distributed as dist

    options = dist.WorkerOptions(
        db_url=database_url(db_url),
        threads=threads,
        lease=timedelta(seconds=lease),
        heartbeat_timeout=timedelta(seconds=heartbeat_timeout),
        burst=burst,
    )
    dist.run_worker(options, dist.redis_url(redis_url), dist.queue_namespace(queue))


@click.command("reconcile")
@click.argument("slugs", nargs=-1, metavar="[SLUG]...")
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
