"""The sensitive-content flag (aggregator/sensitive.py, aggregator/data/sensitive.json)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from aggregator.classify.sensitive import Sensitivity, assess_sensitivity
from aggregator.schema import Item


def make(title: str, summary: str = "") -> Item:
    return Item(
        key="example.org/x",
        source="nspcc",
        publisher="NSPCC",
        title=title,
        url="https://example.org/x",
        summary=summary,
    )


def test_vocabulary_is_well_formed() -> None:
    raw = resources.files("aggregator").joinpath("data/sensitive.json").read_text("utf-8")
    data = json.loads(raw)
    assert [r["reason"] for r in data["reasons"]] == [
        "child death",
        "case review",
        "explicit abuse",
    ]
    for reason in data["reasons"]:
        for phrase in reason["phrases"]:
            assert 0 < phrase["weight"] <= 1.0
    assert set(data["field_weights"]) == {"title", "summary", "main_text"}


@pytest.mark.parametrize(
    ("title", "summary", "main_text", "reason", "evidence"),
    [
        (
            "Serious case review: Child D",
            "",
            "",
            "case review",
            'title: "Serious case review"',
        ),
        (
            "Multi-agency working and information sharing: learning from case reviews",
            "Summary of key issues and learning for improved practice.",
            "",
            "case review",
            'title: "learning from case reviews"',
        ),
        (
            "Child Safeguarding Practice Review Panel annual report 2022 to 2023: CASPAR briefing",
            "A summary of the key themes from the Panel’s annual report.",
            "The report looks at the serious incident notifications and rapid reviews it received.",
            "case review",
            'title: "Child Safeguarding Practice Review Panel"',
        ),
        (
            "Local child safeguarding practice review: Baby T",
            "",
            "",
            "case review",
            'title: "Local child safeguarding practice review"',
        ),
        (
            "Sudden unexpected death in infancy: safer sleep advice for practitioners",
            "",
            "",
            "child death",
            'title: "Sudden unexpected death in infancy"',
        ),
        (
            "Child death review: statutory guidance",
            "How child death review partners should review the death of a child.",
            "",
            "child death",
            'title: "Child death review"',
        ),
        (
            "Indecent images of children: guidance for schools",
            "",
            "",
            "explicit abuse",
            'title: "Indecent images"',
        ),
        (
            "Time to talk about porn",
            "Our new paper looks at how viewing adult pornography can contribute to the "
            "viewing of sexual images of children.",
            "",
            "explicit abuse",
            'summary: "sexual images of children"',
        ),
        (
            "Preventing ‘self-generated’ child sexual abuse",
            "",
            "",
            "explicit abuse",
            'title: "‘self-generated’"',
        ),
    ],
)
def test_sensitive_items_are_flagged_with_evidence(
    title: str, summary: str, main_text: str, reason: str, evidence: str
) -> None:
    found = assess_sensitivity(make(title, summary), main_text)
    assert found.flagged
    assert reason in found.reasons
    assert evidence.replace("‘", "").replace("’", "") in [
        e.replace("‘", "").replace("’", "") for e in found.evidence
    ], found.evidence


@pytest.mark.parametrize(
    ("title", "summary", "main_text"),
    [
        ("A rapid evidence review of parenting programmes", "", ""),
        ("Helping children cope with the death of a pet", "", ""),
        ("Judicial review of the decision on school funding", "", ""),
        ("Police Remuneration Review Body remit letter: 2024 to 2025", "", ""),
        ("NHS Pay Review Body: written evidence", "Review of pay for NHS staff.", ""),
        (
            "Traumatic bereavement clinical guide",
            "A guide on traumatic bereavement after the death of a parent or carer.",
            "",
        ),
        (
            "Fire and rescue incident statistics, England",
            "Statistics on fires, fire-related fatalities and non-fire incidents.",
            "",
        ),
        (
            "Child sexual abuse: mandatory reporting",
            "Consultation on a mandatory reporting duty in child sexual abuse cases.",
            "",
        ),
        ("Unpacking Complex Trauma", "Our live webinar series brings experts together.", ""),
        ("Scrap the SCRAMBLE scheme", "A screening review.", ""),
    ],
)
def test_ordinary_items_are_not_flagged(title: str, summary: str, main_text: str) -> None:
    found = assess_sensitivity(make(title, summary), main_text)
    assert not found.flagged, found
    assert found.reasons == () and found.evidence == ()


def test_one_passing_mention_in_the_main_text_is_not_enough_but_two_are() -> None:
    once = assess_sensitivity(
        make("Working together: guidance"), "Learning from a serious case review is included."
    )
    assert not once.flagged
    twice = assess_sensitivity(
        make("Working together: guidance"),
        "Learning from a serious case review is included. Rapid reviews are also covered.",
    )
    assert twice.flagged
    assert twice.reasons == ("case review",)
    assert set(twice.evidence) == {
        'main_text: "serious case review"',
        'main_text: "Rapid reviews"',
    }


def test_the_longest_match_wins_so_a_phrase_counts_once() -> None:
    found = assess_sensitivity(make("Serious case reviews published in May"), "")
    assert found.evidence == ('title: "Serious case reviews"',)


def test_acronyms_match_only_in_capitals() -> None:
    assert assess_sensitivity(make("Findings from the SCR into Child D"), "").flagged
    assert not assess_sensitivity(make("How to scr a file"), "").flagged


def test_reasons_are_in_vocabulary_order_and_weak_phrases_need_company() -> None:
    found = assess_sensitivity(
        make(
            "Sexual abuse and child deaths: learning from case reviews",
            "Children who died after sexual abuse; indecent images were found.",
        ),
        "",
    )
    assert found.reasons == ("child death", "case review", "explicit abuse")
    weak = assess_sensitivity(make("Sextortion", "Pornography and sextortion."), "")
    assert weak.flagged  # two weak phrases: 0.5 + 0.5
    alone = assess_sensitivity(make("Sextortion: what parents need to know"), "")
    assert not alone.flagged


def test_json_round_trip_and_determinism() -> None:
    item = make("Serious case review: Child D", "The child died.")
    found = assess_sensitivity(item, "")
    assert Sensitivity.from_json(found.to_json()) == found
    assert json.loads(json.dumps(found.to_json())) == found.to_json()
    assert assess_sensitivity(item, "") == found
    assert Sensitivity.from_json({}) == Sensitivity(False, (), ())
