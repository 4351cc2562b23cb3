"""SQLite backups with SQLite's own online backup API: consistent while crawls and editors
write, page by page, without stopping them. PostgreSQL uses pg_dump (docs/operations.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


def sqlite_path(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise ValueError(
            f"backup and restore are for SQLite files; for {parsed.get_backend_name()} use "
            "pg_dump and pg_restore (docs/operations.md)"
        )
    return parsed.database


def backup(url: str, target: Path) -> int:
    """Copy the database at `url` to `target`; the number of pages copied."""
    source = sqlite3.connect(sqlite_path(url))
    destination = sqlite3.connect(target)
    copied = 0

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total

    try:
        with destination:
            source.backup(destination, pages=256, progress=progress)
    finally:
        destination.close()
        source.close()
    return copied


def restore(backup_file: Path, url: str) -> None:
    """Replace the database at `url` with the contents of `backup_file`."""
    source = sqlite3.connect(backup_file)
    destination = sqlite3.connect(sqlite_path(url))
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
