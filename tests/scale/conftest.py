"""Scale-out fixtures: a fresh PostgreSQL database and a private Redis key prefix per test.

Both are skipped when the server does not answer (PostgreSQL at 127.0.0.1:5432, see
tests/storage/conftest.py; Redis at $AGGREGATOR_TEST_REDIS_URL, else 127.0.0.1:6379 db 0).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Generator, Iterator
from typing import cast

import pytest

from aggregator.storage.db import upgrade
from tests.storage.conftest import _postgres_database

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

    from aggregator.distributed import JobQueue

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
