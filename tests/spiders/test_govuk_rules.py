"""GOV.UK's own rules, one at a time, on small Content API and Search API records.

Every record here is written for the test (invented titles and ids); the field names and
shapes are GOV.UK's (alphagov/publishing-api content_schemas, alphagov/search-api).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from aggregator.parse.offline import OfflineResult, parse_saved
from aggregator.schema import DocType, Item, Precision
from spiders.govuk import OFF_SITE
from spiders.govuk_attachments import human_size, media_type_for
from spiders.govuk_content import release

FETCHED = datetime(2024, 6, 3, 9, tzinfo=UTC)
SEARCH = "https://www.gov.uk/api/search.json?filter_organisations=home-office"
LEAD = {"title": "Department for Education", "base_path": "/government/organisations/dfe"}
OTHER = {"title": "Home Office", "base_path": "/government/organisations/home-office"}


def content(**fields: Any) -> dict[str, Any]:
    """A Content API item with the fields every test needs, and `fields` on top."""
    item: dict[str, Any] = {
        "base_path": "/government/publications/a-made-up-document",
        "content_id": "00000000-0000-4000-8000-000000000001",
        "title": "A made-up document",
        "description": "Written for a test.",
        "document_type": "guidance",
        "schema_name": "publication",
        "locale": "en",
        "details": {},
        "links": {},
    }
    item.update(fields)
    return item


def parse_content(data: dict[str, Any]) -> OfflineResult:
    url = "https://www.gov.uk/api/content" + data["base_path"]
    return parse_saved("home_office", json.dumps(data).encode(), url, FETCHED)


def one(data: dict[str, Any]) -> Item:
    result = parse_content(data)
    assert not result.dropped, result.dropped
    [item] = result.items
    return item


def search(*results: dict[str, Any]) -> OfflineResult:
    body = json.dumps({"results": list(results), "total": len(results), "start": 0})
    return parse_saved("home_office", body.encode(), SEARCH, FETCHED)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# 1. Publisher of record ------------------------------------------------------------------------


def test_content_api_credits_the_primary_publishing_organisation_and_keeps_the_source() -> None:
    item = one(
        content(links={"primary_publishing_organisation": [LEAD], "organisations": [OTHER, LEAD]})
    )
    assert item.publisher == "Department for Education"
    assert item.source == "home_office"
    assert item.provenance[0].source == "home_office"


def test_content_api_without_a_lead_credits_the_first_organisation() -> None:
    assert one(content(links={"organisations": [LEAD, OTHER]})).publisher == LEAD["title"]


def test_content_api_without_organisations_credits_the_registry_publisher() -> None:
    assert one(content()).publisher == "Home Office"


def test_search_api_credits_the_first_organisation() -> None:
    result = search(
        {
            "link": "/government/news/a-made-up-story",
            "title": "A made-up story",
            "public_timestamp": "2024-05-02T10:00:00+01:00",
            "latest_change_note": "First published.",
            "organisations": [{"slug": "dfe", **LEAD}, {"slug": "home-office", **OTHER}],
        }
    )
    [item] = result.items
    assert (item.publisher, item.source) == ("Department for Education", "home_office")


# 2. Dates --------------------------------------------------------------------------------------


def test_published_is_first_public_at_not_first_published_at() -> None:
    item = one(
        content(
            first_published_at="2020-01-15T09:00:00Z",  # a migration date
            details={"first_public_at": "2013-03-04T10:00:00+00:00"},
        )
    )
    assert item.published == utc(2013, 3, 4, 10)


def test_without_first_public_at_the_oldest_change_history_entry_is_publication() -> None:
    history = [  # newest first here; GOV.UK does not promise an order
        {"public_timestamp": "2019-07-01T12:00:00+01:00", "note": "Added the 2019 figures."},
        {"public_timestamp": "2018-02-01T09:00:00Z", "note": "First published."},
    ]
    item = one(
        content(
            first_published_at="2021-06-30T08:00:00Z",
            public_updated_at="2019-07-01T12:00:00+01:00",
            details={"change_history": list(reversed(history))},
        )
    )
    assert item.published == utc(2018, 2, 1, 9)
    # The note comes with its own date.
    assert (item.updated, item.change_note) == (utc(2019, 7, 1, 11), "Added the 2019 figures.")


def test_first_published_at_is_the_last_resort() -> None:
    assert one(content(first_published_at="2022-11-09T10:00:00Z")).published == utc(2022, 11, 9, 10)


def test_an_item_updated_without_history_is_updated_without_a_note() -> None:
    item = one(
        content(
            public_updated_at="2024-02-01T10:00:00Z",
            details={"first_public_at": "2023-01-05T10:00:00Z"},
        )
    )
    assert (item.updated, item.change_note) == (utc(2024, 2, 1, 10), None)


def test_html_publication_is_dated_by_its_own_public_timestamp() -> None:
    item = one(
        content(
            schema_name="html_publication",
            document_type="html_publication",
            first_published_at="2023-09-01T00:00:00Z",  # the day it was withdrawn
            details={"public_timestamp": "2017-02-03T17:29:52.000+00:00"},
        )
    )
    assert item.published == utc(2017, 2, 3, 17, 29, 52)


def test_html_publication_without_its_own_timestamp_takes_its_parents() -> None:
    parent = {"document_type": "research", "public_updated_at": "2018-05-10T09:30:00Z"}
    item = one(
        content(schema_name="html_publication", document_type="html_publication",
                links={"parent": [parent]})
    )  # fmt: skip
    assert item.published == utc(2018, 5, 10, 9, 30)
    assert item.doc_type == DocType.REPORT  # the parent's type


@pytest.mark.parametrize(
    ("note", "published", "updated", "change_note"),
    [
        ("First published.", utc(2024, 5, 2, 9), None, None),
        # No note in the result: the rule takes the timestamp as the publication.
        (None, utc(2024, 5, 2, 9), None, None),
        ("Added the annex.", None, utc(2024, 5, 2, 9), "Added the annex."),
    ],
)
def test_search_api_public_timestamp_is_kept_by_the_documented_rule(
    note: str | None, published: datetime | None, updated: datetime | None, change_note: str | None
) -> None:
    record: dict[str, Any] = {
        "link": "/government/publications/a-made-up-document",
        "title": "A made-up document",
        "public_timestamp": "2024-05-02T10:00:00+01:00",
    }
    if note is not None:
        record["latest_change_note"] = note
    [item] = search(record).items
    assert (item.published, item.updated, item.change_note) == (published, updated, change_note)


# 3. Attachments --------------------------------------------------------------------------------

FILE = {
    "attachment_type": "file",
    "id": "a1",
    "title": "The response",
    "url": "https://assets.publishing.service.gov.uk/media/1/response.pdf",
    "content_type": "application/pdf",
    "file_size": 20480,
}
HTML_VERSION = {
    "attachment_type": "html",
    "id": "a2",
    "title": "The response (accessible)",
    "url": "https://www.gov.uk/government/consultations/x/outcome/the-response",
}
LEGACY_BLOCK = """<section class="attachment embedded" id="attachment_9">
  <div class="attachment-details">
    <h2 class="title"><a href="/government/uploads/system/uploads/attachment_data/file/9/responses.zip">Responses received</a></h2>
    <p class="metadata"><span class="type"><abbr title="Zip archive">ZIP</abbr></span>, <span class="file-size">1.5MB</span></p>
  </div>
</section>"""  # noqa: E501
COMPONENT_BLOCK = """<section class="gem-c-attachment">
  <div class="gem-c-attachment__details">
    <h3 class="gem-c-attachment__title"><a class="govuk-link" href="https://assets.publishing.service.gov.uk/media/7/tables.ods">Data tables</a></h3>
    <p class="gem-c-attachment__metadata"><span class="gem-c-attachment__attribute"><abbr title="OpenDocument Spreadsheet" class="gem-c-attachment__abbr">ODS</abbr></span>, <span class="gem-c-attachment__attribute">12 KB</span></p>
  </div>
</section>"""  # noqa: E501


def test_every_attachment_format_is_read_once() -> None:
    item = one(
        content(
            document_type="consultation_outcome",
            schema_name="consultation",
            details={
                "body": f"<p>We asked about one thing.</p>{COMPONENT_BLOCK}<p>Thanks.</p>",
                "attachments": [FILE, HTML_VERSION],
                "final_outcome_attachments": ["a2", "a1"],
                "featured_attachments": ["a1"],
                "public_feedback_documents": [LEGACY_BLOCK],
            },
        )
    )
    assert [(a.title, a.media_type, a.size) for a in item.attachments] == [
        ("The response (accessible)", "text/html", None),
        ("The response", "application/pdf", 20480),
        ("Responses received", "application/zip", 1572864),
        ("Data tables", "application/vnd.oasis.opendocument.spreadsheet", 12288),
    ]
    assert item.attachments[2].url == (
        "https://www.gov.uk/government/uploads/system/uploads/attachment_data/file/9/responses.zip"
    )


def test_attachment_blocks_in_the_body_stay_out_of_the_main_text() -> None:
    result = parse_content(content(details={"body": f"<p>Before.</p>{LEGACY_BLOCK}<p>After.</p>"}))
    assert result.main_texts == ["Before.\nAfter."]
    assert [a.title for a in result.items[0].attachments] == ["Responses received"]


def test_attachments_of_another_language_belong_to_the_translation() -> None:
    welsh = {**FILE, "id": "a3", "url": "https://assets.publishing.service.gov.uk/cy.pdf"}
    item = one(content(details={"attachments": [FILE, {**welsh, "locale": "cy"}]}))
    assert [a.url for a in item.attachments] == [FILE["url"]]


@pytest.mark.parametrize(
    ("text", "size"), [("277KB", 283648), ("1.2 MB", 1258291), ("95 bytes", 95), ("n/a", None)]
)
def test_sizes_as_gov_uk_prints_them(text: str, size: int | None) -> None:
    assert human_size(text) == size


def test_media_type_from_the_extension_then_the_shown_name() -> None:
    assert media_type_for("https://x/y/file.xlsx") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert media_type_for("https://x/y/file", "MS Word Document") == "application/msword"


# 4. Statistics announcements -------------------------------------------------------------------


def announcement(
    details: dict[str, Any], document_type: str = "official_statistics_announcement"
) -> dict[str, Any]:
    return content(
        base_path="/government/statistics/announcements/made-up-figures",
        schema_name="statistics_announcement",
        document_type=document_type,
        public_updated_at="2024-05-20T10:00:00Z",
        details={"format_sub_type": "official", **details},
    )


def test_a_confirmed_release_is_an_exact_event() -> None:
    item = one(announcement({"display_date": "20 June 2024 9:30am", "state": "confirmed"}))
    assert item.doc_type == DocType.STATISTICS_ANNOUNCEMENT
    assert (item.event_start, item.event_precision) == (utc(2024, 6, 20, 8, 30), Precision.NONE)
    assert item.release_state == "confirmed"


@pytest.mark.parametrize("display", ["July 2024", "July to August 2024"])
def test_a_provisional_release_is_known_to_the_month(display: str) -> None:
    item = one(
        announcement({"display_date": display, "state": "provisional"},
                     "national_statistics_announcement")
    )  # fmt: skip
    assert item.doc_type == DocType.STATISTICS_ANNOUNCEMENT  # never published statistics
    assert item.event_precision == Precision.MONTH
    assert item.event_start is not None and (item.event_start.month, item.event_start.day) in {
        (6, 30),
        (7, 1),
    }  # 1 July in London, whichever way the date is stored
    assert item.release_state == "provisional"


def test_a_cancellation_is_flagged_with_its_reason_as_an_update() -> None:
    item = one(
        announcement(
            {
                "display_date": "20 June 2024 9:30am",
                "state": "cancelled",
                "cancelled_at": "2024-05-28T14:00:00Z",
                "cancellation_reason": "The survey was not run this year.",
            }
        )
    )
    assert item.release_state == "cancelled"
    assert item.change_note == "Cancelled: The survey was not run this year."
    assert item.updated == utc(2024, 5, 28, 14)


def test_a_changed_release_date_is_an_update_naming_both_dates() -> None:
    item = one(
        announcement(
            {
                "display_date": "27 June 2024 9:30am",
                "previous_display_date": "20 June 2024 9:30am",
                "latest_change_note": "Moved to allow more checks.",
                "state": "confirmed",
            }
        )
    )
    assert item.change_note == (
        "Release date changed from 20 June 2024 9:30am to 27 June 2024 9:30am: "
        "Moved to allow more checks."
    )
    assert item.updated == utc(2024, 5, 20, 10)


def test_a_release_date_in_no_known_form_falls_back_to_the_release_timestamp() -> None:
    found = release(
        {"details": {"display_date": "soon", "release_timestamp": "2024-09-01T09:30:00+01:00"}}
    )
    assert (found.date, found.precision) == ("2024-09-01T09:30:00+01:00", None)


# 5. Document types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document_type", "schema", "expected"),
    [
        ("open_call_for_evidence", "call_for_evidence", DocType.CALL_FOR_EVIDENCE),
        ("call_for_evidence_outcome", "call_for_evidence", DocType.CALL_FOR_EVIDENCE),
        ("call_for_evidence", "call_for_evidence", DocType.CALL_FOR_EVIDENCE),
        ("consultation", "consultation", DocType.CONSULTATION),
        ("foi_release", "publication", DocType.TRANSPARENCY),
        ("transparency", "publication", DocType.TRANSPARENCY),
        ("notice", "publication", DocType.GUIDANCE),
        ("government_response", "news_article", DocType.NEWS),
        ("national_statistics_announcement", "statistics_announcement",
         DocType.STATISTICS_ANNOUNCEMENT),
        ("official", "statistics_announcement", DocType.STATISTICS_ANNOUNCEMENT),
        ("statistical_data_set", "statistical_data_set", DocType.STATISTICS),
        ("html_publication", "html_publication", DocType.REPORT),
    ],
)  # fmt: skip
def test_gov_uk_document_types(document_type: str, schema: str, expected: DocType) -> None:
    details = {"display_date": "July 2024", "state": "provisional"}
    extra = {"details": details} if schema == "statistics_announcement" else {}
    item = one(content(document_type=document_type, schema_name=schema, **extra))
    assert item.doc_type == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"content_store_document_type": "closed_call_for_evidence"}, DocType.CALL_FOR_EVIDENCE),
        ({"document_type": "foi_release"}, DocType.TRANSPARENCY),
        ({"document_type": "edition", "format": "statistics_announcement"},
         DocType.STATISTICS_ANNOUNCEMENT),
        ({"display_type": "Transparency data"}, DocType.TRANSPARENCY),
    ],
)  # fmt: skip
def test_search_api_types_from_any_of_its_type_fields(
    fields: dict[str, str], expected: DocType
) -> None:
    record = {"link": "/government/publications/x", "title": "X", **fields}
    [item] = search(record).items
    assert item.doc_type == expected


# 6. Withdrawal ---------------------------------------------------------------------------------


def test_withdrawal_keeps_its_time_and_explanation_with_links() -> None:
    notice = {
        "withdrawn_at": "2024-04-02T11:15:00Z",
        "explanation": '<div class="govspeak"><p>Replaced by <a href="/guidance/new-rules">the '
        "new rules</a>.</p></div>",
    }
    item = one(content(withdrawn_notice=notice))
    assert item.withdrawn == utc(2024, 4, 2, 11, 15)
    assert item.withdrawn_reason == (
        "Replaced by the new rules (https://www.gov.uk/guidance/new-rules)."
    )


def test_an_empty_withdrawn_notice_is_no_withdrawal() -> None:
    assert one(content(withdrawn_notice={})).withdrawn is None


# 7. URLs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link", ["evil.example/government/x", "https://evil.example/x", "//evil.example/x"]
)
def test_a_search_api_link_off_gov_uk_is_refused_with_a_counted_reason(link: str) -> None:
    result = search({"link": link, "title": "Looks official"})
    assert result.items == []
    assert result.dropped == [(OFF_SITE, link)]


def test_an_absolute_link_to_www_gov_uk_stays_on_the_site() -> None:
    result = search({"link": "https://www.gov.uk/guidance/a-made-up-guide", "title": "A guide"})
    assert [i.url for i in result.items] == ["https://www.gov.uk/guidance/a-made-up-guide"]


# 8. Consultations ------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["consultation", "call_for_evidence"])
def test_consultations_keep_their_opening_and_closing_dates(schema: str) -> None:
    item = one(
        content(
            document_type=f"open_{schema}",
            schema_name=schema,
            details={
                "opening_date": "2024-05-01T10:00:00+01:00",
                "closing_date": "2024-06-12T23:59:00+01:00",
            },
        )
    )
    assert (item.opens, item.closes) == (utc(2024, 5, 1, 9), utc(2024, 6, 12, 22, 59))


# 9. The generic feed path ----------------------------------------------------------------------

ORG_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
  <id>tag:www.gov.uk,2005:/government/organisations/made-up-agency</id>
  <link rel="alternate" type="text/html" href="https://www.gov.uk/government/organisations/made-up-agency"/>
  <title>Made-up Agency - Activity on GOV.UK</title>
  <updated>2024-05-30T08:30:00Z</updated>
  <entry>
    <id>https://www.gov.uk/guidance/a-made-up-guide#2024-05-30T08:30:00Z</id>
    <updated>2024-05-30T08:30:00Z</updated>
    <link rel="alternate" type="text/html" href="https://www.gov.uk/guidance/a-made-up-guide"/>
    <title>Guidance: A made-up guide</title>
    <category label="Guidance" term="Guidance"/>
    <summary>Written for a test.</summary>
  </entry>
</feed>"""  # noqa: E501


def test_a_gov_uk_organisation_feed_read_as_any_feed() -> None:
    url = "https://www.gov.uk/government/organisations/made-up-agency.atom"
    [item] = parse_saved("feed", ORG_FEED, url, FETCHED).items
    assert item.title == "A made-up guide"
    assert item.publisher == "Made-up Agency"
    assert item.doc_type == DocType.GUIDANCE
    assert item.aliases == []  # the entry id changes with every update


def test_a_topical_event_feed_is_not_an_organisation() -> None:
    body = ORG_FEED.replace(b"organisations/made-up-agency", b"topical-events/made-up-event")
    url = "https://www.gov.uk/government/topical-events/made-up-event.atom"
    [item] = parse_saved("feed", body, url, FETCHED).items
    assert item.publisher != "Made-up Agency"
    assert item.title == "A made-up guide"
