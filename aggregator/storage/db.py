"""Engines, sessions, transactions and migrations.

Alembic is configured here in code (no alembic.ini): `script_location` points at the
`aggregator/migrations` directory next to this package, so `upgrade()` works from an installed
package as well as from a checkout. The database URL is handed to `migrations/env.py` through
`Config.attributes["url"]` (not the ini option, whose `%` interpolation would mangle
percent-encoded passwords).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

SCHEMA_REVISION = "0018"
"""The newest migration, the schema this version reads and writes. A constant rather than
Alembic's script directory, which does not exist when the package runs from a zipped egg
(Scrapyd's jobs); tests/storage/test_migrations.py checks it is Alembic's head."""


def make_engine(url: str) -> Engine:
    """An engine for `url`.

    SQLite gets `check_same_thread=False` (Scrapy and the review app use threads), WAL,
    foreign keys and real transactions: pysqlite's own transaction handling is switched off
    and `BEGIN` is emitted when SQLAlchemy begins, so reads and writes of one transaction are
    atomic (the recipe from SQLAlchemy's SQLite documentation); `write_transaction` begins
    with `BEGIN IMMEDIATE`.
    """
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        # psycopg prepares a statement after five runs, and PostgreSQL may then keep a generic
        # plan chosen while the tables were small: a sequential scan that grows with every
        # batch. Crawls run few, large statements, so planning each one is the cheaper side.
        connect_args = {"prepare_threshold": None} if sa_url.get_driver_name() == "psycopg" else {}
        return create_engine(sa_url, pool_pre_ping=True, connect_args=connect_args)
    engine = create_engine(
        sa_url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see _sqlite_on_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit (FULL). A crash of the
        # process loses nothing; a power cut or OS crash can lose the last transactions but
        # never corrupts the file. Crawl batches are idempotent and the next crawl stores them
        # again; an editor's last decisions would have to be made again. It saves an fsync per
        # commit, a tenth of the time of an upsert batch.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


SQLITE_BEGIN_OPTION = "sqlite_begin"
"""Execution option naming the SQLite BEGIN mode ("DEFERRED", "IMMEDIATE" or "EXCLUSIVE")."""


def _sqlite_on_begin(conn: Connection) -> None:
    mode = str(conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")).upper()
    if mode not in {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"}:
        raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that will write: committed on success, rolled back on error.

    On SQLite it starts with `BEGIN IMMEDIATE`, so concurrent writers wait for each other
    (up to the busy timeout) instead of failing when one commits between another's reads and
    writes. On PostgreSQL it is an ordinary transaction.
    """
    with engine.connect() as conn:
        conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        with conn.begin():
            yield conn


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to `engine` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """An Alembic config for `url`, built in code."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision` (creating the schema when empty).

    A database already at this version's schema is left alone without loading Alembic: every
    crawl, export and serve starts with this call, and Alembic's import is most of its cost."""
    if revision == "head" and current_revision(url) == SCHEMA_REVISION:
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at `url` down to `revision` (`base` drops everything)."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The Alembic revision the database at `url` is at, or None if never migrated (no
    `alembic_version` table, or an empty one). Read as Alembic's MigrationContext reads it;
    this schema's migrations form one line, so there is never more than one row."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    if len(rows) > 1:
        raise ValueError(f"the database has {len(rows)} migration heads: {', '.join(rows)}")
    return rows[0] if rows else None


def schema_problem(url: str) -> str | None:
    """Why the database at `url` cannot take a crawl, in one line ending in what to run;
    None when its schema is this version's (the newest migration). Only the schema is
    checked: a crawl on a database never migrated, or migrated by an older version, would
    fail on its first write ("no such table") and record nothing."""
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        found = current_revision(url)
    except DBAPIError as error:
        reason = " ".join(str(error.orig or error).split())[:200]
        return f"cannot open the database {shown}: {reason}"
    head = SCHEMA_REVISION
    if found == head:
        return None
    if found is None:
        return f"the database {shown} has no schema yet: run `aggregator db upgrade`"
    return (
        f"the database {shown} is at migration {found}, this version needs {head}: "
        "run `aggregator db upgrade`"
    )


# --- what every store shares ----------------------------------------------------------------

_T = TypeVar("_T")

_MAX_ATTEMPTS = 3
_RETRY_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure
_RECONNECT_PAUSE = 0.2  # seconds, growing with each attempt after a lost connection


class StoreBase:
    """The one piece of state every store holds: the engine of its database.

    The entity stores (`items_write.ItemWriter`, `reviews.ReviewStore`, …) are mixins over
    this base, and `repository.Repository` combines them over one engine; they share nothing
    else, so each can also be used on its own.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


def retry_on_conflict(work: Callable[[], _T], attempts: int = _MAX_ATTEMPTS) -> _T:
    """Run a whole write transaction, again if PostgreSQL ended it to break a deadlock or a
    serialization conflict with another writer, or the connection was lost (the server
    restarted, an operator ended the backend): nothing of it was kept, and the pool gives a
    fresh connection. `work` must be idempotent, as an upsert is: a connection lost during
    COMMIT leaves it unknown whether the first attempt was kept."""
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as error:
            sqlstate = getattr(error.orig, "sqlstate", None)
            lost = bool(error.connection_invalidated)
            if attempt + 1 == attempts or not (lost or sqlstate in _RETRY_SQLSTATES):
                raise
            if lost:
                time.sleep(_RECONNECT_PAUSE * (attempt + 1))
    raise AssertionError("unreachable")


def require_aware(value: datetime, name: str) -> None:
    """Refuse a naive datetime: every stored time is an instant."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def aware_utc(value: Any) -> datetime:
    """An aware UTC datetime from what a driver gives back (SQLite aggregates give text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
