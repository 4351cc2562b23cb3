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
from aggregator.cli.exit_codes import EX_ERROR, EX_INTERRUPTED, EX_OK
from aggregator.cli.exit_codes import HELP as EXIT_CODES_HELP
from aggregator.cli.export import export
from aggregator.cli.items import clusters, items, review, split
from aggregator.cli.options import examples
from aggregator.cli.serve import serve, users
from aggregator.cli.sources import sources, status
from aggregator.settings import check_environment, env_bool

MAIN_HELP = f"""Monitor UK child-safeguarding publishers and build current-awareness bulletins.

{EXIT_CODES_HELP}
"""


def debugging() -> bool:
    """$AGGREGATOR_DEBUG: tracebacks instead of one-line errors (a malformed value: off)."""
    try:
        return env_bool("AGGREGATOR_DEBUG")
    except ValueError:
        return False


class AggregatorGroup(click.Group):
    """Bad input gives one line on stderr and exit 1 (click's usage errors exit 2), never a
    traceback. Set AGGREGATOR_DEBUG=1 to see the traceback. Every status is in exit_codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            check_environment()  # a malformed or misspelt AGGREGATOR_* setting stops here
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `aggregator items | head`: the reader left; not an error
            # Python flushes stdout again at exit, which would fail once more (exit 120 and an
            # "Exception ignored" message): point it at /dev/null first, as the signal
            # module's documentation advises for SIGPIPE.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
            sys.exit(EX_OK)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(EX_INTERRUPTED)
        except Exception as exc:  # the one place every unexpected error becomes one line
            if debugging():
                raise
            text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            message = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
            click.echo(f"error: {message}", err=True)
            sys.exit(EX_ERROR)


@click.group(
    cls=AggregatorGroup,
    help=MAIN_HELP,
    epilog=examples(
        "aggregator demo",
        "aggregator crawl --due",
    ),
)
@click.version_option(package_name="aggregator")
def main() -> None:
    """The command group; its help is MAIN_HELP, which lists the exit codes."""


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
