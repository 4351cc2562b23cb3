"""Options and argument checks shared by the command groups (never imported from the
package's `__init__`, so the group modules and `app` import no circle)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import click

from aggregator.sources import REGISTRY


class SourceChoice(click.Choice[str]):
    """A registered source slug: checked when parsed, offered by shell completion, and
    refused in one line that names every known slug."""

    name = "source"

    def get_invalid_choice_message(self, value: object, ctx: click.Context | None) -> str:
        return f"unknown source {value!r} (known: {', '.join(map(str, self.choices))})"


FC = TypeVar("FC", bound=Callable[..., object])
"""A click command function, as its decorators take and return it."""


def source_choice(*extra: str) -> SourceChoice:
    """The slugs registered now, after `extra` (e.g. `feed` for `parse`). Each command module
    calls it as it is imported, so sources that $AGGREGATOR_EXTRA_SOURCES added to the
    registry (at its import, before this module's) are choices too."""
    return SourceChoice([*extra, *sorted(REGISTRY)])


def slugs_argument() -> Callable[[FC], FC]:
    """Zero or more registered source slugs (none: every source)."""
    return click.argument("slugs", nargs=-1, type=source_choice(), metavar="[SLUG]...")


def source_option(help_text: str) -> Callable[[FC], FC]:
    """`--source SLUG`: one registered source."""
    return click.option(
        "--source", "source", type=source_choice(), metavar="SLUG", default=None, help=help_text
    )


def examples(*lines: str) -> str:
    """A command's epilog: its "Examples:" paragraph, printed last in its --help. Click's
    `\\b` keeps the lines unwrapped; each line is an `aggregator` invocation that
    tests/cli/test_help.py parses against the command's options."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


db_option = click.option(
    "--db",
    "db_url",
    default=None,
    envvar="AGGREGATOR_DATABASE_URL",
    show_envvar=True,
    help="Database URL [default: sqlite:///aggregator.db].",
)
redis_option = click.option(
    "--redis",
    "redis_url",
    default=None,
    envvar="AGGREGATOR_REDIS_URL",
    show_envvar=True,
    help="Redis URL of the job queue [default: redis://127.0.0.1:6379/0].",
)
queue_option = click.option(
    "--queue",
    default=None,
    envvar="AGGREGATOR_QUEUE",
    show_envvar=True,
    help="Key prefix of the job queue in Redis [default: aggregator].",
)


def parse_when(value: str, flag: str) -> datetime:
    """An ISO 8601 date or time given to `flag`, in UTC when it names no zone."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"not an ISO 8601 date or time: {value!r}", param_hint=flag
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_slugs(slugs: tuple[str, ...]) -> list[str]:
    """The named sources, every registered one when none is named; a usage error names an
    unknown one."""
    for slug in slugs:
        if slug not in REGISTRY:
            raise click.BadParameter(
                f"unknown source {slug!r} (known: {', '.join(sorted(REGISTRY))})",
                param_hint="SLUG",
            )
    return list(slugs) or sorted(REGISTRY)
