"""Migrations build exactly the models' schema, both ways, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from aggregator.storage.db import (
    SCHEMA_REVISION,
    alembic_config,
    current_revision,
    downgrade,
    make_engine,
    upgrade,
)
from aggregator.storage.models import Base

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

TABLES = {
    "items",
    "item_aliases",
    "sightings",
    "revisions",
    "reviews",
    "crawl_runs",
    "classifications",
    "clusters",
    "cluster_members",
    "cluster_splits",
    "review_events",
    "export_consumers",
    "export_deliveries",
    "http_state",
    "source_state",
    "users",
    "bulletins",
    "bulletin_items",
    "item_texts",
    "drafts",
    "app_settings",
    "review_sessions",  # 0015
    "login_failures",
    "login_lockouts",
    "bulletin_revisions",  # 0017
}
HEAD = SCHEMA_REVISION  # the constant the code checks crawls against
# Full-text search (migration 0007) is not in the models: SQLite's FTS5 table and its shadow
# tables, PostgreSQL's expression index.
FULL_TEXT_PREFIXES = ("items_fts", "ix_items_fts")


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _diffs(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": _not_full_text}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _not_full_text(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(FULL_TEXT_PREFIXES)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not name.startswith(FULL_TEXT_PREFIXES)}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_matches_models(db_url: str) -> None:
    assert current_revision(db_url) is None
    assert _tables(db_url) == set()

    upgrade(db_url)
    assert current_revision(db_url) == _head(db_url) == HEAD
    assert _tables(db_url) == TABLES
    assert _diffs(db_url) == []

    downgrade(db_url, "base")
    assert current_revision(db_url) is None
    assert _tables(db_url) == set()

    upgrade(db_url)
    assert current_revision(db_url) == HEAD
    assert _diffs(db_url) == []


def test_upgrade_is_idempotent(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == HEAD


def test_upgrade_from_each_earlier_revision(db_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(db_url))
    earlier = [r.revision for r in script.walk_revisions() if r.revision != HEAD]
    assert "0001" in earlier
    for revision in reversed(earlier):
        downgrade(db_url, "base")
        upgrade(db_url, revision)
        assert current_revision(db_url) == revision
        upgrade(db_url)
        assert current_revision(db_url) == HEAD
        assert _diffs(db_url) == []
