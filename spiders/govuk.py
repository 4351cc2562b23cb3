"""The GOV.UK organisation kind: Search API, Content API, organisation Atom feed, for any
organisation slug. A GOV.UK organisation is a registry entry (`_govuk` in the registry), no
module.

What the site does (sources.md 0):
- The Search API (`/api/search.json`) lists an organisation's documents newest first. Its
  `public_timestamp` is the last *major* update, not first publication; `latest_change_note`
  says which ("First published." for a new document).
- The Content API (`/api/content<base_path>`) has `first_published_at`, `change_history`,
  attachments with URL, type and size, and `national_applicability`.
- The organisation Atom feed is the fallback. Its entry ids embed the update timestamp, so they
  change on every update and are never used as identity; titles carry a "<display type>: "
  prefix that is not part of the title.
Every channel carries the base path, so the canonical URL is the key and `content_id` an alias.
The type hint is the `content_store_document_type` (or, from the Atom feed, the display type);
what each means follows alphagov/govuk_document_types supertypes (`spiders/govuk_types.py`).
The Content API item is read by GOV.UK's own rules (`spiders/govuk_content.py`: publisher of
record, dates, withdrawal, releases, consultation dates; `spiders/govuk_attachments.py`: every
attachment format).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from aggregator.parse.feed_reader import Feed
from aggregator.parse.raw import RawItem
from spiders.base import FeedKind, JsonApiKind, Page, Parsed, ParseError
from spiders.feed import strip_category_prefix
from spiders.govuk_attachments import GOVUK, absolute, attachments, text_lines
from spiders.govuk_content import (
    WITHDRAWN,
    consultation_dates,
    latest_change,
    published_at,
    publisher_of_record,
    real_change_note,
    release,
    search_publisher,
    search_release,
    withdrawal,
)
from spiders.govuk_types import CONTENT_STORE_TYPE, DOCUMENT_TYPES, URL_SERIES, first_known

# The reason a Search API result is dropped when its link is not a www.gov.uk path.
OFF_SITE = "Search API link leaves www.gov.uk"


def content_id_alias(content_id: str | None) -> list[str]:
    return [f"govuk-content-id:{content_id}"] if content_id else []


def site_path(link: str) -> bool:
    """A link that stays on www.gov.uk: a path from the root ("/government/..."), never a URL
    of its own nor a network path ("//host/...")."""
    return link.startswith("/") and not link.startswith("//")


ACTIVITY_TITLE = re.compile(r"^\s*(?P<name>\S.*?)\s+-\s+Activity on GOV\.UK\s*$")
ORGANISATION_HOME = re.compile(r"^/government/organisations/[^/]+(?:\.atom)?/?$")
GOVUK_HOSTS = frozenset({"www.gov.uk", "gov.uk"})


class GovukParser(JsonApiKind, FeedKind):
    # Organisation feed ids change on every update (`<url>#<timestamp>`).
    stable_guids = False
    type_labels = DOCUMENT_TYPES
    url_series = URL_SERIES
    series_host = "gov.uk"

    def label_evidence(self, label: str) -> str:
        if CONTENT_STORE_TYPE.fullmatch(label):
            return f"GOV.UK content_store_document_type={label}"
        return f"GOV.UK display type '{label}'"

    def route(self, page: Page) -> str:
        path = page.path
        if path == "/api/search.json":
            return "api"
        if path.startswith("/api/content/"):
            return "api_detail"
        if path.endswith(".atom") or page.body.lstrip()[:200].find(b"<feed") >= 0:
            return "feed"
        raise ParseError(f"not a GOV.UK Search API, Content API or Atom URL: {page.url}")

    # Search API

    def api_records(self, data: Any, page: Page) -> Iterable[Any]:
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise ParseError(f"Search API response without a results list: {page.url}")
        return [r for r in data["results"] if isinstance(r, dict) and r.get("link")]

    def api_item(self, record: Any, page: Page) -> tuple[RawItem, str | None]:
        link = str(record["link"]).strip()
        # An absolute link to www.gov.uk itself stays on the site; read it as its path.
        if link.startswith(GOVUK + "/"):
            link = link[len(GOVUK) :]
        note = record.get("latest_change_note")
        change = real_change_note(note)
        stamp = record.get("public_timestamp")
        raw = self.raw(
            page,
            GOVUK + link if site_path(link) else link,
            str(record.get("title", "")),
            summary=str(record.get("description") or ""),
            publisher=search_publisher(record),
            # `public_timestamp` is the last major update (alphagov/search-api
            # config/schema/field_definitions.json). The rule kept here: with a change note
            # that says something it dates that update; otherwise ("First published.", or no
            # note asked for or given) it is taken as the publication date.
            published=None if change else stamp,
            updated=stamp if change else None,
            change_note=change,
            type_hint=first_known(
                (
                    record.get("content_store_document_type"),
                    record.get("document_type"),
                    record.get("display_type"),
                    record.get("format"),
                )
            ),
            aliases=content_id_alias(record.get("content_id")),
            withdrawn_reason=WITHDRAWN if record.get("is_withdrawn") else None,
        )
        if _is_announcement(record.get("content_store_document_type"), record.get("format")):
            found = search_release(record)
            raw.event_start, raw.event_precision = found.date, found.precision
            raw.release_state = found.state
            if found.change_note:
                raw.published, raw.updated = None, found.updated
                raw.change_note = found.change_note
        if not site_path(link):
            # Never credited to GOV.UK nor followed: dropped, counted, and logged by its link.
            raw.drop_reason = OFF_SITE
            return raw, None
        return raw, f"{GOVUK}/api/content{link}"

    # Content API

    def parse_api_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        data = page.json()
        if not isinstance(data, dict) or not isinstance(data.get("base_path"), str):
            raise ParseError(f"Content API item without base_path: {page.url}")
        details: dict[str, Any] = _object(data.get("details"))
        links: dict[str, Any] = _object(data.get("links"))
        data = {**data, "details": details}
        schema = data.get("schema_name")
        if schema == "html_publication":
            # "Published" on its first version, else "Updated" (alphagov/government-frontend
            # app/presenters/html_publication_presenter.rb `last_changed`).
            stamp, note = _html_publication_date(data, links), None
            first_version = details.get("first_published_version") is not False
            published, updated = (stamp, None) if first_version else (None, stamp)
        else:
            published = published_at(data)
            updated, note = latest_change(data, published)
        withdrawn_at, withdrawn_reason = withdrawal(data)
        opens, closes = consultation_dates(details)
        raw = self.raw(
            page,
            absolute(data["base_path"]),
            str(data.get("title", "")),
            summary=str(data.get("description") or (partial.summary if partial else "")),
            publisher=publisher_of_record(links),
            published=published,
            updated=updated,
            change_note=note,
            type_hint=_type_hint(data, links),
            nation_hints=_applicable_nations(details.get("national_applicability")),
            attachments=attachments(details, page.url, str(data.get("locale") or "")),
            aliases=content_id_alias(data.get("content_id")),
            body_text=text_lines(details, page.url),
            complete=True,
            withdrawn_reason=withdrawn_reason,
            withdrawn_at=withdrawn_at,
            opens=opens,
            closes=closes,
        )
        if _is_announcement(data.get("document_type"), schema):
            found = release(data)
            raw.event_start, raw.event_precision = found.date, found.precision
            raw.release_state = found.state
            if found.change_note:
                raw.change_note, raw.updated = found.change_note, found.updated
        # The detail was fetched from the API, but the item was found where the listing was.
        if partial is not None:
            raw.fetched_from = partial.fetched_from
        return Parsed(items=[raw])

    # Organisation / finder Atom feed (fallback)

    def adjust_feed_item(self, raw: RawItem) -> RawItem:
        """The entry's display type ("Guidance") is its type label, never a topic, and its
        "<display type>: " title prefix goes (the feed kind's rule)."""
        display_type = raw.topic_hints[0] if raw.topic_hints else None
        raw = strip_category_prefix(raw)
        raw.type_hint = display_type
        raw.topic_hints = []
        return raw

    def feed_publisher(self, feed: Feed, url: str) -> str | None:
        """An organisation feed, titled "<Organisation> - Activity on GOV.UK" with the
        organisation's page as its home, credits that organisation (alphagov/collections
        app/controllers/feeds_controller.rb); a topical event's feed has the same title form
        but another home, so it is not credited."""
        match = ACTIVITY_TITLE.match(feed.title)
        if not match:
            return None
        for home in (feed.link, url):
            parts = urlsplit(urljoin(url, home)) if home else None
            if parts and parts.hostname in GOVUK_HOSTS and ORGANISATION_HOME.match(parts.path):
                return match["name"]
        return None


def _is_announcement(document_type: object, schema: object) -> bool:
    """A statistics announcement: its schema or format, or a `*statistics_announcement` type."""
    return schema == "statistics_announcement" or (
        isinstance(document_type, str) and document_type.endswith("statistics_announcement")
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _type_hint(data: dict[str, Any], links: dict[str, Any]) -> str | None:
    """The content-store type; an HTML publication takes its parent's (alphagov/
    government-frontend app/presenters/html_publication_presenter.rb `format_sub_type`)."""
    if data.get("schema_name") == "html_publication":
        parents = links.get("parent")
        parent = parents[0] if isinstance(parents, list) and parents else None
        if isinstance(parent, dict) and parent.get("document_type"):
            return first_known((parent.get("document_type"), data.get("document_type")))
    return first_known((data.get("document_type"), data.get("schema_name")))


def _html_publication_date(data: dict[str, Any], links: dict[str, Any]) -> str | None:
    """An HTML publication's date: its own `details.public_timestamp` (alphagov/frontend
    app/models/html_publication.rb), else its `public_updated_at`, else its parent's; never
    `first_published_at`, which an HTML publication gets when it is migrated or withdrawn."""
    for stamp in (data["details"].get("public_timestamp"), data.get("public_updated_at")):
        if isinstance(stamp, str) and stamp.strip():
            return stamp
    parents = links.get("parent")
    for parent in parents if isinstance(parents, list) else []:
        if isinstance(parent, dict) and isinstance(parent.get("public_updated_at"), str):
            return str(parent["public_updated_at"])
    return None


def _applicable_nations(applicability: Any) -> list[str]:
    """Labels of the nations a document applies to ("Applies to England")."""
    if not isinstance(applicability, dict):
        return []
    return [
        str(v.get("label"))
        for v in applicability.values()
        if isinstance(v, dict) and v.get("applicable") and v.get("label")
    ]


PARSER = GovukParser
