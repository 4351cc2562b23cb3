"""Alembic environment, driven from `aggregator.storage.db` (no alembic.ini).

`db.upgrade(url)` puts the URL in `config.attributes["url"]`; a caller may instead pass an open
connection in `config.attributes["connection"]`. The models' metadata is the autogenerate target.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, event

from aggregator.storage.db import make_engine
from aggregator.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: use aggregator.storage.db.upgrade(url)")
    return str(url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # A batch migration on SQLite copies a table and drops the original; with foreign
        # keys on, that DROP deletes every row that references it ON DELETE CASCADE (a
        # downgrade of 0018 emptied bulletin_items). SQLite's documented procedure for
        # altering a table: foreign keys off (outside a transaction, so on connect, after
        # make_engine's own listener turned them on), then a foreign_key_check before commit.
        event.listen(engine, "connect", _foreign_keys_off)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(conn)
    finally:
        engine.dispose()


def _foreign_keys_off(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()


def _check_foreign_keys(conn: Connection) -> None:
    """Refuse (and so roll back) a migration that left a row pointing at nothing."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        shown = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:5])
        raise RuntimeError(f"migration left {len(broken)} broken foreign key(s): {shown}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
