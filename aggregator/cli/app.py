"""The `main` click group: every command group added, and one-line errors."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from aggregator.cli.classify import classify, drafts
from aggregator.cli.crawl import crawl, reconcile, schedule, worker
from aggregator.cli.db import db
from aggregator.cli.demo import demo
from aggregator.cli.devtools import fixture, parse, source
from aggregator.cli.export import export
from aggregator.cli.items import clusters, items, review, split
from aggregator.cli.serve import serve, users
from aggregator.cli.sources import sources, status


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


@click.group(cls=AggregatorGroup)
@click.version_option(package_name="aggregator")
def main() -> None:
    """Monitor UK child-safeguarding publishers and build current-awareness bulletins."""


for command in (
    crawl,
    schedule,
    worker,
    reconcile,
    demo,
    items,
    review,
    clusters,
    split,
    classify,
    drafts,
    sources,
    status,
    db,
    parse,
    fixture,
    source,
    export,
    serve,
    users,
):
    main.add_command(command)
