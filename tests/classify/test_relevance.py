"""Topics and relevance, table-driven: phrases, negative cues, field weights, evidence."""

from __future__ import annotations

import json

import pytest

from aggregator.classify.relevance import GENERIC_ONLY, WEAK_ONLY
from aggregator.classify.rules import Classification, classify_item
from aggregator.classify.vocabulary import Vocabulary
from tests.classify.items import make


def why_held(found: Classification) -> set[str | None]:
    """Why each positive evidence entry was held under the band (`capped`), or None."""
    return {e.get("capped") for e in found.relevance_evidence if e["weight"] > 0}


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
        ("Permanent exclusions rise in primary schools", "", True, "children missing education"),
        ("Teenagers targeted as money mules", "", True, "exploitation"),
        ("Xbox launches family safety app", "Parents can set limits.", True, "online safety"),
        ("Cyber crime: helping young people choose", "", True, "online safety"),
        ("Roblox adds a parental control for younger children", "", True, "online safety"),
        ("Fortnite: what the PEGI rating means", "A guide for parents.", True, "online safety"),
        ("Girl groomed by man she met online", "", True, "child sexual abuse"),
        ("Safe sleep: advice for nursery settings", "", True, "child deaths"),
        ("Water safety for pupils", "", True, "accident prevention"),
        ("Drowning prevention week", "", True, "accident prevention"),
        ("Tombstoning: a warning", "Teenagers jump into the sea.", True, "accident prevention"),
        ("Ketamine awareness week", "Young people using ketamine.", True, "drugs and alcohol"),
        ("THC sweets sent to hospital", "A young child ate them.", True, "drugs and alcohol"),
        ("PVG scheme: processing forms", "", True, "safer recruitment"),
        ("Children in need census: a guide", "", True, "children's social care"),
        ("Updated EHE policy for all schools", "", True, "children missing education"),
        ("IICSA inquiry update note", "", True, "child sexual abuse"),
        ("Childcare disqualification checks on staff", "", True, "safer recruitment"),
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
        # a school's own events and a children's charity's corporate news
        ("Nativity performance: tickets", "Early years children will perform.", False, None),
        ("Children's book award results announced", "", False, None),
        ("Youth charity chief executive to step down", "", False, None),
        ("Sports day results", "Parents and children enjoyed the races.", False, None),
        # grooming in its other senses
        ("Dog groomer opens on the high street", "", False, None),
        ("Ski season starts", "Groomed pistes and lift prices.", False, None),
        # routine health checks for babies, like immunisation
        ("Newborn hearing screening moves", "Parents of babies will be invited.", False, None),
        # the BBC's appeal, not the statutory category (written "children in need")
        ("Children in Need 2023", "Pupils raised money for the appeal.", False, None),
        ("16-19 bursary fund", "Help for vulnerable students.", False, None),
        ("Lunch boxes and drinks", "Sugary drinks and tooth decay in under-fives.", False, None),
        # disability in its everyday senses: a generic word alone never decides
        ("Councils slow to act on disabled parking", "Disability charity's call.", False, None),
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
    with_negative = classify_item(make("Looked after children and immigration detention"))
    without = classify_item(make("Looked after children and detention"))
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


def test_weak_words_support_but_never_decide() -> None:
    """Words that only say an item is about children (or babies, or schools) never make an
    item safeguarding alone: at most borderline, and no topic."""
    weak = classify_item(make("Children and young people at school: babies, pupils, teenagers"))
    assert not weak.relevant and weak.relevance < Vocabulary.load().threshold
    assert weak.topics == []
    assert {e.get("capped") for e in weak.relevance_evidence} == {WEAK_ONLY}
    supported = classify_item(make("Neglect of babies and young children"))
    assert supported.relevant


def test_a_generic_word_counts_beside_another_phrase_but_never_alone() -> None:
    """Vulnerabilities in software, a crematorium's bereavement services and patients'
    wellbeing are not bulletin items; beside children or pupils the same words count."""
    for title in (
        "Microsoft patches severe Windows vulnerabilities",
        "Crematorium and bereavement services update",
        "Looking after our patients' wellbeing",
    ):
        alone = classify_item(make(title))
        assert not alone.relevant and not alone.borderline, title
        assert alone.relevance > 0, title  # found, and held under the band, saying why
        assert why_held(alone) == {GENERIC_ONLY}, title
    assert classify_item(make("Supporting vulnerable children over the holidays")).relevant
    assert classify_item(make("Pupil wellbeing: survey results")).relevant


def test_an_acronym_counts_only_in_a_safeguarding_context() -> None:
    maintenance = classify_item(make("CSA case closures", "Child maintenance statistics."))
    assert not maintenance.relevant
    assert any(e.get("ignored") for e in maintenance.relevance_evidence)
    abuse = classify_item(make("CSA in the family: what professionals can do", "Grooming."))
    assert abuse.relevant
    assert "child sexual abuse" in abuse.topics


def test_violence_against_a_child_counts_but_violence_alone_does_not_decide() -> None:
    """Murder and stabbings support a decision beside a child ("murdering baby", "pupils"),
    like manslaughter and knife crime; an adult's murder trial is not a bulletin item."""
    assert classify_item(make("Man convicted of murdering baby son")).relevant
    assert classify_item(make("Stabbing outside school: pupils offered support")).relevant
    adult = classify_item(make("Murder trial: jury hears evidence", "He denies killing a man."))
    assert not adult.relevant and not adult.borderline
    street = classify_item(make("Two men charged after stabbing in town centre"))
    assert not street.relevant and not street.borderline


def test_vaping_is_not_a_negative_cue() -> None:
    """Young people's vaping is a bulletin item (a fresh set's miss): research about it is
    shown (vaping is a drugs-and-alcohol phrase), not lowered as the Department of Health's
    tobacco business."""
    survey = classify_item(make("Vaping among young people: survey findings"))
    assert survey.relevant or survey.borderline
    assert not any(e["weight"] < 0 for e in survey.relevance_evidence)


def test_the_nhs_integrated_care_system_is_not_the_care_system() -> None:
    """The care system is where looked-after children live; an integrated care system is the
    NHS's local structure, and the longer phrase swallows the shorter."""
    nhs = classify_item(make("The state of integrated care systems", "A survey of ICS leaders."))
    assert not nhs.relevant and not nhs.borderline
    assert "care system" not in [e["phrase"] for e in nhs.relevance_evidence]
    care = classify_item(make("Children in the care system", "Placements far from home."))
    assert care.relevant


def test_a_title_naming_safeguarding_is_never_cancelled_by_negative_cues() -> None:
    result = classify_item(
        make(
            "Safeguarding policy on children held in detention",
            "How Border Force and immigration staff protect children held at the border.",
        )
    )
    assert result.relevant
    ignored = [e for e in result.relevance_evidence if e.get("ignored")]
    assert {e["phrase"] for e in ignored} >= {"immigration", "Border Force"}
    assert all(e["weight"] == 0.0 for e in ignored)


def test_borderline_is_under_the_threshold_and_labelled() -> None:
    vocab = Vocabulary.load()
    assert 0 < vocab.borderline < vocab.threshold
    # One safeguarding phrase in the summary alone: 0.6 / 1.6 = 0.375, in the band.
    result = classify_item(make("Annual figures", "County lines."))
    assert vocab.borderline <= result.relevance < vocab.threshold
    assert result.borderline and not result.relevant
    assert result.label == "borderline" and result.to_json()["borderline"] is True
    # Weak words alone, however many, never reach the band.
    weak = classify_item(make("Children and young people in lockdown", "Families and parents."))
    assert weak.relevance < vocab.borderline and not weak.borderline


def test_a_safeguarding_publisher_gives_its_items_context() -> None:
    """A safeguarding partnership's briefing with only weak words is shown (its name adds
    weight and lets weak words decide); the same words from any other publisher stay hidden."""
    vocab = Vocabulary.load()
    title, summary = "Babies born during lockdown", "A briefing on risks for babies and families."
    elsewhere = classify_item(make(title, summary, publisher="Walsall Council"))
    assert elsewhere.relevance < vocab.borderline
    partnership = classify_item(make(title, summary, publisher="Walsall Safeguarding Partnership"))
    assert partnership.relevance >= vocab.borderline
    assert {"phrase": "safeguarding partnership", "field": "publisher", "weight": 0.25} in (
        partnership.relevance_evidence
    )
    # An acronym has context there too.
    briefing = classify_item(
        make("CSE: a seven-minute read", publisher="Bury Safeguarding Children Partnership")
    )
    assert not any(e.get("ignored") for e in briefing.relevance_evidence)


def test_a_safeguarding_publisher_does_not_lift_its_own_business() -> None:
    """Negative cues still lower a partnership's vacancy or cookie notice, and a board for
    adults gives no context at all."""
    vocab = Vocabulary.load()
    vacancy = classify_item(
        make(
            "Vacancy: business support officer",
            "We are recruiting to support the partnership's office.",
            publisher="Lambeth Safeguarding Children Partnership",
        )
    )
    assert vacancy.relevance < vocab.borderline
    adults = classify_item(
        make("Self-care for older people at home", publisher="Leeds Safeguarding Adults Board")
    )
    assert not any(e["field"] == "publisher" for e in adults.relevance_evidence)


def test_a_safeguarding_publishers_item_is_at_least_borderline() -> None:
    """Whatever its title says, a partnership's item with no negative cue is shown (at least
    borderline); the same title from another publisher is not."""
    vocab = Vocabulary.load()
    title = "Someone that sticks: a challenge to services"
    partnership = classify_item(make(title, publisher="Coventry Safeguarding Children Board"))
    assert partnership.relevance == vocab.borderline and partnership.borderline
    elsewhere = classify_item(make(title, publisher="Coventry City Council"))
    assert elsewhere.relevance < vocab.borderline and not elsewhere.borderline


def test_research_about_children_is_shown_as_borderline() -> None:
    """A survey of young people names no safeguarding term, yet bulletins carry it: shown,
    marked borderline, never "safeguarding" on this alone; the evidence says why."""
    vocab = Vocabulary.load()
    title = "Young people's right to food: what 846 young people told us"
    survey = classify_item(make(title, "Findings of a survey on access to food."))
    assert survey.relevance == vocab.borderline and survey.borderline and not survey.relevant
    assert {
        "phrase": "young people + survey",
        "field": "title and summary",
        "weight": 0.0,
        "lifts": "research about children",
    } in survey.relevance_evidence
    assert not any("capped" in e for e in survey.relevance_evidence)  # the lift says why
    # The same children without research stay hidden: weak words alone never decide.
    plain = classify_item(make("Young people's right to food", "Free school meals for all."))
    assert plain.relevance < vocab.borderline and not plain.borderline


def test_research_about_pupils_or_with_a_negative_cue_is_not_lifted() -> None:
    """Research about pupils is curriculum and school funding, and a negative cue marks
    business that is not safeguarding: neither is lifted."""
    vocab = Vocabulary.load()
    pupils = classify_item(make("Improving mathematics for pupils", "Research on teaching."))
    assert pupils.relevance < vocab.borderline
    accounts = classify_item(make("Annual report and accounts", "Our research on children."))
    assert accounts.relevance < vocab.borderline
    assert not any(e.get("lifts") for e in accounts.relevance_evidence)


def test_a_childrens_organisations_item_is_shown_as_borderline() -> None:
    """A publisher whose name says a children's or young people's remit lifts an item that
    names a phrase that could decide (here loneliness) into the band; the same item from
    another publisher stays hidden, and an item of theirs with only weak words about
    children (a youth charity's values statement, an awards evening) is not lifted: weak
    words alone never decide."""
    vocab = Vocabulary.load()
    title, summary = "What you told us this year", "Stories about loneliness."
    theirs = classify_item(make(title, summary, publisher="Young Scot"))
    assert theirs.relevance == vocab.borderline and theirs.borderline
    assert {
        "phrase": "Young Scot",
        "field": "publisher",
        "weight": 0.0,
        "lifts": "a children's organisation",
    } in theirs.relevance_evidence
    elsewhere = classify_item(make(title, summary, publisher="Scottish Government"))
    assert 0 < elsewhere.relevance < vocab.borderline
    weak = classify_item(
        make(title, "Stories from young people in Scotland.", publisher="Young Scot")
    )
    assert weak.relevance < vocab.borderline and not weak.borderline
    assert not any(e.get("lifts") for e in weak.relevance_evidence)
    nothing = classify_item(make("Our new office opens", publisher="Young Scot"))
    assert nothing.relevance < vocab.borderline


def test_reports_the_verb_is_not_research() -> None:
    """ "report" counts as research as written (the noun); "reports" is as often the verb ("the
    nursery reports a new roof")."""
    vocab = Vocabulary.load()
    noun = classify_item(make("A report on children's lives", "From schools."))
    assert noun.relevance == vocab.borderline
    verb = classify_item(make("Welcome back", "The school reports a new roof for children."))
    assert verb.relevance < vocab.borderline
    assert not any(e.get("lifts") for e in verb.relevance_evidence)


def test_a_childrens_organisations_research_is_still_research() -> None:
    """Research about children from a children's organisation is lifted as research, though
    it names only weak words."""
    vocab = Vocabulary.load()
    survey = classify_item(
        make("Youth survey 2017", "Asking young people.", publisher="Young Scot")
    )
    assert survey.relevance == vocab.borderline
    assert [e["lifts"] for e in survey.relevance_evidence if "lifts" in e] == [
        "research about children"
    ]


def test_cannabis_alone_is_shown_for_the_editor() -> None:
    """A drug named alone (a police raid on a cannabis farm) is borderline: shown, marked;
    beside a child it decides."""
    vocab = Vocabulary.load()
    alone = classify_item(make("Cannabis farm found in house"))
    assert vocab.borderline <= alone.relevance < vocab.threshold
    assert classify_item(make("Cannabis oil sold as sweets", "A young child was ill.")).relevant


def test_knife_crime_alone_is_shown_and_beside_young_people_decides() -> None:
    vocab = Vocabulary.load()
    alone = classify_item(make("Knife crime: the figures by city"))
    assert vocab.borderline <= alone.relevance < vocab.threshold
    assert classify_item(make("Knife crime talk", "A police officer spoke to pupils.")).relevant


def test_a_clubs_welfare_officer_is_shown_for_the_editor() -> None:
    """In sport a club's welfare officer is its safeguarding lead: the phrase alone in a title
    is borderline, shown for the editor to judge; beside another phrase it decides."""
    vocab = Vocabulary.load()
    alone = classify_item(make("Who is your club welfare officer?"))
    assert vocab.borderline <= alone.relevance < vocab.threshold
    juniors = classify_item(make("Juniors between clubs", "Welfare officers: rowers' wellbeing."))
    assert juniors.relevant


def test_public_protection_is_shown_for_the_editor() -> None:
    """Scotland's public protection (child and adult protection together) supports a
    decision: alone it is borderline, shown for the editor to judge."""
    vocab = Vocabulary.load()
    week = classify_item(make("Public protection week 2025", "Sessions and events."))
    assert week.borderline and not week.relevant
    assert week.relevance >= vocab.borderline


def test_prevent_the_programme_is_shown_and_the_verb_is_not_it() -> None:
    """Prevent, the programme, is written with a capital: alone in a title ("Prevent update")
    it is borderline, shown for the editor to judge; "prevent" the verb is not it."""
    vocab = Vocabulary.load()
    update = classify_item(make("Prevent update"))
    assert vocab.borderline <= update.relevance < vocab.threshold
    assert "radicalisation" in update.topics
    assert classify_item(make("Prevent update", "Radicalisation and extremism.")).relevant
    verb = classify_item(make("How to prevent damp in council homes"))
    assert verb.relevance == 0.0 and not verb.borderline


def test_social_work_alone_is_the_professions_own_news() -> None:
    """Social work named alone is workforce news (recruits, placements, return to practice):
    a generic word, held under the band; beside children it counts."""
    for title in ("Social work charity hires 1,000 recruits", "Return to Social Work"):
        alone = classify_item(make(title))
        assert not alone.relevant and not alone.borderline, title
        assert why_held(alone) == {GENERIC_ONLY}, title
    assert classify_item(make("Social workers and children at risk of exploitation")).relevant
    # Beside "children's" the phrase counts in full, whatever "workforce" takes away.
    assert classify_item(make("Children's social work workforce statistics")).relevant


def test_foster_carer_recruitment_and_fundraising_are_not_safeguarding() -> None:
    """Foster Care Fortnight is the annual campaign to recruit foster carers, and a charity's
    sponsored sleep-out raises money: a fostering service's or a charity's own business,
    however much "fostering" or "vulnerable children" they name. Fostering itself, beside
    a safeguarding phrase, still counts."""
    fortnight = classify_item(
        make(
            "Celebrating Foster Care Fortnight",
            "We need more foster carers for teenagers and siblings, in fostering communities.",
        )
    )
    assert not fortnight.relevant and not fortnight.borderline
    assert any(e["phrase"] == "Foster Care Fortnight" for e in fortnight.relevance_evidence)
    sleep_out = classify_item(make("Station sleep out raises money for vulnerable children"))
    assert not sleep_out.relevant and not sleep_out.borderline
    assert classify_item(make("Fostering and children missing from care")).relevant


def test_school_nurses_support_but_never_decide() -> None:
    """School nurses are a profession, like teachers: a school nursing team's own news (an
    award, a new text service) is not safeguarding on that alone."""
    vocab = Vocabulary.load()
    praised = classify_item(make("School nurses praised by the Royal College of Nursing"))
    assert praised.relevance < vocab.borderline
    assert why_held(praised) == {WEAK_ONLY}
    assert classify_item(make("School nurses and child sexual exploitation")).relevant


def test_app_alerts_and_knives_are_shown() -> None:
    """Schools' and police online-safety alerts name the apps children use; bulletins carry
    knives and offensive weapons beside young people."""
    apps = classify_item(
        make("Do you know which apps your children are using?", "Advice for parents.")
    )
    assert apps.relevant and "online safety" in apps.topics
    weapons = classify_item(
        make("Offensive weapon possession", "Young people will find it harder to buy knives.")
    )
    assert weapons.relevant or weapons.borderline
    assert classify_item(make("Supreme Court rules against Named Person scheme")).relevant


def test_a_partnerships_farewells_and_mailing_list_are_its_own_business() -> None:
    """A safeguarding partnership's items are at least borderline, except its own business,
    which carries a negative cue: staff farewells, opting in to its mailing list."""
    for title in ("Goodbyes and Welcomes", "To keep receiving this e-bulletin you need to opt-in"):
        own = classify_item(make(title, publisher="Peterborough Safeguarding Children Board"))
        assert not own.relevant and not own.borderline, title
    news = classify_item(
        make("Website Development", publisher="Peterborough Safeguarding Children Board")
    )
    assert news.borderline


def test_app_reviews_vaping_and_e_scooters_are_shown_for_the_editor() -> None:
    """Online-safety alerts review apps by their age ratings and livestreaming; schools warn
    about vaping and e-scooters. Alone each is borderline, for the editor to judge."""
    vocab = Vocabulary.load()
    for title, summary, topic in (
        ("Coverstar: a livestreaming app", "In-app purchases.", "online safety"),
        ("Anime TV: check the age ratings", "", "online safety"),
        ("Vaping", "", "drugs and alcohol"),
        ("E-scooters", "", "accident prevention"),
    ):
        found = classify_item(make(title, summary))
        assert found.relevance >= vocab.borderline, title
        assert topic in found.topics, title


def test_schools_bulletins_safety_items_are_shown() -> None:
    """Councils' bulletins for schools carry the Prevent duty by its statutory words ("drawn
    into terrorism"), drug awareness, sexually explicit images and the police's Safer
    Schools Partnerships; news digests carry the vetting scheme."""
    vocab = Vocabulary.load()
    for title, summary in (
        ("New statutory duties for schools", "Preventing people being drawn into terrorism."),
        ("Alcohol and drug awareness workshop", ""),
        ("Sexually explicit images on pupils' mobile phones", ""),
        ("Safer Schools Partnership handbook", ""),
        ("Ministers retreat on child database", "A review of the vetting scheme."),
    ):
        found = classify_item(make(title, summary))
        assert found.relevance >= vocab.borderline, title


def test_child_marriage_pants_and_misogyny_are_safeguarding_items() -> None:
    """Bulletins carry child marriage, the NSPCC's PANTS (written in capitals: not the
    garment) and the misogyny influencers spread in schools."""
    vocab = Vocabulary.load()
    marriage = classify_item(make("Things about child marriage", "A systematic review."))
    assert marriage.relevant and "harmful practices" in marriage.topics
    pants = classify_item(make("Let's Talk PANTS! Insight sessions"))
    assert pants.relevance >= vocab.borderline
    for garment in ("School uniform: pants and socks", "Pants and socks"):
        found = classify_item(make(garment))
        assert "PANTS" not in [e["phrase"] for e in found.relevance_evidence], garment
    tate = classify_item(make("'Andrew Tate phenomena' surges in schools"))
    assert tate.relevant or tate.borderline


def test_a_trusted_adult_is_safeguarding_language() -> None:
    """A trusted adult a child can talk to is how bulletins put safeguarding to young people
    and their coaches ("more trusted adults who listen to young people")."""
    vocab = Vocabulary.load()
    found = classify_item(make("Youth strategy: more trusted adults for young people"))
    assert found.relevance >= vocab.borderline
    assert any(e["phrase"] == "trusted adult*" for e in found.relevance_evidence)


def test_childrens_services_count_beside_children_and_secure_settings_are_care() -> None:
    """ "Children's services" is a council's or Ofsted's name for children's social care:
    beside children it counts, alone (a director's job, Ofsted's own name) it decides
    nothing. Children in secure settings are in care or custody."""
    vocab = Vocabulary.load()
    judged = classify_item(
        make("Leeds is outstanding", "Ofsted judged the children's services for children here.")
    )
    assert judged.relevance >= vocab.borderline
    alone = classify_item(make("Children's services"))
    assert alone.relevance < vocab.borderline
    secure = classify_item(make("Health standards for young people in secure settings"))
    assert secure.relevant and "children's social care" in secure.topics


def test_governance_papers_play_and_newborn_checks_are_not_safeguarding() -> None:
    """A safeguarding board's meeting notes are its own business; the play sufficiency duty,
    playwork and the newborn check concern children, not their safety. A safeguarding term
    still wins over each. Terms of reference are not a cue: a procedures manual's new chapter
    can be a harmful sexual behaviour panel's (the twenty-eighth set)."""
    board = "Mid and West Wales Safeguarding Children Board"
    for title, publisher in (
        ("Board discussion notes, summer", board),
        ("Meeting the play sufficiency duty", "Play Wales"),
        ("Playwork conference and awards", "Kids' Clubs"),
        ("The six-week newborn check", "Community Practitioner"),
    ):
        found = classify_item(make(title, publisher=publisher))
        assert not found.relevant and not found.borderline, title
    assert classify_item(make("Safeguarding in playwork settings")).relevant
    assert classify_item(make("Harmful Sexual Behaviour Panel Terms of Reference")).relevant


def test_intimate_care_court_work_and_railway_trespass_are_safeguarding_items() -> None:
    """Councils' bulletins for schools carry intimate care policies; practice bulletins carry
    the Public Law Outline (the pre-proceedings stage of care proceedings); police warn
    partners about children trespassing on railway lines."""
    for title, topic in (
        ("Intimate care: a model policy for schools", "child protection and safeguarding practice"),
        ("Public Law Outline toolkit workshops", "children's social care"),
        ("Railway safety: trespass on the line", "accident prevention"),
    ):
        found = classify_item(make(title))
        assert found.relevant, title
        assert topic in found.topics, title


def test_annual_meetings_and_award_winners_are_an_organisations_own_business() -> None:
    """An AGM and an awards ceremony are an organisation's own business, however much early
    help or SEND they name; a safeguarding term still wins."""
    for title, summary in (
        ("Information from our virtual AGM", "Our SEND partnership leaders presented."),
        ("Congratulations to our award winners", "The early help awards ceremony."),
    ):
        found = classify_item(make(title, summary))
        assert not found.relevant and not found.borderline, title
    assert classify_item(make("AGM: our child protection report")).relevant


def test_training_courses_name_allegations_boundaries_and_restraint() -> None:
    """Safeguarding training companies' round-ups list courses by their subject alone:
    managing allegations, professional boundaries, restrictive interventions and reasonable
    force; a press story names children self-harming."""
    for title, topic in (
        ("Managing Allegations", "child protection and safeguarding practice"),
        ("Professional Boundaries Training", "safer recruitment"),
        ("Webinar: the new guidance on restrictive interventions", None),
        ("When may staff use reasonable force?", None),
        ("Children stressed and self-harming over the cost of living", "mental health"),
    ):
        found = classify_item(make(title))
        assert found.relevant, title
        assert topic is None or topic in found.topics, title
    # A child protection association's items are at least borderline, except its own moves.
    association = "Safeguarding and Child Protection Association"
    moved = classify_item(make("New office base and telephone number", publisher=association))
    assert not moved.relevant and not moved.borderline
    assert classify_item(make("Website relaunched", publisher=association)).borderline


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("New GIRFEC toolkit", ""),
        ("Guidelines for the Alternative Care of Children", ""),
        ("Age of criminal responsibility", ""),
        ("Children aged 3 reported for crimes", "Labelling young children raises later offending."),
    ],
)
def test_scotlands_girfec_alternative_care_and_childrens_offending_are_shown(
    title: str, summary: str
) -> None:
    """Scottish news lists carry GIRFEC (Getting It Right For Every Child) by its acronym, the
    UN's guidelines on alternative care, and children's offending and the age of criminal
    responsibility."""
    assert classify_item(make(title, summary)).relevant


def test_offending_alone_decides_nothing() -> None:
    """Offending alone (an adult's) is generic: it needs a phrase about children beside it."""
    assert classify_item(make("Reducing offending")).relevance < Vocabulary.load().borderline


def test_the_first_1001_days_count_and_adults_safeguarding_principles_do_not() -> None:
    """A title-only line about the first 1001 days of life is early years safeguarding;
    Making Safeguarding Personal is the principle of adults' safeguarding, and organ
    trafficking concerns adults."""
    assert classify_item(make("Casting long shadows: a new report on the first 1001 days")).relevant
    for title in (
        "7-minute briefing: making safeguarding personal",
        "The battle for human organs: organ trafficking and transplant tourism",
    ):
        found = classify_item(make(title))
        assert not found.relevant and not found.borderline, title


def test_press_stories_name_social_services_and_strangers() -> None:
    """Press digests report a child "known to social services" and children's contact with
    strangers online; a stranger alone (a play's title) decides nothing."""
    vocab = Vocabulary.load()
    inquiry = make("Inquiry into death of girl, 8", "She was known to social services.")
    assert classify_item(inquiry).relevance >= vocab.borderline
    online = make("'Every child will have contact with a stranger online'")
    assert classify_item(online).relevance >= vocab.borderline
    assert classify_item(make("The Stranger: a new play")).relevance < vocab.borderline


def test_free_school_meal_vouchers_are_not_safeguarding() -> None:
    """A council's bulletin for schools asks for pupil numbers for free school meal vouchers
    through online forms: "meal" in the singular is the same cue as "meals"."""
    vouchers = make(
        "Free school meal vouchers for May half-term",
        "Schools must submit eligible pupil numbers through online forms.",
    )
    found = classify_item(vouchers)
    assert not found.relevant and not found.borderline


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Judge approves unregistered placement for girl, 15", "children's social care"),
        ("Family group conferences: a national picture", "children's social care"),
        ("Born into Care: when the state intervenes at birth", "children's social care"),
        ("Guidance on allegations of alienating behaviour", "children's social care"),
        ("Regulator fines app for misusing children's personal data", "online safety"),
        ("The Age Appropriate Design Code one year on", "online safety"),
    ],
)
def test_family_justice_and_childrens_data_are_safeguarding_items(title: str, topic: str) -> None:
    """The family law press and regulators' news carry unregistered placements, family group
    conferences, babies born into care proceedings, alienating behaviour in the family court,
    and fines for misusing children's data."""
    found = classify_item(make(title))
    assert found.relevant, title
    assert topic in found.topics, title


@pytest.mark.parametrize(
    ("title", "summary", "topic"),
    [
        ("Blind cord accidents", "Looped cords can strangle toddlers.", "accident prevention"),
        ("Don't be too relaxed around nappy sacks", "", "accident prevention"),
        ("Teaching children to be safe near water", "56 children drowned.", None),
        ("Focus on firework safety", "500 children will attend A&E.", "accident prevention"),
        ("Warning of giving whole grapes to children", "Risk of choking.", None),
        ("Return interview best practice", "", "exploitation"),
        ("New year, old problems", "Children living with parental alcohol problems.", None),
        (
            "Preventing teenage problem gambling",
            "Few parents would stop their child gambling.",
            None,
        ),
    ],
)
def test_accident_prevention_and_hidden_harms_at_home_are_shown(
    title: str, summary: str, topic: str | None
) -> None:
    """Accident prevention charities name the hazard (blind cords, nappy sacks, drowning,
    fireworks, choking); a missing children's charity names return interviews; children's
    charities write about parental alcohol problems and teenage gambling."""
    found = classify_item(make(title, summary))
    assert found.relevant or found.borderline, title
    assert topic is None or topic in found.topics, title


def test_fireworks_choking_and_injuries_alone_decide_nothing() -> None:
    """A fireworks display, a choking hazard in a restaurant review and an injured footballer
    name no child: the generic words need a phrase about children beside them."""
    vocab = Vocabulary.load()
    for title in ("Fireworks display on the green", "Choking on the menu", "Striker injured"):
        assert classify_item(make(title)).relevance < vocab.borderline, title


def test_extra_familial_harm_is_safeguarding_practice() -> None:
    """Contextual safeguarding's practice guides name harm from outside the family, with or
    without the hyphen."""
    for title in (
        "Assessment for young people at risk of extra-familial harm: a practice guide",
        "Responding to extra familial harm",
    ):
        found = classify_item(make(title))
        assert found.relevant, title
        assert "child protection and safeguarding practice" in found.topics, title


def test_detained_children_and_the_press_words_for_sexual_offences_are_shown() -> None:
    """The Home Office reviews its policy on detaining children (their families' immigration
    status is no negative here); the local press reports a trial for historic child sex
    offences and indecent assault."""
    detention = make(
        "Home Office reviews policies on detaining children",
        "Families found to be in the country illegally.",
    )
    assert classify_item(detention).relevant
    trial = make("Man sentenced for historic child sex offences", "Jailed for indecent assault.")
    found = classify_item(trial)
    assert found.relevant
    assert "child sexual abuse" in found.topics


@pytest.mark.parametrize(
    ("title", "phrase"),
    [
        ("Our statement welcoming the RSHE Review", "RSHE"),
        ("Changes to the AccessNI filtering scheme", "AccessNI"),
        ("Teachers given prohibition orders for misconduct", "prohibition order*"),
    ],
)
def test_relationships_education_and_barring_from_work_with_children_are_shown(
    title: str, phrase: str
) -> None:
    """Relationships, sex and health education (RSHE) is a safeguarding sub-area on its own,
    and so are Northern Ireland's disclosure service and teachers' prohibition orders."""
    found = classify_item(make(title))
    assert found.relevant, title
    assert phrase in {hit["phrase"] for hit in found.relevance_evidence}, title


def test_platform_safety_reports_are_shown() -> None:
    """Safeguarding news round-ups carry platforms' safety reports under the EU's Digital
    Services Act."""
    report = make(
        "TikTok announces new quarterly safety update",
        "Under the EU Digital Services Act it will report on improving user safety.",
    )
    found = classify_item(report)
    assert found.relevant or found.borderline


COMMISSIONER = "Children's Commissioner"


@pytest.mark.parametrize(
    ("title", "summary", "publisher"),
    [
        ("Concern at U-turn on academic selection", "Pupils sit transfer tests.", COMMISSIONER),
        ("Child Support Convention report", "Recovering child support abroad.", COMMISSIONER),
        ("Runners urged to join Road Safety Week", "Clubs can fundraise for it.", "Brake"),
        ("Summer playschemes", "Playschemes for disabled children aged 5 to 18.", "Mencap"),
        ("Wildlife smuggling and organised crime", "Wildlife and timber trafficking.", "Interpol"),
        ("Pocket money: facts and figures", "Surveys of children's saving habits.", "Halifax"),
        ("Comment on the teacher wellbeing index", "Stress in schools has risen.", "A college"),
        ("Why we should worry about youth unemployment", "Young people not in work.", "A fund"),
    ],
)
def test_matters_near_children_that_are_not_their_safety_are_hidden(
    title: str, summary: str, publisher: str
) -> None:
    """Academic selection and transfer tests, recovering child support across borders,
    fundraising, holiday playschemes, wildlife trafficking, pocket money, teachers' wellbeing
    and youth unemployment are about children, schools or trafficking, not children's
    safety: negative cues hide them, even from a children's commissioner."""
    found = classify_item(make(title, summary, publisher=publisher))
    assert not found.relevant and not found.borderline, title
