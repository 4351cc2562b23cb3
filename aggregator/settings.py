"""Runtime settings shared by the command line, the pipelines and the review app."""

from __future__ import annotations

import math
import os
from datetime import timedelta

DEFAULT_DATABASE_URL = "sqlite:///aggregator.db"
"""A SQLite file in the working directory (ARCHITECTURE 1, Store)."""

DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The database URL: `explicit` if given, else $AGGREGATOR_DATABASE_URL, else the default."""
    if explicit:
        return explicit
    return os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def env_duration(name: str, unit: str, default: timedelta) -> timedelta:
    """A positive number of `unit`s ("seconds", "minutes", "hours") from the environment
    variable `name`, or `default` when it is unset or empty. Anything else is a ValueError
    naming the variable, so a typo stops the command instead of being ignored."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${name} must be a number of {unit}, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"${name} must be a positive number of {unit}, not {raw!r}")
    return timedelta(**{unit: value})
