"""Runtime settings shared by the command line, the pipelines and the review app."""

from __future__ import annotations

import os

DEFAULT_DATABASE_URL = "sqlite:///aggregator.db"
"""A SQLite file in the working directory (ARCHITECTURE 1, Store)."""

DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The database URL: `explicit` if given, else $AGGREGATOR_DATABASE_URL, else the default."""
    if explicit:
        return explicit
    return os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
