"""An oracle for the GOV.UK corpus: what an item must say, read from the raw JSON by GOV.UK's
own rules.

It is written independently of `spiders/govuk.py` (nothing is imported from it), so the corpus
test compares two readings of the same payload. Each fact names the GOV.UK rule behind it and
the alphagov repository and file the rule comes from. A fact whose value is `UNCHECKED` is one
GOV.UK's rules leave open for that payload; the test skips it.

Facts are grouped by the defect classes of issue #17: publisher, dates, attachments,
statistics (announcements), doc_type, withdrawal, url, consultation (opening and closing
dates) and calendar (dates of day, month or year precision read as their London date).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from aggregator.schema import DocType, Precision

GOVUK = "https://www.gov.uk"
LONDON = ZoneInfo("Europe/London")
# GOV.UK's hosts for a document and its files: an attachment may be linked from either
# (legacy attachment blocks use site-relative /government/uploads/… paths that redirect to the
# assets host), so attachments are compared by host family and path.
GOVUK_HOSTS = {"www.gov.uk", "assets.publishing.service.gov.uk"}
FIRST_PUBLISHED = "First published."
UNCHECKED = object()

CLASSES = (
    "publisher",
    "dates",
    "attachments",
    "statistics",
    "doc_type",
    "withdrawal",
    "url",
    "consultation",
    "calendar",
)

# GOV.UK document types -> the controlled list. The grouping follows alphagov/
# govuk_document_types data/supertypes.yml (`content_purpose_subgroup`), mapped to the nearest
# controlled type:
# - consultations: open_/closed_consultation -> consultation; consultation_outcome ->
#   consultation_response. `consultation` (not yet open) is the same family.
# - calls_for_evidence: every member -> call_for_evidence (its own type, beside consultations;
#   the outcome stays a call for evidence, as the controlled list has no response of one).
# - guidance: detailed_guide, guidance, manual, statutory_guidance (its own controlled type),
#   notice and promotional. A notice is guidance in GOV.UK's grouping, not news.
# - regulation: regulation, statutory_instrument -> guidance (no closer controlled type).
# - policy: policy_paper, impact_assessment -> policy_paper.
# - research: research, independent_report -> report.
# - statistics: published statistics (official_statistics, national_statistics, statistics,
#   statistical_data_set) -> statistics; the announcements of statistics not yet out
#   (statistics_announcement, official_/national_statistics_announcement) ->
#   statistics_announcement, never statistics.
# - transparency_data and freedom_of_information_releases: transparency, corporate_report,
#   foi_release -> transparency.
# - news and speeches_and_statements: news_story, press_release, world_news_story, speech,
#   oral_statement, written_statement, authored_article, correspondence, government_response
#   -> news (a "government response" is a statement in the news subgroup, not a consultation
#   response).
# - transactions: form -> resource.
DOCUMENT_TYPES: dict[str, DocType] = {
    "consultation": DocType.CONSULTATION,
    "open_consultation": DocType.CONSULTATION,
    "closed_consultation": DocType.CONSULTATION,
    "consultation_outcome": DocType.CONSULTATION_RESPONSE,
    "call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "open_call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "closed_call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "call_for_evidence_outcome": DocType.CALL_FOR_EVIDENCE,
    "detailed_guide": DocType.GUIDANCE,
    "guidance": DocType.GUIDANCE,
    "manual": DocType.GUIDANCE,
    "notice": DocType.GUIDANCE,
    "promotional": DocType.GUIDANCE,
    "regulation": DocType.GUIDANCE,
    "statutory_instrument": DocType.GUIDANCE,
    "statutory_guidance": DocType.STATUTORY_GUIDANCE,
    "policy_paper": DocType.POLICY_PAPER,
    "impact_assessment": DocType.POLICY_PAPER,
    "research": DocType.REPORT,
    "independent_report": DocType.REPORT,
    "official_statistics": DocType.STATISTICS,
    "national_statistics": DocType.STATISTICS,
    "statistics": DocType.STATISTICS,
    "statistical_data_set": DocType.STATISTICS,
    "statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "official_statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "national_statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "transparency": DocType.TRANSPARENCY,
    "corporate_report": DocType.TRANSPARENCY,
    "foi_release": DocType.TRANSPARENCY,
    "news_story": DocType.NEWS,
    "press_release": DocType.NEWS,
    "world_news_story": DocType.NEWS,
    "speech": DocType.NEWS,
    "oral_statement": DocType.NEWS,
    "written_statement": DocType.NEWS,
    "authored_article": DocType.NEWS,
    "correspondence": DocType.NEWS,
    "government_response": DocType.NEWS,
    "form": DocType.RESOURCE,
}
# The Search API's `format` for Whitehall content is the edition class (alphagov/whitehall
# search index presenters): the values whose meaning is one type.
FORMATS: dict[str, DocType] = {
    "detailed_guide": DocType.GUIDANCE,
    "speech": DocType.NEWS,
    "news_article": DocType.NEWS,
    "statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "consultation": DocType.CONSULTATION,
    "call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "statistical_data_set": DocType.STATISTICS,
}
# Display types as GOV.UK shows them (Search API `display_type`, organisation feed
# categories), lower-cased.
DISPLAY_TYPES: dict[str, DocType] = {
    "news story": DocType.NEWS,
    "press release": DocType.NEWS,
    "speech": DocType.NEWS,
    "guidance": DocType.GUIDANCE,
    "detailed guide": DocType.GUIDANCE,
    "statutory guidance": DocType.STATUTORY_GUIDANCE,
    "open consultation": DocType.CONSULTATION,
    "closed consultation": DocType.CONSULTATION,
    "consultation outcome": DocType.CONSULTATION_RESPONSE,
    "foi release": DocType.TRANSPARENCY,
    "transparency data": DocType.TRANSPARENCY,
}
# An html_publication whose parent is unknown is the long-form text of a publication.
HTML_PUBLICATION_DEFAULT = DocType.REPORT

# Whitehall's statistics announcement display dates (alphagov/whitehall
# app/models/statistics_announcement_date.rb precisions: exact "20 January 2016 9:30am",
# one month "January 2016", two months "January to February 2016").
EXACT = re.compile(r"(\d{1,2} [A-Z][a-z]+ \d{4}) (\d{1,2})(?::(\d{2}))?([ap]m)", re.I)
DAY = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}", re.I)
MONTHS = re.compile(r"([A-Z][a-z]+)(?: (\d{4}))?(?: (?:to|and) [A-Z][a-z]+ \d{4})?$", re.I)
MONTH_RANGE = re.compile(r"([A-Z][a-z]+) (?:to|and) [A-Z][a-z]+ (\d{4})$", re.I)


@dataclass(frozen=True)
class AttachmentFact:
    url: str
    title: str | None = None
    media_type: str | None = None
    size: int | None = None


@dataclass
class Expected:
    """What one item must say. `None` is a fact ("no value"); `UNCHECKED` is no fact."""

    label: str  # the record's base path or link, for messages
    refused: bool = False  # the parser must not produce this item at all
    url: Any = UNCHECKED
    publisher: Any = UNCHECKED
    published: Any = UNCHECKED
    updated: Any = UNCHECKED
    change_note: Any = UNCHECKED
    doc_type: Any = UNCHECKED
    attachments: Any = UNCHECKED  # dict of match key -> AttachmentFact
    withdrawn: Any = UNCHECKED
    withdrawn_text: Any = UNCHECKED  # plain text the withdrawal reason must contain
    withdrawn_links: Any = UNCHECKED  # URLs of the explanation's links, kept in the reason
    flagged_withdrawn: Any = UNCHECKED  # True: withdrawn_reason must be set
    opens: Any = UNCHECKED
    closes: Any = UNCHECKED
    event_start: Any = UNCHECKED  # datetime, or (date, Precision) for a calendar date
    event_precision: Any = UNCHECKED
    release_state: Any = UNCHECKED
    extra: dict[str, Any] = field(default_factory=dict)


def instant(value: Any) -> datetime | None:
    """A GOV.UK timestamp (ISO 8601 with an offset or Z) as an aware datetime."""
    if not isinstance(value, str) or not value.strip():
        return None
    return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))


def text_of(fragment: str) -> str:
    """An HTML fragment's text, whitespace collapsed; link text stays in place."""
    return " ".join(BeautifulSoup(fragment, "html.parser").get_text(" ").split())


def words(text: str) -> str:
    """Text as its words only: URLs, punctuation and spacing dropped, so a reason that keeps a
    link as "text (URL)" still holds the explanation's words in order."""
    return " ".join(re.findall(r"[^\W_]+", re.sub(r"https?://\S+", " ", text)))


def absolute_url(base: str, href: str) -> str:
    return urljoin(base, href)


def attachment_key(url: str) -> str:
    """Attachments are matched on GOV.UK's hosts by path, elsewhere by the whole URL."""
    parts = urlsplit(url)
    if parts.hostname in GOVUK_HOSTS:
        return "govuk:" + parts.path
    return url


def organisation_title(entry: Any) -> str | None:
    # Some examples carry an entity in the title ("Innovation &amp; Skills"); the name is text.
    if isinstance(entry, dict) and entry.get("title"):
        return html.unescape(str(entry["title"]))
    return None


def map_type(document_type: str | None) -> DocType | None:
    return DOCUMENT_TYPES.get(document_type or "")


# Content API -------------------------------------------------------------------------------


def content_item(data: dict[str, Any]) -> Expected:
    """The facts of one Content API item (a publishing-api `frontend` example)."""
    details = data.get("details") or {}
    links = data.get("links") or {}
    base_path = str(data["base_path"])
    page = GOVUK + base_path
    exp = Expected(label=base_path)

    # URL: GOV.UK pages are https://www.gov.uk + base_path (the `web_url` every link expansion
    # carries in alphagov/publishing-api content_schemas; `base_path` is the routed path).
    exp.url = page

    # Publisher of record: the lead organisation is `primary_publishing_organisation`, else the
    # first of `organisations`, which Whitehall orders lead organisations first (alphagov/
    # govuk_publishing_components lib/govuk_publishing_components/presenters/meta_tags.rb reads
    # `primary_publishing_organisation` for govuk:primary-publishing-organisation; alphagov/
    # whitehall app/presenters/publishing_api/payload_builder/links.rb orders organisations).
    exp.publisher = UNCHECKED
    for group in ("primary_publishing_organisation", "organisations"):
        entries = links.get(group) or []
        if entries and organisation_title(entries[0]):
            exp.publisher = organisation_title(entries[0])
            break

    _content_dates(data, details, links, exp)
    exp.doc_type = _content_type(data, links)
    exp.attachments = _content_attachments(details, page)
    _withdrawal(data, exp)
    # Consultations and calls for evidence: `details.opening_date` and `details.closing_date`
    # (alphagov/publishing-api content_schemas dist/formats/consultation and
    # call_for_evidence; alphagov/government-frontend app/presenters/consultation_presenter.rb
    # shows "opens"/"closes" from them).
    if data.get("schema_name") in ("consultation", "call_for_evidence"):
        exp.opens = instant(details.get("opening_date"))
        exp.closes = instant(details.get("closing_date"))
    if data.get("schema_name") == "statistics_announcement":
        _announcement(data, details, exp)
    return exp


def _content_dates(
    data: dict[str, Any], details: dict[str, Any], links: dict[str, Any], exp: Expected
) -> None:
    stamped = [
        (when, h)
        for h in details.get("change_history") or []
        if isinstance(h, dict) and (when := instant(h.get("public_timestamp"))) is not None
    ]
    history = [h for _, h in sorted(stamped, key=lambda pair: pair[0])]
    if data.get("schema_name") == "html_publication":
        # An HTML publication shows its own `details.public_timestamp`, "Published" when
        # `details.first_published_version` is true, else "Updated" (alphagov/
        # government-frontend app/presenters/html_publication_presenter.rb, `last_changed`).
        # Without it, the item's `public_updated_at`, else the parent publication's.
        parent = (links.get("parent") or [{}])[0]
        stamp = (
            instant(details.get("public_timestamp"))
            or instant(data.get("public_updated_at"))
            or instant(parent.get("public_updated_at") if isinstance(parent, dict) else None)
        )
        if details.get("first_published_version") is False:
            exp.updated = stamp
        else:
            exp.published = stamp
        return
    if data.get("schema_name") == "statistics_announcement":
        # An announcement has no change history; its own dates are its release date (below).
        # A date change is an update (see _announcement).
        exp.published = instant(data.get("first_published_at"))
        return
    # Published: `details.first_public_at`, else the earliest change-history entry, else
    # `first_published_at`. alphagov/government-frontend app/presenters/content_item/
    # updatable.rb shows `details.first_public_at || first_published_at`; Whitehall writes
    # first_public_at as the first edition's public date (alphagov/whitehall
    # app/presenters/publishing_api/*_presenter.rb); and the frontends distrust
    # `first_published_at` ("does not have reliable data", government-frontend's specialist
    # document presenter), using the change history's first entry instead.
    exp.published = (
        instant(details.get("first_public_at"))
        or (instant(history[0]["public_timestamp"]) if history else None)
        or instant(data.get("first_published_at"))
    )
    # Updated: government-frontend's updatable.rb shows `public_updated_at` as "Last updated"
    # when it differs from first_public_at (`any_updates?`), with the change history beside
    # it. The oracle asks for more (issue #17): an update needs a change-history entry after
    # the first, whose note is the change note, so a republish that only moves
    # `public_updated_at` is no update, and a change note never comes without its date.
    if len(history) > 1:
        exp.updated = instant(data.get("public_updated_at")) or instant(
            history[-1]["public_timestamp"]
        )
        note = str(history[-1].get("note") or "").strip()
        exp.change_note = note if note and note != FIRST_PUBLISHED else UNCHECKED
    elif len(history) == 1:
        exp.updated = None
        exp.change_note = None


def _content_type(data: dict[str, Any], links: dict[str, Any]) -> DocType | None:
    document_type = data.get("document_type")
    if document_type == "html_publication":
        # The HTML version of a publication is that publication's type (its `links.parent`).
        parent = (links.get("parent") or [{}])[0]
        parent_type = parent.get("document_type") if isinstance(parent, dict) else None
        return map_type(parent_type) or HTML_PUBLICATION_DEFAULT
    return map_type(document_type)


def _content_attachments(details: dict[str, Any], page: str) -> dict[str, AttachmentFact]:
    """Every file the item carries, whatever the format GOV.UK used for it.

    - `details.attachments`: attachment objects (url, title, content_type, file_size;
      alphagov/publishing-api content_schemas formats shared/definitions
      `file_attachment_asset`, `html_attachment_asset`, `external_attachment_asset`).
    - `featured_attachments`, `final_outcome_attachments`, `public_feedback_attachments`,
      `outcome_attachments`: ids into `details.attachments` (same definitions).
    - `documents`, `final_outcome_documents`, `public_feedback_documents`,
      `outcome_documents`: legacy rendered HTML blocks (`section.attachment.embedded`, title
      link in `h2.title`; alphagov/whitehall app/views/documents/_attachment.html.erb).
    - attachment blocks inside `details.body` (the same markup, or the `gem-c-attachment`
      component of alphagov/govuk_publishing_components app/views/govuk_publishing_components/
      components/_attachment.html.erb).
    """
    found: dict[str, AttachmentFact] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for entry in details.get("attachments") or []:
        if isinstance(entry, dict):
            by_id[str(entry.get("id"))] = entry
            _add_object(found, entry, page)
    for group in (
        "featured_attachments",
        "final_outcome_attachments",
        "public_feedback_attachments",
        "outcome_attachments",
    ):
        for ref in details.get(group) or []:
            entry = ref if isinstance(ref, dict) else by_id.get(str(ref))
            if entry:
                _add_object(found, entry, page)
    fragments: list[str] = []
    for group in (
        "documents",
        "final_outcome_documents",
        "public_feedback_documents",
        "outcome_documents",
    ):
        fragments += [f for f in details.get(group) or [] if isinstance(f, str)]
    for part in ("body", "final_outcome_detail", "public_feedback_detail", "outcome_detail"):
        if isinstance(details.get(part), str):
            fragments.append(details[part])
    for fragment in fragments:
        for fact in blocks_in(fragment, page):
            found.setdefault(attachment_key(fact.url), fact)
    return found


def _add_object(found: dict[str, AttachmentFact], entry: dict[str, Any], page: str) -> None:
    url = entry.get("url")
    if not url:
        return
    size = entry.get("file_size")
    media_type = entry.get("content_type")
    if not media_type and entry.get("attachment_type") == "html":
        media_type = "text/html"
    fact = AttachmentFact(
        url=absolute_url(page, str(url)),
        title=str(entry["title"]) if entry.get("title") else None,
        media_type=str(media_type) if media_type else None,
        size=int(size) if isinstance(size, int) else None,
    )
    found[attachment_key(fact.url)] = fact


def blocks_in(fragment: str, page: str) -> list[AttachmentFact]:
    """Attachment blocks in rendered govspeak: the file's link and its title.

    The title is `h2.title` (a link to the file, or plain text when the block offers
    "Download CSV" and "View online" links instead; alphagov/whitehall
    app/views/documents/_attachment.html.erb), or the component's `__title`.
    """
    soup = BeautifulSoup(fragment, "html.parser")
    facts = []
    for block in soup.find_all(["section", "div"]):
        classes = set(block.get("class") or [])
        if not ({"attachment", "gem-c-attachment"} & classes):
            continue
        heading = block.select_one("h2.title, .gem-c-attachment__title")
        link = block.select_one(
            "h2.title a[href], .gem-c-attachment__title a[href], .download a[href]"
        )
        if not isinstance(link, Tag):
            continue
        title = " ".join(heading.get_text(" ").split()) if isinstance(heading, Tag) else ""
        facts.append(AttachmentFact(url=absolute_url(page, str(link["href"])), title=title or None))
    return facts


def _withdrawal(data: dict[str, Any], exp: Expected) -> None:
    # A withdrawn item carries `withdrawn_notice` {explanation (govspeak HTML), withdrawn_at}
    # (alphagov/publishing-api content_schemas shared definitions `withdrawn_notice`;
    # alphagov/government-frontend app/presenters/content_item/withdrawable.rb shows the
    # explanation and date). The explanation is kept as text, its links' text in place.
    notice = data.get("withdrawn_notice") or {}
    if isinstance(notice, dict) and notice.get("withdrawn_at"):
        exp.withdrawn = instant(notice.get("withdrawn_at"))
        explanation = notice.get("explanation")
        if isinstance(explanation, str):
            exp.withdrawn_text = text_of(explanation)
            exp.withdrawn_links = [
                str(a["href"])
                for a in BeautifulSoup(explanation, "html.parser").find_all("a", href=True)
            ]
    else:
        exp.withdrawn = None


def _announcement(data: dict[str, Any], details: dict[str, Any], exp: Expected) -> None:
    """A statistics announcement: statistics not out yet, or cancelled.

    alphagov/whitehall app/presenters/publishing_api/statistics_announcement_presenter.rb
    writes `display_date`, `state` (provisional / confirmed / cancelled), and for a
    cancellation `cancellation_reason` and `cancelled_at`, for a date change
    `previous_display_date` and `latest_change_note`; alphagov/government-frontend
    app/presenters/statistics_announcement_presenter.rb shows the release date with its state,
    the cancellation and its reason, and a changed release date with its note.
    """
    when = display_date(details.get("display_date"))
    if when is not None:
        exp.event_start, exp.event_precision = when
    state = details.get("state")
    exp.release_state = state if state in ("provisional", "confirmed", "cancelled") else UNCHECKED
    if state == "cancelled":
        exp.change_note = details.get("cancellation_reason")
        exp.updated = instant(details.get("cancelled_at")) or instant(data.get("public_updated_at"))
    elif details.get("previous_display_date"):
        exp.change_note = details.get("latest_change_note") or UNCHECKED
        exp.updated = instant(data.get("public_updated_at"))


def display_date(value: Any) -> tuple[Any, Precision] | None:
    """A Whitehall release display date: an exact London time, a day, or a month (the first
    month of a two-month window), returned as an instant or as (London date, precision)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = " ".join(value.split())
    exact = EXACT.fullmatch(text)
    if exact:
        day = datetime.strptime(exact.group(1), "%d %B %Y")
        hour = int(exact.group(2)) % 12 + (12 if exact.group(4).lower() == "pm" else 0)
        minute = int(exact.group(3) or 0)
        local = day.replace(hour=hour, minute=minute, tzinfo=LONDON)
        return local, Precision.NONE
    if DAY.fullmatch(text):
        return datetime.strptime(text, "%d %B %Y").date(), Precision.DAY
    window = MONTH_RANGE.fullmatch(text)
    if window:
        return datetime.strptime(
            f"1 {window.group(1)} {window.group(2)}", "%d %B %Y"
        ).date(), Precision.MONTH
    month = MONTHS.fullmatch(text)
    if month and month.group(2):
        return datetime.strptime(
            f"1 {month.group(1)} {month.group(2)}", "%d %B %Y"
        ).date(), Precision.MONTH
    return None


# Search API --------------------------------------------------------------------------------


def search_result(record: dict[str, Any]) -> Expected:
    """The facts of one Search API result (alphagov/search-api lib/search/presenters/
    result_presenter.rb; fields from config/schema/field_definitions.json)."""
    link = str(record.get("link") or "")
    exp = Expected(label=link)
    # URL: a result's `link` is a path on www.gov.uk. Search API itself prefixes "/" to a link
    # that has none (`temporarily_fix_link_field` in result_presenter.rb); a link that still
    # lacks it, or names another host, would make `https://www.gov.uk<link>` leave
    # www.gov.uk, so the item is refused.
    if link.startswith("/") and not link.startswith("//"):
        exp.url = GOVUK + link
    elif urlsplit(link).scheme == "https" and urlsplit(link).hostname == "www.gov.uk":
        exp.url = link
    else:
        exp.refused = True
        return exp
    # Publisher of record: the first of `organisations`, expanded from slugs to organisation
    # objects with `title` (lib/search/presenters/entity_expander.rb).
    orgs = record.get("organisations") or []
    exp.publisher = organisation_title(orgs[0]) if orgs else UNCHECKED
    # Dates: `public_timestamp` is the last major change. It is an update when
    # `latest_change_note` says something other than "First published.", else (no note, or
    # the first-version note) the publication date. It is never dropped.
    stamp = instant(record.get("public_timestamp"))
    note = str(record.get("latest_change_note") or "").strip()
    if note and note != FIRST_PUBLISHED:
        exp.updated, exp.change_note = stamp, note
    else:
        exp.published = stamp
    exp.doc_type = search_type(record)
    # `is_withdrawn` (field_definitions.json) flags a withdrawn document; the notice itself is
    # only in the Content API.
    exp.flagged_withdrawn = bool(record.get("is_withdrawn"))
    if exp.doc_type is DocType.STATISTICS_ANNOUNCEMENT:
        # Announcements are indexed with `release_timestamp`, `statistics_announcement_state`
        # and `metadata` {display_date, confirmed, cancellation_reason, …} (alphagov/whitehall
        # app/models/statistics_announcement.rb `searchable`).
        metadata = record.get("metadata") or {}
        when = display_date(metadata.get("display_date"))
        if when is not None:
            exp.event_start, exp.event_precision = when
        state = record.get("statistics_announcement_state")
        exp.release_state = (
            state if state in ("provisional", "confirmed", "cancelled") else UNCHECKED
        )
        if state == "cancelled" and metadata.get("cancellation_reason"):
            exp.change_note = metadata["cancellation_reason"]
            exp.updated = instant(metadata.get("cancelled_at")) or stamp
            exp.published = UNCHECKED
        elif metadata.get("previous_display_date") and metadata.get("change_note"):
            # A changed release date is an update, with the note saying why.
            exp.change_note = metadata["change_note"]
            exp.updated = stamp
            exp.published = UNCHECKED
    return exp


def search_type(record: dict[str, Any]) -> DocType | None:
    """`content_store_document_type`, else the edition `format`, else the `display_type`.

    The result's own `document_type` is the Elasticsearch type ("edition"; add_debug_values in
    result_presenter.rb) unless it names a content type, so it is read after the others.
    """
    for name in (record.get("content_store_document_type"), record.get("document_type")):
        mapped = map_type(name)
        if mapped:
            return mapped
    mapped = FORMATS.get(str(record.get("format") or ""))
    if mapped:
        return mapped
    return DISPLAY_TYPES.get(str(record.get("display_type") or "").lower())


def calendar_day(value: datetime) -> date:
    """The London calendar date an instant falls on."""
    return value.astimezone(LONDON).date()
