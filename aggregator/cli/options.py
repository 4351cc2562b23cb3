"""Options and argument checks shared by the command groups (never imported from the
package's `__init__`, so the group modules and `app` import no circle)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from aggregator.sources import REGISTRY

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
