"""The sources: `sources` (the registry) and `status` (each one's health)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from aggregator.cli.options import db_option
from aggregator.normalise.dates import LONDON
from aggregator.settings import database_url
from aggregator.sources import REGISTRY

EXIT_UNHEALTHY = 3
"""Exit status of `status` when a source is fetch-failing, blocked or parse-broken."""


@click.command("sources")
def sources() -> None:
    """List the registered sources and their channels."""
    for slug, source in sorted(REGISTRY.items()):
        click.echo(
            f"{slug:<18} {source.publisher}  (every {source.poll_interval}, {source.cadence})"
        )
        for channel in source.channels:
            click.echo(f"    {channel.role:<8} {channel.kind:<8} {channel.url}")


@click.command("status")
@click.option("--verbose", is_flag=True, help="Add the politeness log: 304s, robots, backoffs.")
@db_option
def status(verbose: bool, db_url: str | None) -> None:
    """Print each source's health, with the reason in words.

    States: ok, quiet, stale, fetch-failing, blocked, parse-broken, suspicious,
    site-changed. Exits with status 3 when any source is fetch-failing, blocked or
    parse-broken (stale, suspicious and site-changed are warnings), so cron mail or a monitor
    sees it.
    """
    from aggregator.ops.health import source_statuses

    found = source_statuses(database_url(db_url), datetime.now(UTC))
    for entry in found:
        health = entry.health
        last = health.last_run
        when = last.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if last else "never"
        click.echo(f"{health.source:<18} {health.state:<14} {when:<16} {health.reason}")
        if verbose:
            share = f"{entry.not_modified / entry.requests:.0%}" if entry.requests else "n/a"
            click.echo(
                f"    last {entry.runs} runs: {entry.requests} requests, {share} answered 304,"
                f" {entry.robots_refusals} refused by robots.txt, {entry.retry_after_waits}"
                " Retry-After waits"
            )
            if entry.backing_off_until:
                until = entry.backing_off_until.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
                click.echo(f"    backing off until {until}: {entry.backoff_reason}")
    if any(entry.health.is_error for entry in found):
        sys.exit(EXIT_UNHEALTHY)
