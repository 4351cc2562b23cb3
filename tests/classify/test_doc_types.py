"""Document types, table-driven: each source's parser resolves its labels and URL series
(spiders/), classification refines the hint with title cues and knows no source itself."""

from __future__ import annotations

import pytest

from aggregator.classify.doc_types import decide_doc_type
from aggregator.fetch.spider_loader import resolve_type
from aggregator.schema import DocType


def decide(label: str | None, title: str, url: str, source: str) -> tuple[DocType, str]:
    """The document type of an item of `source`, as a crawl decides it: the source's parser
    reads the label (else the URL series), classification refines it by the title."""
    hint = resolve_type(source, label, url)
    if hint is None:
        return decide_doc_type(title, label=label)
    return decide_doc_type(title, hint[0], hint[1], label)


@pytest.mark.parametrize(
    ("hint", "title", "url", "source", "expected", "evidence"),
    [
        # GOV.UK content_store_document_type and display types
        (
            "consultation_outcome",
            "Child sexual abuse: mandatory reporting",
            "https://www.gov.uk/government/consultations/x",
            "home_office",
            DocType.CONSULTATION_RESPONSE,
            "GOV.UK content_store_document_type=consultation_outcome",
        ),
        (
            "statutory_guidance",
            "X",
            "https://www.gov.uk/government/publications/x",
            "dhsc",
            DocType.STATUTORY_GUIDANCE,
            "GOV.UK content_store_document_type=statutory_guidance",
        ),
        (
            "Press release",
            "X",
            "https://www.gov.uk/government/news/x",
            "home_office",
            DocType.NEWS,
            "GOV.UK display type 'Press release'",
        ),
        (
            "research",
            "Evaluation of the Serious Violence Duty",
            "https://www.gov.uk/x",
            "home_office",
            DocType.EVALUATION,
            "title cue 'evaluation'",
        ),
        # NSPCC Topics and URL series, and the CASPAR title cue
        (
            "Podcast",
            "Podcast: Neglect",
            "https://learning.nspcc.org.uk/news/2024/may/x",
            "nspcc",
            DocType.PODCAST,
            "NSPCC Topics: Podcast",
        ),
        (
            "News",
            "Webinar: safeguarding disabled children",
            "https://learning.nspcc.org.uk/news/2024/may/x",
            "nspcc",
            DocType.EVENT,
            "title cue 'webinar",
        ),
        (
            "learning-from-case-reviews",
            "Neglect: learning from case reviews",
            "https://learning.nspcc.org.uk/research-resources/learning-from-case-reviews/neglect",
            "nspcc",
            DocType.BRIEFING,
            "NSPCC URL series learning-from-case-reviews",
        ),
        (
            "research-resources",
            "Annual report 2022 to 2023: CASPAR briefing",
            "https://learning.nspcc.org.uk/research-resources/2023/x",
            "nspcc",
            DocType.BRIEFING,
            "title cue ': CASPAR briefing'",
        ),
        (
            None,
            "What helps?",
            "https://learning.nspcc.org.uk/research-resources/practice-points-series/x",
            "nspcc",
            DocType.BRIEFING,
            "URL series",
        ),
        (
            "research-resources",
            "Statistics briefing: child deaths",
            "https://learning.nspcc.org.uk/research-resources/2024/x",
            "nspcc",
            DocType.STATISTICS,
            "title cue 'statistics'",
        ),
        # Internet Matters hub sections
        (
            "hub-research",
            "Index report",
            "https://www.internetmatters.org/hub/research/x/",
            "internet_matters",
            DocType.REPORT,
            "Internet Matters hub section hub-research",
        ),
        (
            None,
            "A guide",
            "https://www.internetmatters.org/hub/guidance/x/",
            "internet_matters",
            DocType.GUIDANCE,
            "Internet Matters hub section guidance",
        ),
        # No section is listed: a new one is read by its plain words
        (
            "press-release",
            "Internet Matters launches new index",
            "https://www.internetmatters.org/hub/press-release/x/",
            "internet_matters",
            DocType.NEWS,
            "Internet Matters hub section press-release",
        ),
        # UK Trauma Council paths
        (
            "resource",
            "Recording: Unpacking Complex Trauma webinar",
            "https://uktraumacouncil.org/resource/x",
            "uk_trauma_council",
            DocType.RESOURCE,
            "UK Trauma Council page kind 'resource'",
        ),
        (
            None,
            "Traumatic bereavement animation",
            "https://uktraumacouncil.org/resource/x",
            "uk_trauma_council",
            DocType.RESOURCE,
            "URL series",
        ),
        # A resource whose title says it is a guide is guidance
        (
            None,
            "Traumatic bereavement clinical guide",
            "https://uktraumacouncil.org/resource/x",
            "uk_trauma_council",
            DocType.GUIDANCE,
            "title cue 'ends: guidance / guide'",
        ),
        (
            "event",
            "Free live webinar",
            "https://uktraumacouncil.org/news/x",
            "uk_trauma_council",
            DocType.EVENT,
            "UK Trauma Council page kind 'event'",
        ),
        # Lucy Faithfull labels, refined by title cues
        (
            "news",
            "Parents Protect summer online safety webinars",
            "https://www.lucyfaithfull.org.uk/featured-news/x.htm",
            "lucy_faithfull",
            DocType.EVENT,
            "title cue 'webinar",
        ),
        (
            "report",
            "Circles: evaluation findings",
            "https://www.lucyfaithfull.org.uk/featured-news/x.htm",
            "lucy_faithfull",
            DocType.EVALUATION,
            "title cue 'evaluation'",
        ),
        # nothing at all
        (
            None,
            "Cookie policy",
            "https://www.internetmatters.org/cookie-policy/",
            "internet_matters",
            DocType.OTHER,
            "no publisher label",
        ),
    ],
)
def test_doc_type(
    hint: str | None, title: str, url: str, source: str, expected: DocType, evidence: str
) -> None:
    kind, why = decide(hint, title, url, source)
    assert kind == expected
    assert evidence in why


def test_doc_type_keeps_its_old_contract() -> None:
    # A GOV.UK label means what the GOV.UK kind says; a title cue needs no label.
    assert decide("consultation_outcome", "", "", "home_office")[0] == (
        DocType.CONSULTATION_RESPONSE
    )
    assert decide_doc_type("Safeguarding review: CASPAR briefing")[0] == DocType.BRIEFING
    assert decide_doc_type("")[0] == DocType.OTHER


@pytest.mark.parametrize(
    ("label", "title", "expected", "evidence"),
    [
        # a plain label word means the same everywhere, without any parser
        ("Guidance", "X", DocType.GUIDANCE, "publisher label 'Guidance'"),
        ("news", "Webinar: online safety", DocType.EVENT, "(publisher says: publisher label"),
        # a label only its publisher's parser knows says nothing here
        ("consultation_outcome", "X", DocType.OTHER, "no publisher label"),
        ("practice-points-series", "X", DocType.OTHER, "no publisher label"),
        # a section name is read by its head word: "hub-research" is research
        ("hub-research", "Index", DocType.REPORT, "publisher label 'hub-research'"),
        ("Helplines insight briefing", "X", DocType.BRIEFING, "publisher label"),
        (None, "Statutory guidance for schools", DocType.STATUTORY_GUIDANCE, "title cue"),
    ],
)
def test_without_a_parser_only_plain_label_words_and_title_cues_count(
    label: str | None, title: str, expected: DocType, evidence: str
) -> None:
    kind, why = decide_doc_type(title, label=label)
    assert kind == expected
    assert evidence in why


def test_the_parser_hint_and_its_evidence_are_taken_as_given() -> None:
    assert decide_doc_type("X", DocType.PODCAST, "Some Publisher Topics: Podcast", "Podcast") == (
        DocType.PODCAST,
        "Some Publisher Topics: Podcast",
    )
    # a coarse hint is refined by a title cue, and the evidence says what the parser said
    assert decide_doc_type("Evaluation of X", DocType.REPORT, "URL series '/research/'") == (
        DocType.EVALUATION,
        "title cue 'evaluation' (publisher says: URL series '/research/')",
    )


def test_unregistered_source_resolves_nothing() -> None:
    assert resolve_type("no_such_source", "consultation_outcome", "https://www.gov.uk/x") is None
