"""Database administration: `db upgrade`, `db backup`, `db restore`."""

from __future__ import annotations

from pathlib import Path

import click

from aggregator.cli.options import db_option, examples
from aggregator.settings import database_url


@click.group(
    "db",
    epilog=examples(
        "aggregator db upgrade",
        "aggregator db backup backup.db",
    ),
)
def db() -> None:
    """Database administration."""


@db.command(
    "upgrade",
    epilog=examples(
        "aggregator db upgrade",
        "aggregator db upgrade --db postgresql+psycopg://aggregator@localhost/aggregator",
    ),
)
@db_option
def db_upgrade(db_url: str | None) -> None:
    """Apply the migrations up to the newest schema."""
    from aggregator.storage.db import current_revision, upgrade

    url = database_url(db_url)
    upgrade(url)
    click.echo(f"database at revision {current_revision(url)}")


@db.command(
    "backup",
    epilog=examples(
        "aggregator db backup backup.db",
        "aggregator db backup /var/backups/aggregator.db --db sqlite:///aggregator.db",
    ),
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def db_backup(path: Path, db_url: str | None) -> None:
    """Copy the SQLite database to PATH while it is in use (SQLite's online backup).

    For PostgreSQL use pg_dump (docs/operations.md).
    """
    from aggregator.storage.backup import backup

    pages = backup(database_url(db_url), path)
    click.echo(f"backed up {pages} pages to {path}")


@db.command(
    "restore",
    epilog=examples(
        "aggregator db restore backup.db",
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def db_restore(path: Path, db_url: str | None) -> None:
    """Replace the SQLite database's contents with the backup at PATH."""
    from aggregator.storage.backup import restore

    restore(path, database_url(db_url))
    click.echo(f"restored {path}")
