"""Every `AGGREGATOR_*` environment variable in one place: its type, default and meaning.

`ENVIRONMENT` lists them (docs/operations.md prints the same table; a test keeps the two and
the code in step). Modules read a variable only through the typed readers here
(`env_text`, `env_bool`, `env_url`, `env_list`, `env_duration`, `database_url`), which reject
a malformed value with a one-line `ValueError` naming the variable, so a typo stops the
command instead of being ignored: `AGGREGATOR_SECURE_COOKIES=0` is off, `=maybe` an error.
`check_environment()` (run by every CLI command first) reads every variable that is set and
refuses an `AGGREGATOR_*` name nobody reads, the commonest typo of all.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite:///aggregator.db"
"""A SQLite file in the working directory (ARCHITECTURE 1, Store)."""

DATABASE_URL_ENV = "AGGREGATOR_DATABASE_URL"
PREFIX = "AGGREGATOR_"

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class EnvVar:
    """One environment variable as the operator sees it."""

    name: str
    kind: str
    """"text", "url", "bool", "seconds", "minutes", "hours", "list", "path"."""
    default: str
    """The default in words ("" when there is none)."""
    meaning: str


ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar(DATABASE_URL_ENV, "url", DEFAULT_DATABASE_URL, "the database (SQLite or PostgreSQL)"),
    EnvVar(
        "AGGREGATOR_PUBLIC_URL",
        "url",
        "",
        "the review app's public address: every feed link is built from it",
    ),
    EnvVar(
        "AGGREGATOR_TAG_AUTHORITY",
        "text",
        "safeguarding-aggregator.github.io,2026",
        "the authority of every feed entry's tag: id; set once, never change it",
    ),
    EnvVar("AGGREGATOR_SECRET_KEY", "text", "random per start", "signs the login form's token"),
    EnvVar("AGGREGATOR_SECURE_COOKIES", "bool", "false", "Secure session cookies (HTTPS only)"),
    EnvVar("AGGREGATOR_SESSION_IDLE_MINUTES", "minutes", "60", "a session unused this long ends"),
    EnvVar(
        "AGGREGATOR_SESSION_MAX_HOURS", "hours", "12", "every session ends this long after login"
    ),
    EnvVar("AGGREGATOR_REDIS_URL", "url", "redis://127.0.0.1:6379/0", "the job queue's Redis"),
    EnvVar("AGGREGATOR_QUEUE", "text", "aggregator", "the job queue's name (several on one Redis)"),
    EnvVar(
        "AGGREGATOR_EXTRA_SOURCES", "path", "", "a JSON file of further sources for the registry"
    ),
    EnvVar(
        "AGGREGATOR_ALLOWED_ADDRESSES",
        "list",
        "",
        "non-public addresses a crawl may reach (comma-separated; tests and intranets)",
    ),
    EnvVar("AGGREGATOR_FIXTURES_DIR", "path", "fixtures/", "the offline fixtures' folder"),
    EnvVar("AGGREGATOR_HEARTBEAT_SECONDS", "seconds", "30", "how often a running crawl beats"),
    EnvVar(
        "AGGREGATOR_DUE_LEASE_SECONDS", "seconds", "120", "how long `crawl --due` holds a source"
    ),
    EnvVar("AGGREGATOR_DEBUG", "bool", "false", "show tracebacks instead of one-line errors"),
    EnvVar(
        "AGGREGATOR_LOG_LEVEL",
        "text",
        "WARNING",
        "what stderr shows: DEBUG, INFO, WARNING or ERROR (-v, -q, --log-level set it)",
    ),
    EnvVar("AGGREGATOR_REQUIRE_ALL", "bool", "false", "test suite: every skip is a failure"),
    EnvVar(
        "AGGREGATOR_TEST_POSTGRES_URL",
        "url",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "test suite: the PostgreSQL its tests use",
    ),
    EnvVar("AGGREGATOR_TEST_REDIS_URL", "url", "redis://127.0.0.1:6379/0", "test suite: its Redis"),
    EnvVar("AGGREGATOR_CHROMIUM", "path", "/usr/bin/chromium", "test suite: the browser"),
)
"""Every variable, in the order docs/operations.md lists them."""

KNOWN = {var.name: var for var in ENVIRONMENT}

SCRAPY_SETTINGS: tuple[EnvVar, ...] = (
    EnvVar(DATABASE_URL_ENV, "url", "$AGGREGATOR_DATABASE_URL", "the database a crawl stores in"),
    EnvVar("AGGREGATOR_FIXTURES", "bool", "false", "crawl the bundled fixtures, offline"),
    EnvVar("AGGREGATOR_FIXTURES_DIR", "path", "$AGGREGATOR_FIXTURES_DIR", "their folder"),
    EnvVar(
        "AGGREGATOR_ALLOWED_ADDRESSES",
        "list",
        "$AGGREGATOR_ALLOWED_ADDRESSES",
        "non-public addresses the crawl may reach (merged with the variable)",
    ),
    EnvVar("AGGREGATOR_CPU_BUDGET", "seconds", "20", "CPU time for parsing one response"),
    EnvVar("AGGREGATOR_CPU_THREADS", "text", "4", "threads parsing and classifying"),
    EnvVar(
        "AGGREGATOR_HEARTBEAT_SECONDS",
        "seconds",
        "$AGGREGATOR_HEARTBEAT_SECONDS",
        "how often the crawl beats",
    ),
    EnvVar("AGGREGATOR_FIXTURE_SERVER", "url", "", "set by offline crawls: the fixture server"),
    EnvVar("AGGREGATOR_PROGRESS", "bool", "false", "the per-source progress line (on a terminal)"),
)
"""The project's own Scrapy settings (`scrapy crawl <slug> -s NAME=VALUE`, Scrapyd's
`setting=NAME=VALUE`): not environment variables, though some default to one."""


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def env_text(name: str, default: str = "") -> str:
    """The variable's text, surrounding spaces removed; `default` when unset or empty."""
    return _raw(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    """1/true/yes/on or 0/false/no/off (any case); `default` when unset or empty."""
    raw = _raw(name).casefold()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ValueError(
        f"${name} must be one of 1, true, yes, on or 0, false, no, off, not {_raw(name)!r}"
    )


def env_url(name: str, default: str = "", schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL with one of `schemes` and a host (or a path, for files and sockets),
    without a final /; `default` when unset."""
    raw = _raw(name)
    if not raw:
        return default
    parts = urlsplit(raw)
    scheme = parts.scheme.split("+", 1)[0]  # postgresql+psycopg
    if scheme not in schemes or not (parts.netloc or parts.path):
        raise ValueError(f"${name} must be a {' or '.join(schemes)} URL, not {raw!r}")
    return raw.rstrip("/")


def env_list(name: str) -> list[str]:
    """A comma-separated list, empty entries dropped."""
    return [entry.strip() for entry in _raw(name).split(",") if entry.strip()]


def env_duration(name: str, unit: str, default: timedelta) -> timedelta:
    """A positive number of `unit`s ("seconds", "minutes", "hours") from the environment
    variable `name`, or `default` when it is unset or empty. Anything else is a ValueError
    naming the variable, so a typo stops the command instead of being ignored."""
    raw = _raw(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${name} must be a number of {unit}, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"${name} must be a positive number of {unit}, not {raw!r}")
    return timedelta(**{unit: value})


DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")


def database_url(explicit: str | None = None) -> str:
    """The database URL: `explicit` if given, else $AGGREGATOR_DATABASE_URL, else the default."""
    if explicit:
        return explicit
    return env_url(DATABASE_URL_ENV, DEFAULT_DATABASE_URL, DATABASE_SCHEMES)


def _check(var: EnvVar) -> None:
    if var.kind == "bool":
        env_bool(var.name)
    elif var.kind in ("seconds", "minutes", "hours"):
        env_duration(var.name, var.kind, timedelta(seconds=1))
    elif var.name == DATABASE_URL_ENV:
        database_url()
    elif var.name in ("AGGREGATOR_TEST_POSTGRES_URL",):
        env_url(var.name, schemes=DATABASE_SCHEMES)
    elif var.name in ("AGGREGATOR_REDIS_URL", "AGGREGATOR_TEST_REDIS_URL"):
        env_url(var.name, schemes=("redis", "rediss", "unix"))
    elif var.kind == "url":
        env_url(var.name)


def check_environment() -> None:
    """Read every `AGGREGATOR_*` variable that is set: ValueError (one line) for a malformed
    value or a name nobody reads (a typo would otherwise be ignored without a word)."""
    for name in sorted(os.environ):
        if not name.startswith(PREFIX):
            continue
        var = KNOWN.get(name)
        if var is None:
            close = difflib.get_close_matches(name, KNOWN, n=1)
            hint = f"did you mean ${close[0]}?" if close else "docs/operations.md lists them"
            raise ValueError(f"unknown setting ${name} ({hint})")
        _check(var)
