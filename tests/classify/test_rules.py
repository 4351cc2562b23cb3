"""Classification rules, table-driven: phrases, negatives, nations, document types, evidence."""

from __future__ import annotations

import copy
import json

import pytest

from aggregator.classify.rules import (
    Classification,
    Vocabulary,
    classify_item,
    compile_phrase,
    decide_doc_type,
    decide_nations,
    doc_type,
    nations,
)
from aggregator.schema import DocType, Item

VARIANTS = [("behaviour", "behavior"), ("programme", "program"), ("isation", "ization")]


def make(
    title: str,
    summary: str = "",
    *,
    source: str = "home_office",
    url: str = "https://www.gov.uk/government/publications/example",
) -> Item:
    return Item(key=url, source=source, publisher="", title=title, url=url, summary=summary)


# --- phrase matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        # acronyms in capitals are case-sensitive and whole words
        ("CSE", "Children at risk of CSE", True),
        ("CSE", "https://example.org/cse-guidance", False),
        ("CSE", "CSEW figures", False),
        ("HSB", "responding to HSB in schools", True),
        ("KCSIE", "What changed in KCSIE 2024", True),
        ("LADO", "LADOs and allegations", True),
        ("SEND", "Please send us your views", False),
        ("ACEs", "aces high", False),
        # UK/US spellings, plurals, hyphens and apostrophes
        ("harmful sexual behaviour", "Harmful sexual behavior in the early years", True),
        ("County Lines Programme", "the county lines program", True),
        ("radicalisation", "online radicalization", True),
        ("multi-agency", "multi agency working", True),
        ("multi-agency", "multiagency", True),
        ("early years", "early-years practitioners", True),
        ("case review*", "serious case reviews", True),
        ("children's mental health", "children’s mental health", True),
        ("children's mental health", "childrens mental health", True),
        # whole words only
        ("child", "children", False),
        ("groom*", "bridegroom", False),
        ("groom*", "online grooming", True),
    ],
)
def test_phrase_matching(phrase: str, text: str, matches: bool) -> None:
    text = text.replace("’", "'")
    assert bool(compile_phrase(phrase, VARIANTS).search(text)) is matches


# --- relevance and topics -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "summary", "relevant", "topic"),
    [
        ("Child sexual abuse: mandatory reporting", "", True, "child sexual abuse"),
        ("Responding to CSE and CCE", "", True, "exploitation"),
        ("Working with HSB in primary schools", "", True, "harmful sexual behaviour"),
        ("Harmful sexual behavior: a guide", "", True, "harmful sexual behaviour"),
        ("KCSIE 2024: what has changed", "", True, "education and KCSIE"),
        ("When to refer to the LADO", "", True, "child protection and safeguarding practice"),
        ("Themes from recent CSPRs", "", True, "case reviews"),
        ("Working Together to Safeguard Children 2023", "", True, None),
        ("Tackling county lines: programme update", "", True, "exploitation"),
        ("Children’s mental health services funding", "", True, "mental health"),
        (
            "Inspection of the care of unaccompanied asylum-seeking children",
            "",
            True,
            "children's social care",
        ),
        # clear negatives: immigration, policing, NHS operations
        ("Police pay award 2024 to 2025", "", False, None),
        (
            "Visa fees: changes from April",
            "Fees for visit and work visas are increasing.",
            False,
            None,
        ),
        ("NHS dental contract: changes", "", False, None),
        ("NHS workforce: retaining staff", "", False, None),
        ("Firearms licensing fees", "", False, None),
        ("Border Force recruits extra officers", "", False, None),
        ("Immigration system statistics", "Including asylum and visas.", False, None),
    ],
)
def test_relevance_and_topics(title: str, summary: str, relevant: bool, topic: str | None) -> None:
    result = classify_item(make(title, summary))
    assert result.relevant is relevant, result.relevance_evidence
    if topic:
        assert topic in result.topics
    if not relevant:
        assert result.topics == [] or result.relevance < 0.4


def test_negative_cues_lower_relevance_and_are_evidence() -> None:
    with_negative = classify_item(make("Children and immigration detention"))
    without = classify_item(make("Children and detention"))
    assert with_negative.relevance < without.relevance
    assert {"phrase": "immigration", "field": "title", "weight": -1.0} in (
        with_negative.relevance_evidence
    )


def test_longer_positive_phrase_beats_a_negative_inside_it() -> None:
    result = classify_item(make("Unaccompanied asylum-seeking children in hotels"))
    phrases = [e["phrase"] for e in result.relevance_evidence]
    assert "unaccompanied asylum-seeking children" in phrases
    assert "asylum" not in phrases


def test_fields_are_weighed_title_over_summary_over_body() -> None:
    in_title = classify_item(make("Neglect", "An update."))
    in_summary = classify_item(make("An update", "Neglect."))
    in_body = classify_item(make("An update", "An update."), body_text="Neglect.")
    assert in_title.relevance > in_summary.relevance > in_body.relevance > 0
    assert [e["field"] for e in in_body.relevance_evidence] == ["body"]


def test_body_counts_only_up_to_its_cap() -> None:
    body = "child sexual abuse, neglect, county lines, sextortion, trauma, domestic abuse. " * 5
    result = classify_item(make("An update", ""), body_text=body)
    vocab = Vocabulary.load()
    cap = vocab.body_cap
    assert result.relevance == pytest.approx(round(cap / (cap + 1), 3))


def test_evidence_is_present_and_explains_every_topic() -> None:
    result = classify_item(
        make(
            "Online child sexual exploitation: reporting routes",
            "Where frontline staff should report concerns in England.",
        )
    )
    assert result.relevant and result.relevance_evidence
    assert all({"phrase", "field", "weight"} <= set(e) for e in result.relevance_evidence)
    for topic in result.topics:
        assert any(e["topic"] == topic for e in result.topic_evidence)
    assert result.nation_evidence == [{"nation": "England", "field": "summary", "cue": "England"}]
    assert result.vocabulary_version == Vocabulary.load().version
    json.dumps(result.to_json())  # JSON-ready


# --- nations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hints", "title", "summary", "expected", "field"),
    [
        (["England"], "Guidance", "", ["England"], "applicability"),
        (["England", "Wales"], "Guidance", "", ["England", "Wales"], "applicability"),
        (
            ["England", "Wales", "Scotland", "Northern Ireland"],
            "Guidance",
            "",
            ["UK-wide"],
            "applicability",
        ),
        # applicability wins over text
        (["Scotland"], "Guidance in England", "", ["Scotland"], "applicability"),
        ([], "Guidance", "For schools in England.", ["England"], "summary"),
        ([], "Welsh Government guidance", "", ["Wales"], "title"),
        ([], "Stop It Now Scotland launches campaign", "", ["Scotland"], "title"),
        ([], "New Scottish guidance", "", ["Scotland"], "title"),
        ([], "Safeguarding in Northern Ireland", "", ["Northern Ireland"], "title"),
        ([], "Guidance", "Police forces in England and Wales.", ["England", "Wales"], "summary"),
        ([], "Child protection statistics", "Data from across the UK.", ["UK-wide"], "summary"),
        ([], "A UK-wide campaign", "", ["UK-wide"], "title"),
        ([], "Border operations in the English Channel", "", [], None),
    ],
)
def test_nations(
    hints: list[str], title: str, summary: str, expected: list[str], field: str | None
) -> None:
    found, evidence = decide_nations(hints, title, summary)
    assert found == expected
    if field:
        assert evidence and evidence[0]["field"] == field
    else:
        assert evidence == []


def test_nations_keeps_its_old_contract() -> None:
    assert nations(["England", "Wales"]) == ["England", "Wales"]
    assert nations(["England", "Wales", "Scotland", "Northern Ireland"]) == ["UK-wide"]
    assert nations([]) == []


# --- document type --------------------------------------------------------------------------


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
            "URL series",
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
            "Traumatic bereavement guide",
            "https://uktraumacouncil.org/resource/x",
            "uk_trauma_council",
            DocType.RESOURCE,
            "URL series",
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
    kind, why = decide_doc_type(hint, title, url, source)
    assert kind == expected
    assert evidence in why


def test_doc_type_keeps_its_old_contract() -> None:
    assert doc_type("consultation_outcome") == DocType.CONSULTATION_RESPONSE
    assert doc_type(None, "Safeguarding review: CASPAR briefing") == DocType.BRIEFING
    assert doc_type(None, "") == DocType.OTHER


def test_stored_doc_type_is_kept_when_nothing_else_says() -> None:
    item = make("Untitled", url="https://example.org/x")
    item.doc_type = DocType.GUIDANCE
    result = classify_item(item)
    assert result.doc_type == DocType.GUIDANCE
    assert "stored doc_type" in result.doc_type_evidence


# --- vocabulary -----------------------------------------------------------------------------


def test_vocabulary_change_changes_topics_and_version() -> None:
    base = Vocabulary.load()
    data = copy.deepcopy(base.data)
    for topic in data["topics"]:
        if topic["label"] == "neglect":
            topic["phrases"].append("hoarding")
    changed = Vocabulary(data)
    item = make("Hoarding in families with young children")
    assert "neglect" not in classify_item(item).topics
    result = classify_item(item, vocabulary=changed)
    assert "neglect" in result.topics
    assert result.vocabulary_version == changed.version != base.version


def test_vocabulary_file_is_well_formed() -> None:
    vocab = Vocabulary.load()
    assert 0 < vocab.threshold < 1
    assert vocab.field_weights["title"] > vocab.field_weights["summary"]
    assert vocab.field_weights["summary"] > vocab.field_weights["body"]
    labels = vocab.topics
    assert len(labels) == len(set(labels)) >= 12
    for label in labels:
        assert vocab.descriptions[label], f"topic {label!r} needs a description"
    kinds = {p.kind for p in vocab.phrases}
    assert kinds == {"topic", "cue", "negative"}


def test_classification_round_trips_through_json_fields() -> None:
    result = classify_item(make("Neglect: learning from case reviews"), body_text="Some text.")
    assert isinstance(result, Classification)
    assert result.text == "Some text."
    assert result.to_json()["label"] in ("safeguarding", "probably not safeguarding")
