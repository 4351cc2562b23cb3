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
from aggregator.fetch import logs
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
            logs.configure()  # warnings and errors, one line each (-v, -q: `verbosity_options`)
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


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """Apply -q, -v and --log-level as they are parsed: the level goes to this process's
    logging and, through $AGGREGATOR_LOG_LEVEL, to the crawls it starts."""
    chosen = ctx.meta.setdefault("aggregator.verbosity", {})
    chosen[param.name] = value
    level = logs.verbosity(
        bool(chosen.get("quiet")), int(chosen.get("verbose") or 0), chosen.get("log_level")
    )
    if level != logs.DEFAULT_LEVEL or chosen.get("log_level"):
        os.environ[logs.LEVEL_ENV] = level
        logs.configure(level)


VERBOSITY = (
    click.Option(
        ["-q", "--quiet"],
        is_flag=True,
        expose_value=False,
        callback=_set_verbosity,
        help="Errors only on stderr.",
    ),
    click.Option(
        ["-v", "--verbose"],
        count=True,
        expose_value=False,
        callback=_set_verbosity,
        help="Progress (INFO) on stderr, with tracebacks; -vv for DEBUG.",
    ),
    click.Option(
        ["--log-level"],
        type=click.Choice(logs.LEVELS, case_sensitive=False),
        default=None,
        expose_value=False,
        callback=_set_verbosity,
        envvar=logs.LEVEL_ENV,
        show_envvar=True,
        help="What stderr shows [default: WARNING: warnings and errors, one line each].",
    ),
)


def _with_verbosity(command: click.Command) -> None:
    """-q, -v and --log-level on `command` and every command under it (a command with a
    --verbose of its own, `status`, keeps it: there it means more detail)."""
    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    command.params.extend(option for option in VERBOSITY if not taken.intersection(option.opts))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_verbosity(sub)


_with_verbosity(main)
