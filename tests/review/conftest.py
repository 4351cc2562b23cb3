"""The review app's fixtures: a migrated database (SQLite and PostgreSQL) with a few items,
two accounts, the app with a fixed clock, and a logged-in test client."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.classify.rules import Classification
from aggregator.review.app import create_app
from aggregator.schema import DocType, Item, Precision, Sighting
from aggregator.storage.repository import Repository
from aggregator.storage.users import UserStore
from tests.conftest import _postgres_database, migrate, migrated_sqlite

# "Now" for the app: Wednesday 5 June 2024, 10:00 in London. Its week commences Monday 3 June.
NOW = datetime(2024, 6, 5, 9, 0, tzinfo=UTC)
FOUND = datetime(2024, 6, 4, 7, 0, tzinfo=UTC)  # Tuesday 4 June, 08:00 in London
EARLIER = datetime(2024, 5, 28, 7, 0, tzinfo=UTC)  # the week before
EDITOR = ("ed", "editor-password-1")
VIEWER = ("vi", "viewer-password-1")


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id with the smallest cost in tests (the app's default takes a tenth of a second
    per login, and the tests log in hundreds of times); the hashes are still Argon2id."""
    from argon2 import PasswordHasher

    from aggregator.storage import users as user_store

    default = user_store._HASHER
    user_store._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        user_store._HASHER = default


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend; already migrated (a template's copy, tests/conftest.py)
    when the test's world is built on it, which would migrate it first thing anyway."""
    migrated = "world" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "review.db"
        yield migrated_sqlite(path) if migrated else f"sqlite:///{path}"
        return
    yield from _postgres_database(migrated=migrated)


def make_item(slug: str, title: str, **changes: Any) -> Item:
    source = changes.pop("source", "nspcc")
    url = changes.pop("url", f"https://learning.nspcc.org.uk/research/{slug}")
    base: dict[str, Any] = {
        "key": f"nspcc/{slug}",
        "source": source,
        "publisher": {"nspcc": "NSPCC", "home_office": "Home Office"}.get(source, source),
        "title": title,
        "url": url,
        "summary": f"A summary of {title.lower()}.",
        "doc_type": DocType.REPORT,
        "topics": ["neglect"],
        "nations": ["England"],
        "published": datetime(2024, 6, 3, tzinfo=UTC),
        "published_precision": Precision.DAY,
        "provenance": [Sighting(source, url, FOUND)],
    }
    base.update(changes)
    return Item(**base)


def classification(relevance: float, item: Item) -> Classification:
    return Classification(
        doc_type=item.doc_type,
        doc_type_evidence="publisher label",
        topics=list(item.topics),
        topic_evidence=[{"topic": t, "phrase": t, "field": "title"} for t in item.topics],
        nations=list(item.nations),
        nation_evidence=[{"nation": n, "field": "summary", "cue": n} for n in item.nations],
        relevance=relevance,
        relevant=relevance >= 0.3,
        relevance_evidence=[{"phrase": "neglect", "field": "title", "weight": 1.0}],
        vocabulary_version="test",
        classified_at=FOUND,
    )


def store(
    repo: Repository, items: list[tuple[Item, float | None]], seen_at: datetime = FOUND
) -> list[int]:
    results = repo.upsert_items([item for item, _ in items], seen_at)
    ids = [r.item_id for r in results]
    pairs = [
        (item_id, classification(relevance, item))
        for item_id, (item, relevance) in zip(ids, items, strict=True)
        if relevance is not None
    ]
    repo.save_classifications(pairs)
    return ids


@dataclass
class World:
    url: str
    repo: Repository
    app: Flask
    ids: dict[str, int] = field(default_factory=dict)
    clock: list[datetime] = field(default_factory=lambda: [NOW])

    def client(self, who: tuple[str, str] | None = EDITOR) -> FlaskClient:
        client = self.app.test_client()
        if who is not None:
            login(client, *who)
        return client


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def login(client: FlaskClient, username: str, password: str) -> Any:
    token = csrf_of(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """A POST with the session's CSRF token (read from a page, as a browser would)."""
    token = csrf_of(client, "/bulletins")
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kw)


def build_world(url: str) -> World:
    migrate(url)
    repo = Repository.from_url(url)
    clock = [NOW]
    app = create_app(
        url,
        secret_key="test-secret",
        config={
            "TESTING": True,
            "CLOCK": lambda: clock[0],
            "LINK_CHECK_LOOPBACK_ONLY": True,
            "LINK_CHECK_TIMEOUT": 3.0,
        },
    )
    world = World(url, repo, app, clock=clock)
    users = UserStore(repo.engine)
    users.add(*EDITOR, "editor", at=EARLIER)
    users.add(*VIEWER, "viewer", at=EARLIER)
    named = [
        ("neglect", make_item("neglect", "Neglect: learning from case reviews"), 0.9),
        ("cse", make_item("cse", "Child sexual exploitation briefing",
                          doc_type=DocType.BRIEFING, topics=["exploitation"]), 0.6),
        ("visa", make_item("visa", "Visa fees: 2024 changes", source="home_office",
                           url="https://www.gov.uk/government/publications/visa-fees",
                           topics=[], nations=["UK-wide"], doc_type=DocType.GUIDANCE), 0.05),
        ("unclassified", make_item("unclassified", "Online safety for families",
                                   topics=["online safety"]), None),
    ]  # fmt: skip
    ids = store(repo, [(item, relevance) for _, item, relevance in named])
    world.ids = {name: item_id for (name, _, _), item_id in zip(named, ids, strict=True)}
    # one item from the week before, to show the day grouping
    [old] = store(
        repo,
        [(make_item("older", "Older neglect report", published=EARLIER), 0.8)],
        seen_at=EARLIER,
    )
    world.ids["older"] = old
    return world


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    found = build_world(db_url)
    try:
        yield found
    finally:
        found.repo.close()


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    found = build_world(f"sqlite:///{tmp_path / 'review.db'}")
    try:
        yield found
    finally:
        found.repo.close()


# --- a loopback web server for link checks ---------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        status = 404 if "missing" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="session")
def loopback_site() -> Iterator[str]:
    """http://127.0.0.1:PORT: /missing… answers 404, anything else 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def later(world: World, delta: timedelta) -> None:
    world.clock[0] = world.clock[0] + delta
