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
what each means follows alphagov/govuk_document_types supertypes (sources.md 8.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bs4 import BeautifulSoup

from aggregator.normalise.main_text import element_lines
from aggregator.parse.markup_limits import MarkupLimitError, check_markup
from aggregator.parse.raw import RawAttachment, RawItem
from aggregator.schema import DocType
from spiders.base import FeedKind, JsonApiKind, Page, Parsed, ParseError

GOVUK = "https://www.gov.uk"
FIRST_PUBLISHED = "First published."
WITHDRAWN = "withdrawn on GOV.UK"
# Govspeak's embedded attachment blocks (`<section class="attachment embedded">`, the
# `gem-c-attachment` component); `attachment-inline` spans sit inside sentences and stay.
ATTACHMENT_BLOCK = re.compile(r"^(?:attachment|gem-c-attachment)$")
# A content-store document type is written in snake case; anything else is a display type.
CONTENT_STORE_TYPE = re.compile(r"[a-z_]+")

DOCUMENT_TYPES: dict[str, DocType] = {
    # content_store_document_type
    "consultation_outcome": DocType.CONSULTATION_RESPONSE,
    "open_consultation": DocType.CONSULTATION,
    "closed_consultation": DocType.CONSULTATION,
    "consultation": DocType.CONSULTATION,
    "guidance": DocType.GUIDANCE,
    "detailed_guide": DocType.GUIDANCE,
    "manual": DocType.GUIDANCE,
    "statutory_guidance": DocType.STATUTORY_GUIDANCE,
    "research": DocType.REPORT,
    "independent_report": DocType.REPORT,
    "corporate_report": DocType.REPORT,
    "policy_paper": DocType.POLICY_PAPER,
    "impact_assessment": DocType.POLICY_PAPER,
    "news_story": DocType.NEWS,
    "press_release": DocType.NEWS,
    "speech": DocType.NEWS,
    "written_statement": DocType.NEWS,
    "oral_statement": DocType.NEWS,
    "correspondence": DocType.NEWS,
    "government_response": DocType.CONSULTATION_RESPONSE,
    "official_statistics": DocType.STATISTICS,
    "national_statistics": DocType.STATISTICS,
    "statistical_data_set": DocType.STATISTICS,
    "statistics_announcement": DocType.STATISTICS,
    "transparency": DocType.STATISTICS,
    "form": DocType.RESOURCE,
    # display types (the organisation Atom feed's categories), lower-cased
    "consultation outcome": DocType.CONSULTATION_RESPONSE,
    "open consultation": DocType.CONSULTATION,
    "closed consultation": DocType.CONSULTATION,
    "statutory guidance": DocType.STATUTORY_GUIDANCE,
    "research and analysis": DocType.REPORT,
    "independent report": DocType.REPORT,
    "corporate report": DocType.REPORT,
    "policy paper": DocType.POLICY_PAPER,
    "news story": DocType.NEWS,
    "press release": DocType.NEWS,
    "official statistics": DocType.STATISTICS,
    "national statistics": DocType.STATISTICS,
    "transparency data": DocType.STATISTICS,
    "detailed guide": DocType.GUIDANCE,
}
URL_SERIES = (
    (re.compile(r"^/government/consultations/"), DocType.CONSULTATION),
    (re.compile(r"^/government/statistics/"), DocType.STATISTICS),
    (re.compile(r"^/government/(news|speeches)/"), DocType.NEWS),
    (re.compile(r"^/guidance/"), DocType.GUIDANCE),
)


def absolute(link: str) -> str:
    return link if link.startswith("http") else GOVUK + link


def content_id_alias(content_id: str | None) -> list[str]:
    return [f"govuk-content-id:{content_id}"] if content_id else []


def real_change_note(note: str | None) -> str | None:
    """A change note that says something ("First published." only marks a new document)."""
    if not note or note.strip() == FIRST_PUBLISHED:
        return None
    return note.strip()


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
        link = str(record["link"])
        note = record.get("latest_change_note")
        is_new = not real_change_note(note)
        raw = self.raw(
            page,
            absolute(link),
            str(record.get("title", "")),
            summary=str(record.get("description") or ""),
            # public_timestamp is the last major update; it is the publication date only
            # when the change note says this is the first version.
            published=record.get("public_timestamp") if is_new and note else None,
            updated=None if is_new else record.get("public_timestamp"),
            change_note=real_change_note(note),
            type_hint=record.get("content_store_document_type") or record.get("display_type"),
            aliases=content_id_alias(record.get("content_id")),
            withdrawn_reason=WITHDRAWN if record.get("is_withdrawn") else None,
        )
        if not link.startswith("/"):
            return raw, None
        return raw, f"{GOVUK}/api/content{link}"

    # Content API

    def parse_api_detail(self, page: Page, partial: RawItem | None = None) -> Parsed:
        data = page.json()
        if not isinstance(data, dict) or "base_path" not in data:
            raise ParseError(f"Content API item without base_path: {page.url}")
        details = data.get("details") or {}
        history = details.get("change_history") or []
        newest_note = history[0].get("note") if history else None
        updated = data.get("public_updated_at") if len(history) > 1 else None
        orgs = (data.get("links") or {}).get("primary_publishing_organisation") or []
        # The body, then (for a consultation outcome) the outcome's own text.
        parts = (_body_lines(details, part, page) for part in ("body", "final_outcome_detail"))
        body = "\n".join(text for text in parts if text)
        raw = self.raw(
            page,
            absolute(str(data["base_path"])),
            str(data.get("title", "")),
            summary=str(data.get("description") or (partial.summary if partial else "")),
            publisher=str(orgs[0]["title"]) if orgs and orgs[0].get("title") else None,
            published=data.get("first_published_at") or details.get("first_public_at"),
            updated=updated,
            change_note=real_change_note(newest_note),
            type_hint=data.get("document_type"),
            nation_hints=_applicable_nations(details.get("national_applicability")),
            attachments=_attachments(details),
            aliases=content_id_alias(data.get("content_id")),
            body_text=body,
            complete=True,
            withdrawn_reason=WITHDRAWN if data.get("withdrawn_notice") else None,
        )
        # The detail was fetched from the API, but the item was found where the listing was.
        if partial is not None:
            raw.fetched_from = partial.fetched_from
        return Parsed(items=[raw])

    # Organisation / finder Atom feed (fallback)

    def adjust_feed_item(self, raw: RawItem) -> RawItem:
        display_type = raw.topic_hints[0] if raw.topic_hints else None
        if display_type and raw.title.startswith(f"{display_type}: "):
            raw.title = raw.title[len(display_type) + 2 :]
        raw.type_hint = display_type
        raw.topic_hints = []
        return raw


def _body_lines(details: dict[str, Any], part: str, page: Page) -> str:
    """A Content API HTML field (`details.body`) as main-text lines.

    Govspeak embeds attachment blocks (title, "PDF, 1.2 MB, 40 pages", "Request an accessible
    format") in the body; the attachments are read on their own (`_attachments`), so those
    blocks are dropped. Inline attachment links inside a sentence stay.
    """
    fragment = details.get(part)
    if not isinstance(fragment, str) or not fragment.strip():
        return ""
    try:
        check_markup(fragment.encode("utf-8"))  # a markup bomb in JSON is refused too
    except MarkupLimitError as exc:
        raise ParseError(f"{exc} in details.{part} at {page.url}") from exc
    soup = BeautifulSoup(fragment, "lxml")
    for block in soup.find_all(["section", "div"], class_=ATTACHMENT_BLOCK):
        if not block.decomposed:
            block.decompose()
    return element_lines(soup)


def _applicable_nations(applicability: Any) -> list[str]:
    """Labels of the nations a document applies to ("Applies to England")."""
    if not isinstance(applicability, dict):
        return []
    return [
        str(v.get("label"))
        for v in applicability.values()
        if isinstance(v, dict) and v.get("applicable") and v.get("label")
    ]


def _attachments(details: dict[str, Any]) -> list[RawAttachment]:
    """Attachments of a publication or consultation, outcome documents included.

    `*_attachments` lists may hold attachment objects or ids pointing into `attachments`.
    """
    by_id = {str(a.get("id")): a for a in details.get("attachments") or [] if isinstance(a, dict)}
    ordered: list[dict[str, Any]] = []
    for group in (
        "final_outcome_attachments",
        "public_feedback_attachments",
        "featured_attachments",
        "attachments",
    ):
        for entry in details.get(group) or []:
            found = entry if isinstance(entry, dict) else by_id.get(str(entry))
            if found and found not in ordered:
                ordered.append(found)
    result: list[RawAttachment] = []
    seen: set[str] = set()
    for entry in ordered:
        url = entry.get("url")
        if not url or url in seen:
            continue
        seen.add(url)
        media_type = entry.get("content_type")
        if not media_type and entry.get("attachment_type") == "html":
            media_type = "text/html"
        size = entry.get("file_size")
        result.append(
            RawAttachment(
                title=str(entry.get("title") or ""),
                url=absolute(str(url)),
                media_type=media_type,
                size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
            )
        )
    return result


PARSER = GovukParser
