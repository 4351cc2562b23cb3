"""Document type and UK nations from what the publisher states.

The publisher's own label (a GOV.UK `content_store_document_type` or display type, an NSPCC
"Topics:" value, an Internet Matters hub section) is mapped through one table; title cues and
URL series fill in where a site gives no label.
"""

from __future__ import annotations

import re

from aggregator.schema import DocType

# Publisher labels, lower-cased, to the controlled list. GOV.UK groupings follow
# alphagov/govuk_document_types supertypes (sources.md §8.2).
TYPE_LABELS: dict[str, DocType] = {
    # GOV.UK content_store_document_type
    "consultation_outcome": DocType.CONSULTATION_RESPONSE,
    "open_consultation": DocType.CONSULTATION,
    "closed_consultation": DocType.CONSULTATION,
    "consultation": DocType.CONSULTATION,
    "guidance": DocType.GUIDANCE,
    "detailed_guide": DocType.GUIDANCE,
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
    # GOV.UK display types (organisation Atom feed categories)
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
    # NSPCC "Topics:" values and series
    "news": DocType.NEWS,
    "blog": DocType.NEWS,
    "podcast": DocType.PODCAST,
    "learning-from-case-reviews": DocType.BRIEFING,
    "practice-points-series": DocType.BRIEFING,
    "research-resources": DocType.REPORT,
    # Internet Matters hub sections
    "hub-research": DocType.REPORT,
    "hub-guidance": DocType.GUIDANCE,
    "hub-news-blogs": DocType.NEWS,
    "hub-esafety-news": DocType.NEWS,
    # UK Trauma Council
    "resource": DocType.RESOURCE,
    "event": DocType.EVENT,
    "webinar": DocType.EVENT,
    # Generic
    "report": DocType.REPORT,
    "evaluation": DocType.EVALUATION,
    "statistics": DocType.STATISTICS,
}

TITLE_CUES: tuple[tuple[re.Pattern[str], DocType], ...] = (
    (re.compile(r":\s*CASPAR briefing\s*$", re.I), DocType.BRIEFING),
    (re.compile(r"learning from case reviews", re.I), DocType.BRIEFING),
    (re.compile(r"^podcast:", re.I), DocType.PODCAST),
    (re.compile(r"\bwebinar\b", re.I), DocType.EVENT),
    (re.compile(r"\bevaluation\b", re.I), DocType.EVALUATION),
)


def doc_type(type_hint: str | None, title: str = "") -> DocType:
    """The controlled document type for a publisher's label, else a title cue, else OTHER."""
    if type_hint:
        found = TYPE_LABELS.get(type_hint.strip().lower())
        if found:
            return found
    for pattern, kind in TITLE_CUES:
        if pattern.search(title):
            return kind
    return DocType.OTHER


NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")


def nations(hints: list[str]) -> list[str]:
    """The UK nations the publisher says an item applies to, in a fixed order.

    All four nations together are reported as UK-wide.
    """
    wanted = {h.strip().lower() for h in hints}
    found = [n for n in NATIONS if n.lower() in wanted]
    if len(found) == len(NATIONS) or "uk-wide" in wanted or "united kingdom" in wanted:
        return ["UK-wide"]
    return found
