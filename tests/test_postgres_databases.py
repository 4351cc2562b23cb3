"""tests/postgres_databases.py: a PostgreSQL database a test gave back is handed out again only
as new (no rows, sequences at their start, no connection left), and only when the test left
its catalog as a new one's; any other is dropped."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from aggregator.schema import Item
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests.conftest import (
    CONNECT_SECONDS,
    POSTGRES_ADMIN_URL,
    _postgres_template,
    skip_without_postgres,
)
from tests.inner_pytest import run_pytest
from tests.pipelines.test_store import T0, make_item
from tests.postgres_databases import PostgresDatabases


def copy_of_template(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template(admin)}"'))


def empty(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))


@pytest.fixture
def databases() -> Iterator[PostgresDatabases]:
    skip_without_postgres()
    pool = PostgresDatabases(POSTGRES_ADMIN_URL, CONNECT_SECONDS)
    try:
        yield pool
    finally:
        pool.close()


def exists(name: str) -> bool:
    admin = create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT EXISTS (SELECT FROM pg_database WHERE datname = :n)"), {"n": name}
            )
            return bool(found.scalar())
    finally:
        admin.dispose()


def store(url: str, items: list[Item]) -> list[int]:
    repo = Repository.from_url(url)
    try:
        return [result.item_id for result in repo.upsert_items(items, T0)]
    finally:
        repo.close()


def test_a_database_given_back_is_handed_out_again_as_new(databases: PostgresDatabases) -> None:
    first = databases.take("migrated", copy_of_template)
    ids = store(databases.url(first), [make_item(n) for n in range(3)])
    databases.give_back(first)

    again = databases.take("migrated", copy_of_template)
    assert again == first and (databases.created, databases.reused) == (1, 1)
    repo = Repository.from_url(databases.url(again))
    try:
        assert repo.keys("nspcc") == []
    finally:
        repo.close()
    # every sequence restarted: the same items get the same ids as in a new database
    assert store(databases.url(again), [make_item(n) for n in range(3)]) == ids


def test_a_connection_left_open_is_ended_and_the_database_still_reused(
    databases: PostgresDatabases,
) -> None:
    name = databases.take("migrated", copy_of_template)
    leaked = create_engine(databases.url(name))
    conn = leaked.connect()
    conn.execute(text("SELECT 1"))
    try:
        databases.give_back(name)
        assert databases.take("migrated", copy_of_template) == name
        with pytest.raises(Exception, match="terminat"):
            conn.execute(text("SELECT 1"))
    finally:
        conn.invalidate()
        leaked.dispose()


CATALOG_CHANGES = {
    "a column added": "ALTER TABLE items ADD COLUMN extra integer",
    "an index dropped": "DROP INDEX ix_items_first_seen",
    "a grant": "GRANT SELECT ON items TO PUBLIC",
    "a trigger disabled": "ALTER TABLE items DISABLE TRIGGER ALL",
    "a function created": "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "another schema version": "UPDATE alembic_version SET version_num = '0001'",
    "a database setting": "ALTER DATABASE {database} SET statement_timeout = 5",
    "a sequence's start": "ALTER SEQUENCE {sequence} START WITH 100",
}


@pytest.mark.parametrize("change", CATALOG_CHANGES)
def test_a_database_whose_catalog_changed_is_dropped(
    databases: PostgresDatabases, change: str
) -> None:
    name = databases.take("migrated", copy_of_template)
    engine = create_engine(databases.url(name))
    try:
        with engine.begin() as conn:
            sequence = conn.execute(text("SELECT sequencename FROM pg_sequences LIMIT 1")).scalar()
            conn.execute(text(CATALOG_CHANGES[change].format(database=name, sequence=sequence)))
    finally:
        engine.dispose()
    databases.give_back(name)

    assert not exists(name)
    assert databases.take("migrated", copy_of_template) != name
    assert (databases.created, databases.reused) == (2, 0)


def test_a_database_the_test_dropped_is_forgotten(databases: PostgresDatabases) -> None:
    name = databases.take("empty", empty)
    databases.drop(name)
    databases.give_back(name)
    assert databases.take("empty", empty) != name


def test_an_empty_database_the_test_migrated_is_reused_as_a_migrated_one(
    databases: PostgresDatabases,
) -> None:
    migrated = databases.take("migrated", copy_of_template)
    databases.give_back(migrated)
    assert databases.take("migrated", copy_of_template) == migrated  # the only spare, taken

    blank = databases.take("empty", empty)
    upgrade(databases.url(blank))
    databases.give_back(blank)
    assert databases.take("migrated", copy_of_template) == blank
    assert databases.take("empty", empty) not in (blank, migrated)


def test_closing_drops_every_database_spare_or_still_handed_out() -> None:
    skip_without_postgres()
    pool = PostgresDatabases(POSTGRES_ADMIN_URL, CONNECT_SECONDS)
    kept = pool.take("empty", empty)
    spare = pool.take("empty", empty)
    pool.give_back(spare)
    pool.close()
    assert not exists(kept) and not exists(spare)


# A session that takes a database, and a plugin that looks for it at the moment an xdist
# worker reports itself finished: after every other `pytest_sessionfinish`.
SESSION_TEST = """
import json
from pathlib import Path
from sqlalchemy.engine import make_url

def test_takes_a_database(pg_url):
    Path("taken.json").write_text(json.dumps(make_url(pg_url).database))
"""
SESSION_PLUGIN = """
import json
from pathlib import Path
import pytest
from sqlalchemy import create_engine, text
from tests.conftest import POSTGRES_ADMIN_URL

@pytest.hookimpl(hookwrapper=True)
def pytest_sessionfinish(session):
    yield
    name = json.loads(Path("taken.json").read_text())
    admin = create_engine(POSTGRES_ADMIN_URL)
    with admin.connect() as conn:
        left = conn.execute(
            text("SELECT EXISTS (SELECT FROM pg_database WHERE datname = :n)"), {"n": name}
        ).scalar()
    admin.dispose()
    Path("left.json").write_text(json.dumps(bool(left)))
"""


def test_a_session_drops_its_databases_before_it_reports_finished(tmp_path: Path) -> None:
    """Under xdist a worker has ten seconds after it reports finished before it is killed:
    its databases are dropped before that report, not in the time left after it."""
    skip_without_postgres()
    (tmp_path / "test_session.py").write_text(SESSION_TEST, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(SESSION_PLUGIN, encoding="utf-8")
    ran = run_pytest(tmp_path, ["test_session.py"], dict(os.environ))
    assert ran.returncode == 0, ran.stdout[-2000:]
    assert json.loads((tmp_path / "left.json").read_text()) is False
