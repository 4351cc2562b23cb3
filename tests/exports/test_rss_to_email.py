"""RSS-to-email (Mailchimp's RSS campaigns) over the served feeds, simulated.

Mailchimp sends, at each scheduled run, the feed entries whose `pubDate` is newer than its
last send (its "RSS to email" documentation; a post-dated entry is sent again, a back-dated
one never). The simulation keeps that rule: remember the last send time, take the entries
newer than it, approve more, take again. The approvals feed must carry an item approved
today whatever its publication date; the publisher-dated feed shows why it could not.
"""

from __future__ import annotations

import calendar
import gzip
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import atoma
import feedparser
import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from aggregator.exports.syndication import AGG_NS
from aggregator.exports.web import feeds_blueprint
from aggregator.review.bulletins import BulletinComposer
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, EDITOR, SEEN, page
from tests.exports.test_web import SCHEMA

Stored = tuple[Repository, list[int]]
PUBLIC = "https://alerts.example.org"


@pytest.fixture
def client(stored: Stored, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    monkeypatch.setenv("AGGREGATOR_PUBLIC_URL", PUBLIC)
    repository, _ids = stored
    app = Flask("review-app")
    app.register_blueprint(feeds_blueprint(lambda: repository))
    return app.test_client()


def parsed(client: FlaskClient, route: str) -> feedparser.FeedParserDict:
    response = client.get(route)
    assert response.status_code == 200
    document = feedparser.parse(response.data)
    assert not document.bozo, document.get("bozo_exception")
    return document


def instant(entry: feedparser.FeedParserDict) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)


@dataclass
class Campaign:
    """An RSS-driven campaign: at each send, the entries dated after the last send."""

    route: str
    last_send: datetime | None = None
    sent: list[list[str]] = field(default_factory=list)

    def send(self, client: FlaskClient, at: datetime) -> list[str]:
        document = parsed(client, self.route)
        batch = [
            entry.title
            for entry in document.entries
            if self.last_send is None or instant(entry) > self.last_send
        ]
        self.last_send = at
        self.sent.append(batch)
        return batch


def approve_late_item(repository: Repository, at: datetime) -> str:
    """An item published six weeks before `at`, found and approved only at `at`."""
    title = "Working together: a late-found practice guide"
    item = page(
        key="gov.uk/government/publications/late-found-practice-guide",
        url="https://www.gov.uk/government/publications/late-found-practice-guide",
        title=title,
        published=at - timedelta(weeks=6),
    )
    (result,) = repository.upsert_items([item], SEEN)
    repository.review(result.item_id, "approve", at=at, actor=EDITOR)
    return title


def test_a_campaign_on_the_approvals_feed_sends_each_approval_once(
    client: FlaskClient, stored: Stored
) -> None:
    repository, _ids = stored
    campaign = Campaign("/feeds/approvals.rss")
    first = campaign.send(client, APPROVED_AT + timedelta(hours=1))
    assert len(first) == 7  # the seven approved items of the corpus, withdrawn one left out

    late_at = APPROVED_AT + timedelta(days=3)
    late = approve_late_item(repository, late_at)
    assert campaign.send(client, late_at + timedelta(hours=1)) == [late]
    assert campaign.send(client, late_at + timedelta(days=7)) == []  # nothing new: no resend


def test_the_publisher_dated_feed_would_never_send_a_late_approval(
    client: FlaskClient, stored: Stored
) -> None:
    """Why the approvals feed exists: by the publisher's date the late item is older than the
    last send, so an RSS campaign on the `approved` feed skips it for good."""
    repository, _ids = stored
    campaign = Campaign("/feeds/approved.rss")
    campaign.send(client, APPROVED_AT + timedelta(hours=1))
    late_at = APPROVED_AT + timedelta(days=3)
    late = approve_late_item(repository, late_at)
    assert late in [entry.title for entry in parsed(client, "/feeds/approved.rss").entries]
    assert campaign.send(client, late_at + timedelta(hours=1)) == []


def test_a_correction_after_approval_is_sent_again_and_the_publishers_date_kept(
    client: FlaskClient, stored: Stored
) -> None:
    repository, ids = stored
    campaign = Campaign("/feeds/approvals.rss")
    campaign.send(client, APPROVED_AT + timedelta(hours=1))
    corrected_at = APPROVED_AT + timedelta(days=1)
    repository.edit(ids[0], at=corrected_at, actor=EDITOR, title="Mandatory reporting: response")
    assert campaign.send(client, corrected_at + timedelta(hours=1)) == [
        "Mandatory reporting: response"
    ]
    document = parsed(client, "/feeds/approvals.rss")
    entry = next(e for e in document.entries if e.title == "Mandatory reporting: response")
    # the publisher's month-precision date keeps its own element, at its own precision
    rss = ElementTree.fromstring(client.get("/feeds/approvals.rss").data)
    issued = {
        item.findtext("title"): item.findtext(f"{{{AGG_NS}}}publisherDate")
        for item in rss.iter("item")
    }
    assert issued["Mandatory reporting: response"] == "2024-04"
    assert entry.title == "Mandatory reporting: response"


def test_approvals_feeds_date_entries_by_approval_in_every_format(
    client: FlaskClient, stored: Stored
) -> None:
    atom = parsed(client, "/feeds/approvals.atom")
    for entry in atom.entries:
        assert instant(entry) == APPROVED_AT  # published: when it was approved
    document = client.get("/feeds/approvals.json").get_json()
    approved = APPROVED_AT.astimezone().isoformat()
    assert document["items"]
    for item in document["items"]:
        assert datetime.fromisoformat(item["date_published"]) == datetime.fromisoformat(approved)
        assert "publisher_date" in item["_aggregator"]


def publish_bulletin(repository: Repository, title: str, at: datetime) -> int:
    composer = BulletinComposer(repository)
    first = at.date() - timedelta(days=at.weekday())
    bulletin_id = composer.create(
        title, date(2024, 1, 1), first + timedelta(days=6), actor="ed", at=at
    )
    assert composer.entries(composer.require(bulletin_id))
    composer.publish(bulletin_id, at=at, actor="ed", confirm_open=True, base_url=PUBLIC)
    return bulletin_id


def test_the_bulletins_feed_carries_each_published_bulletin_whole(
    client: FlaskClient, stored: Stored
) -> None:
    repository, _ids = stored
    assert parsed(client, "/feeds/bulletins.rss").entries == []
    published_at = APPROVED_AT + timedelta(days=1)
    bulletin_id = publish_bulletin(repository, "Safeguarding update: week 22", published_at)
    weekly = Campaign("/feeds/bulletins.rss")
    (sent,) = weekly.send(client, published_at + timedelta(hours=1))
    assert sent == "Safeguarding update: week 22"
    document = parsed(client, "/feeds/bulletins.rss")
    (entry,) = document.entries
    assert entry.link == f"{PUBLIC}/feeds/bulletins/{bulletin_id}.html"
    assert instant(entry) == published_at
    frozen = client.get(f"/feeds/bulletins/{bulletin_id}.html").get_data(as_text=True)
    # the whole email HTML, byte for byte as published (read from the XML itself: feedparser
    # sanitises the HTML it hands over)
    rss = ElementTree.fromstring(client.get("/feeds/bulletins.rss").data)
    assert rss.findtext("channel/item/description") == frozen
    # a correction moves Atom's updated, never RSS's pubDate: the campaign does not resend
    composer = BulletinComposer(repository)
    composer.start_correction(bulletin_id)
    later = published_at + timedelta(days=1)
    composer.publish(
        bulletin_id, at=later, actor="ed", confirm_open=True, note="typo", base_url=PUBLIC
    )
    assert weekly.send(client, later + timedelta(hours=1)) == []
    (atom_entry,) = parsed(client, "/feeds/bulletins.atom").entries
    assert datetime.fromtimestamp(calendar.timegm(atom_entry.updated_parsed), UTC) == later


@pytest.mark.parametrize(
    "route",
    [
        "/feeds/approved.rss",
        "/feeds/approvals.atom",
        "/feeds/approved.json",
        "/feeds/bulletins.rss",
    ],
)
def test_feeds_are_gzipped_when_asked_with_their_own_etag(client: FlaskClient, route: str) -> None:
    plain = client.get(route)
    zipped = client.get(route, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert zipped.headers["Vary"] == "Accept-Encoding"
    again = client.get(
        route, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert again.status_code == 304
    refused = client.get(route, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_served_links_follow_the_public_url_else_the_request_host(
    stored: Stored, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository, _ids = stored
    monkeypatch.delenv("AGGREGATOR_PUBLIC_URL", raising=False)
    app = Flask("review-app")
    app.register_blueprint(feeds_blueprint(lambda: repository))
    body = app.test_client().get("/feeds/approved.rss", base_url="https://news.example.net/")
    text = body.get_data(as_text=True)
    assert "<link>https://news.example.net/</link>" in text
    assert 'href="https://news.example.net/feeds/approved.rss"' in text


@pytest.mark.parametrize("name", ["approved", "approvals"])
def test_two_feed_readers_agree_on_every_served_feed(
    client: FlaskClient, stored: Stored, name: str
) -> None:
    """feedparser (no bozo) and atoma (a strict reader built on defusedxml) read the same
    entries, ids and dates; the JSON Feed validates against the 1.1 schema."""
    repository, _ids = stored
    publish_bulletin(repository, "Safeguarding update: week 22", APPROVED_AT + timedelta(days=1))
    for route, read in (
        (f"/feeds/{name}.atom", atoma.parse_atom_bytes),
        (f"/feeds/{name}.rss", atoma.parse_rss_bytes),
        ("/feeds/bulletins.atom", atoma.parse_atom_bytes),
        ("/feeds/bulletins.rss", atoma.parse_rss_bytes),
    ):
        document = parsed(client, route)
        strict = read(client.get(route).data)
        ours = [(e.id, instant(e) if "published_parsed" in e else None) for e in document.entries]
        if route.endswith(".rss"):
            theirs = [(i.guid, i.pub_date) for i in strict.items]
        else:
            theirs = [(e.id_, e.published) for e in strict.entries]
        assert ours == theirs, route
        assert ours
    feed = client.get(f"/feeds/{name}.json").get_json()
    jsonschema.validate(feed, SCHEMA, cls=jsonschema.Draft202012Validator)
