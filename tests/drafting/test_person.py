"""Third person always (issue 21): the publisher's "we", "our" and "us" in a draft.

The sentences are the fixture pages' own (grep fixtures/ for " our " and " we "), or shaped
like them; each is rewritten with its publisher's name and verb agreement, left alone inside
quotation marks, or refused when it cannot be rewritten safely.
"""

from __future__ import annotations

import pytest

from aggregator.drafting import draft_summary
from aggregator.drafting.person import (
    first_person_words,
    possessive,
    quoted_spans,
    short_name,
    third_person,
)
from aggregator.schema import DocType
from tests.drafting.test_writer import from_source, make

LUCY = "Lucy Faithfull Foundation"

REWRITTEN = [
    # "our" → the possessive; a sentence's start is capitalised
    (
        "Our new paper looks at how viewing legal adult pornography can contribute to the "
        "viewing of sexual images of children.",
        LUCY,
        "The Lucy Faithfull Foundation’s new paper looks at how viewing legal adult pornography "
        "can contribute to the viewing of sexual images of children.",
    ),
    (
        "Our latest research looks at how to deter 11- to 13-year-olds from creating and "
        "sharing sexual images.",
        "Internet Matters",
        "Internet Matters’ latest research looks at how to deter 11- to 13-year-olds from "
        "creating and sharing sexual images.",
    ),
    (
        "Our annual report marks 30 years of working to prevent child sexual abuse.",
        LUCY,
        "The Lucy Faithfull Foundation’s annual report marks 30 years of working to prevent "
        "child sexual abuse.",
    ),
    (
        "The film is part of our Stop It Now! campaign.",
        LUCY,
        "The film is part of the Lucy Faithfull Foundation’s Stop It Now! campaign.",
    ),
    # "we" + verb agreement
    (
        "We have refreshed our safer recruitment checklist for sports clubs and activity "
        "providers.",
        "NSPCC",
        "The NSPCC has refreshed its safer recruitment checklist for sports clubs and "
        "activity providers.",
    ),
    (
        "We are seeking views on proposals to change the length and structure of the "
        "probationary period for police officers in England and Wales.",
        "Home Office",
        "The Home Office is seeking views on proposals to change the length and structure of "
        "the probationary period for police officers in England and Wales.",
    ),
    (
        "Each month we add newly published case reviews to the national case review repository.",
        "NSPCC",
        "Each month the NSPCC adds newly published case reviews to the national case review "
        "repository.",
    ),
    (
        "The second year confirmed what we found in the first.",
        "Internet Matters",
        "The second year confirmed what Internet Matters found in the first.",
    ),
    (
        "After a roundtable with practitioners in Wales we pulled together what we heard with "
        "wider evidence on remote working.",
        "NSPCC",
        "After a roundtable with practitioners in Wales the NSPCC pulled together what it "
        "heard with wider evidence on remote working.",
    ),
    (
        "Through our work with people who pose a risk to children online and offline, we "
        "hear how use of adult pornography can escalate.",
        LUCY,
        "Through the Lucy Faithfull Foundation’s work with people who pose a risk to children "
        "online and offline, the Foundation hears how use of adult pornography can escalate.",
    ),
    (
        "We work with schools and support families across the UK.",
        "NSPCC",
        "The NSPCC works with schools and supports families across the UK.",
    ),
    (
        "We will respond on behalf of parents and carers.",
        "Internet Matters",
        "Internet Matters will respond on behalf of parents and carers.",
    ),
    (
        "We also run a course on trauma and schools.",
        "UK Trauma Council",
        "The UK Trauma Council also runs a course on trauma and schools.",
    ),
    (
        "We don't share your data with anyone.",
        "NSPCC",
        "The NSPCC doesn't share your data with anyone.",
    ),
    (
        "We’re proud to publish it and we’ve built new resources.",
        "NSPCC",
        "The NSPCC is proud to publish it and it has built new resources.",
    ),
    (
        "We focus on what schools can do.",
        "Ofsted",
        "Ofsted focuses on what schools can do.",
    ),
    (
        "In 2023 we set up a new helpline.",
        "NSPCC",
        "In 2023 the NSPCC set up a new helpline.",
    ),
    # "us", "ourselves"
    (
        "Tracking the same measures each year lets us see what is changing for families.",
        "Internet Matters",
        "Tracking the same measures each year lets Internet Matters see what is changing for "
        "families.",
    ),
    (
        "Local safeguarding partnerships send us case reviews when they are published.",
        "NSPCC",
        "Local safeguarding partnerships send the NSPCC case reviews when they are published.",
    ),
    (
        "We pride ourselves on listening to children.",
        "NSPCC",
        "The NSPCC prides itself on listening to children.",
    ),
    # a long name is shortened after its first mention, as the example bulletin does
    (
        "It includes figures from our helpline, our work with families and our training for "
        "professionals.",
        LUCY,
        "It includes figures from the Lucy Faithfull Foundation’s helpline, the Foundation’s "
        "work with families and the Foundation’s training for professionals.",
    ),
    # a straight apostrophe where the sentence uses those
    (
        "Read our 'top tips' for parents.",
        "NSPCC",
        "Read the NSPCC's 'top tips' for parents.",
    ),
]


@pytest.mark.parametrize(("sentence", "publisher", "expected"), REWRITTEN)
def test_first_person_becomes_the_publisher(sentence: str, publisher: str, expected: str) -> None:
    assert third_person(sentence, publisher) == expected
    assert first_person_words(expected) == []


QUOTED = [
    "“We are delighted to launch this service,” said the chief executive.",
    "The minister said: “We will introduce the duty as an amendment to the bill.”",
    'One young person told researchers "we just want adults to listen".',
    "A parent said ‘our family felt alone’ before the service began.",
    # a quotation that began in the sentence before, closed in this one
    "We will keep listening.” said the chair.",
]


@pytest.mark.parametrize("sentence", QUOTED[:4])
def test_first_person_inside_quotations_is_left_alone(sentence: str) -> None:
    assert third_person(sentence, "NSPCC") == sentence
    assert first_person_words(sentence) == []


def test_a_quotation_closed_without_opening_runs_from_the_start() -> None:
    sentence = QUOTED[4]
    assert quoted_spans(sentence) == [(0, sentence.index("”") + 1)]
    assert third_person(sentence, "NSPCC") == sentence


REFUSED = [
    # the first person singular: a named author or a quoted speaker without quotation marks
    "Today I want to set out how we will make sure those changes deliver.",
    "My role is to champion the rights of children.",
    # "we" meaning people at large
    "We all have a role to play in keeping children safe.",
    "Many of us will know a child who has been affected.",
    "As a society, we must do more to protect children online.",
    # forms not told apart safely
    "We'd encourage schools to review their policies.",
    "Let's work together to keep children safe.",
    "We, the undersigned, call on the government to act.",
    "This is a bigger problem than we.",
]


@pytest.mark.parametrize("sentence", REFUSED)
def test_a_sentence_that_cannot_be_rewritten_safely_is_refused(sentence: str) -> None:
    assert third_person(sentence, "NSPCC") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Guidance for schools in the US and the UK.",  # the country, in capitals
        "Support for children with ME and their families.",  # the illness
        "Part I of the report sets out the findings.",  # a numeral
        "The guide was written for parents and carers.",
    ],
)
def test_no_first_person_comes_back_unchanged(sentence: str) -> None:
    assert first_person_words(sentence) == []
    assert third_person(sentence, "NSPCC") == sentence


def test_names_short_forms_and_possessives() -> None:
    assert short_name("The Lucy Faithfull Foundation") == "The Foundation"
    assert short_name("The Department of Health and Social Care") == "The Department"
    assert short_name("The Home Office") == "The Home Office"  # never "the Office"
    assert short_name("The NSPCC") == "The NSPCC"
    assert possessive("The NSPCC") == "The NSPCC’s"
    assert possessive("Internet Matters") == "Internet Matters’"


def test_the_opening_reads_a_title_s_our_as_its() -> None:
    item = make(
        "How we assess safeguarding complaints",
        publisher="Fundraising Regulator",
        doc_type=DocType.GUIDANCE,
        summary="A guide for charities on making a complaint.",
    )
    draft = draft_summary(item, "")
    assert first_person_words(draft.opening) == []


def test_a_draft_names_the_publisher_and_records_the_rewording() -> None:
    item = make(
        "Time to talk about porn: the link between viewing legal adult pornography and online "
        "child sexual abuse",
        publisher=LUCY,
        doc_type=DocType.REPORT,
        summary="Our new paper looks at how viewing legal adult pornography can contribute to "
        "the viewing of sexual images of children, and what can be done to prevent it.",
    )
    main = (
        "It looks at some of the reasons behind pornography use, including loneliness and "
        "stress. I am proud of this work, said our chief executive."
    )
    draft = draft_summary(item, main)
    assert "The Lucy Faithfull Foundation’s new paper looks at" in draft.text
    assert "Our new paper" not in draft.text
    assert "I am proud" not in draft.text  # refused, so never chosen
    assert first_person_words(draft.text) == []
    reworded = [used for used in draft.sentences if used.reworded]
    assert [used.origin for used in reworded] == ["summary"]
    for used in draft.sentences:
        assert from_source(used, item, main)


def test_a_sentence_refused_gives_way_to_the_next_best() -> None:
    item = make(
        "Online safety for young children",
        publisher="NSPCC",
        doc_type=DocType.GUIDANCE,
        summary="I wrote this guide on online safety for parents of young children.",
    )
    main = "The guide sets out how parents of young children can keep them safe online."
    draft = draft_summary(item, main)
    assert "I wrote" not in draft.text
    assert "The guide sets out how parents of young children" in draft.text
