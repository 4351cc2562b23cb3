"""The sources: `sources` (the registry) and `status` (each one's health)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from aggregator.cli.exit_codes import EX_SOURCE_FAILED
from aggregator.cli.options import db_option, examples
from aggregator.normalise.dates import LONDON
from aggregator.settings import database_url
from aggregator.sources import REGISTRY


@click.command(
    "sources",
    epilog=examples(
        "aggregator sources",
    ),
)
def sources() -> None:
    """List the registered sources and their channels."""
    for slug, source in sorted(REGISTRY.items()):
        click.echo(
            f"{slug:<18} {source.publisher}  (every {source.poll_interval}, {source.cadence})"
        )
        for channel in source.channels:
            click.echo(f"    {channel.role:<8} {channel.kind:<8} {channel.url}")


@click.command(
    "status",
    epilog=examples(
        "aggregator status",
        "aggregator status --verbose --db postgresql+psycopg://aggregator@localhost/aggregator",
    ),
)
@click.option(
    "--verbose", is_flag=True, help="Add the politeness log (304s, robots, backoffs) and leases."
)
@db_option
def status(verbose: bool, db_url: str | None) -> None:
    """Print each source's health, with the reason in words.

    States: ok, quiet, stale, crawling, fetch-failing, interrupted, blocked, parse-broken,
    suspicious, site-changed. A crawl whose process died (its heartbeat lapsed) is marked
    interrupted first. Exits with status 3 when any source is fetch-failing, interrupted,
    blocked or parse-broken (stale, suspicious and site-changed are warnings), so cron mail or
    a monitor sees it. --verbose also lists every lease not released, with owner and expiry.
    """
    from aggregator.ops.health import source_statuses
    from aggregator.storage.crawl_state import CrawlState

    url = database_url(db_url)
    now = datetime.now(UTC)
    found = source_statuses(url, now)
    for entry in found:
        health = entry.health
        last = health.last_run
        when = _local(last) if last else "never"
        click.echo(f"{health.source:<18} {health.state:<14} {when:<16} {health.reason}")
        if verbose:
            share = f"{entry.not_modified / entry.requests:.0%}" if entry.requests else "n/a"
            click.echo(
                f"    last {entry.runs} runs: {entry.requests} requests, {share} answered 304,"
                f" {entry.robots_refusals} refused by robots.txt, {entry.retry_after_waits}"
                " Retry-After waits"
            )
            if entry.backing_off_until:
                until = _local(entry.backing_off_until)
                click.echo(f"    backing off until {until}: {entry.backoff_reason}")
    if verbose:
        state = CrawlState.from_url(url)
        try:
            leases = state.held_leases()
        finally:
            state.engine.dispose()
        click.echo(f"Leases held: {len(leases)}")
        for lease in leases:
            expiry = lease.lease_until
            until = _local(expiry, "%Y-%m-%d %H:%M:%S") if expiry else "no expiry"
            lapsed = " (lapsed, never released)" if expiry and expiry <= now else ""
            click.echo(f"    {lease.source:<18} {lease.lease_owner} until {until}{lapsed}")
    if any(entry.health.is_error for entry in found):
        sys.exit(EX_SOURCE_FAILED)


def _local(moment: datetime, form: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(LONDON).strftime(form)
