"""The feeds the review app serves: conditional GET (ETag, Last-Modified, 304), no login,
nothing unapproved."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import feedparser
import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.exports.web import feeds_blueprint
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, EDITOR, corpus

SCHEMA = json.loads(
    (Path(__file__).resolve().parent / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8")
)
ROUTES = ("/feeds/approved.atom", "/feeds/approved.json")
Stored = tuple[Repository, list[int]]


@pytest.fixture
def client(stored: Stored) -> FlaskClient:
    repository, _ids = stored
    app = Flask("review-app")
    app.register_blueprint(feeds_blueprint(lambda: repository))
    return app.test_client()


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


def test_feeds_are_served_without_login_with_validators(client: FlaskClient) -> None:
    atom = client.get("/feeds/approved.atom")
    assert atom.status_code == 200
    assert atom.content_type == "application/atom+xml; charset=utf-8"
    assert atom.headers["ETag"] == f'"{hashlib.sha256(atom.data).hexdigest()[:40]}"'
    assert atom.headers["Last-Modified"] == http_date(APPROVED_AT)
    parsed = feedparser.parse(atom.data)
    assert parsed.bozo == 0 and len(parsed.entries) == 7
    assert parsed.feed.links[0].href == "http://localhost/feeds/approved.atom"

    feed = client.get("/feeds/approved.json")
    assert feed.status_code == 200
    assert feed.content_type == "application/feed+json; charset=utf-8"
    document = json.loads(feed.data)
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert document["feed_url"] == "http://localhost/feeds/approved.json"
    assert len(document["items"]) == 7


def test_nothing_unapproved_or_withdrawn_is_exposed(client: FlaskClient) -> None:
    hidden = [item.title for item in corpus()[7:]]
    for route in ROUTES:
        body = client.get(route).data.decode("utf-8")
        assert not [title for title in hidden if title in body]


@pytest.mark.parametrize("route", ROUTES)
def test_if_none_match_gives_304(client: FlaskClient, route: str) -> None:
    first = client.get(route)
    again = client.get(route, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get(route, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.mark.parametrize("route", ROUTES)
def test_if_modified_since_gives_304_until_something_changes(
    client: FlaskClient, stored: Stored, route: str
) -> None:
    repository, ids = stored
    first = client.get(route)
    since = first.headers["Last-Modified"]
    assert client.get(route, headers={"If-Modified-Since": since}).status_code == 304
    earlier = http_date(datetime(2024, 5, 1, tzinfo=UTC))
    assert client.get(route, headers={"If-Modified-Since": earlier}).status_code == 200

    later = datetime(2024, 6, 3, 12, tzinfo=UTC)
    repository.review(ids[8], "approve", at=later, actor=EDITOR)  # approved late
    changed = client.get(route, headers={"If-Modified-Since": since})
    assert changed.status_code == 200
    assert changed.headers["Last-Modified"] == http_date(later)
    assert changed.headers["ETag"] != first.headers["ETag"]
    stale = client.get(route, headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200
    assert "Not yet reviewed" in changed.data.decode("utf-8")


def test_a_feed_holds_the_most_recently_approved(stored: Stored) -> None:
    repository, ids = stored
    repository.review(ids[8], "approve", at=datetime(2024, 6, 3, tzinfo=UTC), actor=EDITOR)
    app = Flask("review-app")
    app.register_blueprint(feeds_blueprint(lambda: repository, size=2))
    document = json.loads(app.test_client().get("/feeds/approved.json").data)
    assert len(document["items"]) == 2
    assert document["items"][0]["title"] == "Not yet reviewed"
