"""GOV.UK's document types → the controlled list, with where each one's meaning comes from.

GOV.UK names a document's type in three vocabularies:
- the content-store `document_type` (Content API `document_type`, Search API
  `content_store_document_type`, and usually Search API `document_type` too);
- the schema or format (`schema_name` on the Content API, `format` on the Search API), coarser:
  a `publication` may be a report, guidance or a form;
- the display type shown to readers (Search API `display_type`, the organisation Atom feed's
  `<category>` and its title prefix "<display type>: ").
Each type's meaning follows the purpose groups of alphagov/govuk_document_types
`data/supertypes.yml` (`content_purpose_subgroup`): e.g. `call_for_evidence_outcome` sits in
`calls_for_evidence`, `government_response` in `speeches_and_statements` (a news-article reply,
not a consultation response), `foi_release` in `freedom_of_information_releases`, `notice` in
`guidance`, and the three `*statistics_announcement` types in `statistics`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from aggregator.schema import DocType

_CONTENT_STORE: dict[str, DocType] = {
    # subgroup consultations (policy_and_engagement); the outcome is the government's response
    "open_consultation": DocType.CONSULTATION,
    "closed_consultation": DocType.CONSULTATION,
    # an unopened consultation (alphagov/publishing-api content_schemas/formats/consultation)
    "consultation": DocType.CONSULTATION,
    "consultation_outcome": DocType.CONSULTATION_RESPONSE,
    # subgroup calls_for_evidence; `call_for_evidence` is the unopened one
    # (content_schemas/formats/call_for_evidence.jsonnet)
    "call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "open_call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "closed_call_for_evidence": DocType.CALL_FOR_EVIDENCE,
    "call_for_evidence_outcome": DocType.CALL_FOR_EVIDENCE,
    # subgroup guidance (guidance_and_regulation)
    "guidance": DocType.GUIDANCE,
    "detailed_guide": DocType.GUIDANCE,
    "manual": DocType.GUIDANCE,
    "manual_section": DocType.GUIDANCE,
    "hmrc_manual": DocType.GUIDANCE,
    "notice": DocType.GUIDANCE,
    "regulation": DocType.GUIDANCE,
    "statutory_guidance": DocType.STATUTORY_GUIDANCE,
    "promotional": DocType.GUIDANCE,
    # subgroup transactions
    "form": DocType.RESOURCE,
    # subgroup research
    "research": DocType.REPORT,
    "independent_report": DocType.REPORT,
    # subgroup policy
    "policy_paper": DocType.POLICY_PAPER,
    "impact_assessment": DocType.POLICY_PAPER,
    # subgroups news and speeches_and_statements
    "news_story": DocType.NEWS,
    "press_release": DocType.NEWS,
    "world_news_story": DocType.NEWS,
    "case_study": DocType.NEWS,
    "speech": DocType.NEWS,
    "written_statement": DocType.NEWS,
    "oral_statement": DocType.NEWS,
    "authored_article": DocType.NEWS,
    "correspondence": DocType.NEWS,
    "government_response": DocType.NEWS,
    # subgroup statistics: published statistics, and announcements of statistics to come
    "official_statistics": DocType.STATISTICS,
    "national_statistics": DocType.STATISTICS,
    "statistics": DocType.STATISTICS,
    "statistical_data_set": DocType.STATISTICS,
    "statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "official_statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "national_statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
    # subgroups transparency_data (with corporate reports: annual reports and accounts,
    # departmental plans) and freedom_of_information_releases
    "transparency": DocType.TRANSPARENCY,
    "corporate_report": DocType.TRANSPARENCY,
    "foi_release": DocType.TRANSPARENCY,
    # an HTML publication whose parent is unknown (the parent's type is used when the Content
    # API links it: alphagov/government-frontend app/presenters/html_publication_presenter.rb)
    "html_publication": DocType.REPORT,
}

# Schema names (Content API `schema_name`) and Search API `format` values that say the type on
# their own. `publication` does not (its document_type does).
_FORMATS: dict[str, DocType] = {
    "news_article": DocType.NEWS,
    "detailed_guidance": DocType.GUIDANCE,
    "statistics_announcement": DocType.STATISTICS_ANNOUNCEMENT,
}

# Display types (the Atom feed's categories, Search API display_type), lower-cased.
_DISPLAY: dict[str, DocType] = {
    "consultation outcome": DocType.CONSULTATION_RESPONSE,
    "open consultation": DocType.CONSULTATION,
    "closed consultation": DocType.CONSULTATION,
    "call for evidence": DocType.CALL_FOR_EVIDENCE,
    "open call for evidence": DocType.CALL_FOR_EVIDENCE,
    "closed call for evidence": DocType.CALL_FOR_EVIDENCE,
    "call for evidence outcome": DocType.CALL_FOR_EVIDENCE,
    "statutory guidance": DocType.STATUTORY_GUIDANCE,
    "detailed guide": DocType.GUIDANCE,
    "notice": DocType.GUIDANCE,
    "regulation": DocType.GUIDANCE,
    "form": DocType.RESOURCE,
    "promotional material": DocType.GUIDANCE,
    "research and analysis": DocType.REPORT,
    "independent report": DocType.REPORT,
    "corporate report": DocType.TRANSPARENCY,
    "policy paper": DocType.POLICY_PAPER,
    "impact assessment": DocType.POLICY_PAPER,
    "news story": DocType.NEWS,
    "press release": DocType.NEWS,
    "world news story": DocType.NEWS,
    "case study": DocType.NEWS,
    "speech": DocType.NEWS,
    "written statement to parliament": DocType.NEWS,
    "oral statement to parliament": DocType.NEWS,
    "authored article": DocType.NEWS,
    "correspondence": DocType.NEWS,
    "government response": DocType.NEWS,
    "official statistics": DocType.STATISTICS,
    "national statistics": DocType.STATISTICS,
    "accredited official statistics": DocType.STATISTICS,
    "statistical data set": DocType.STATISTICS,
    "statistics announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "official statistics announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "national statistics announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "transparency data": DocType.TRANSPARENCY,
    "foi release": DocType.TRANSPARENCY,
    "freedom of information release": DocType.TRANSPARENCY,
}

DOCUMENT_TYPES: Mapping[str, DocType] = {**_DISPLAY, **_FORMATS, **_CONTENT_STORE}

URL_SERIES = (
    (re.compile(r"^/government/consultations/"), DocType.CONSULTATION),
    (re.compile(r"^/government/calls-for-evidence/"), DocType.CALL_FOR_EVIDENCE),
    # announcements live under /government/statistics/announcements/ (publishing-api examples)
    (re.compile(r"^/government/statistics/announcements/"), DocType.STATISTICS_ANNOUNCEMENT),
    (re.compile(r"^/government/statistics/"), DocType.STATISTICS),
    (re.compile(r"^/government/(news|speeches)/"), DocType.NEWS),
    (re.compile(r"^/guidance/"), DocType.GUIDANCE),
)

# A content-store document type is written in snake case; anything else is a display type.
CONTENT_STORE_TYPE = re.compile(r"[a-z_]+")
# Search API `document_type` is the search index's own type for older documents ("edition",
# alphagov/search-api lib/search/presenters/result_presenter.rb), which says nothing.
INDEX_TYPES = frozenset({"edition"})


def first_known(labels: Iterable[object]) -> str | None:
    """The first label GOV.UK's tables know, else the first non-empty one, else None.

    Callers pass the labels most specific first (content-store type, display type, format).
    """
    present = [
        str(label).strip()
        for label in labels
        if isinstance(label, str) and label.strip() and label.strip() not in INDEX_TYPES
    ]
    for label in present:
        if label.lower() in DOCUMENT_TYPES:
            return label
    return present[0] if present else None
