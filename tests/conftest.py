"""Database and queue fixtures shared by every test folder.

`db_url` runs a test on SQLite and on PostgreSQL; PostgreSQL tests get a fresh, throw-away
database on the server at 127.0.0.1:5432 (override the admin URL with
$AGGREGATOR_TEST_POSTGRES_URL) and are skipped when no server answers. `pg_url` is PostgreSQL
only; `redis_queue` is a private Redis key prefix ($AGGREGATOR_TEST_REDIS_URL, else
127.0.0.1:6379 db 0), skipped when Redis does not answer.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository

POSTGRES_ADMIN_URL = os.environ.get(
    "AGGREGATOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'aggregator.db'}"
        return
    yield from _postgres_database()


def _postgres_database() -> Iterator[str]:
    admin = create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"agg_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server means skip
        admin.dispose()
        where = make_url(POSTGRES_ADMIN_URL)
        pytest.skip(f"PostgreSQL not reachable at {where.host}:{where.port or 5432}: {error}")
    try:
        url = make_url(POSTGRES_ADMIN_URL).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    """A repository on a freshly migrated database."""
    upgrade(db_url)
    repository = Repository.from_url(db_url)
    try:
        yield repository
    finally:
        repository.close()


REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated to the newest schema, dropped afterwards."""
    database = cast(Generator[str, None, None], _postgres_database())
    url = next(database)  # skips the test when no server answers
    try:
        upgrade(url)
        yield url
    finally:
        database.close()  # drops it


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A key prefix (the queue's namespace) of its own; every key under it is deleted after."""
    import redis

    from aggregator.ops.distributed import JobQueue

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    finally:
        client.close()
    namespace = f"aggtest-{secrets.token_hex(6)}"
    try:
        yield namespace
    finally:
        queue = JobQueue(REDIS_URL, namespace)
        queue.delete_all()
        queue.close()
