"""Cross-source clusters (aggregator/dedupe: clusters, titles, url_keys, publisher): the cases of
issue 4 and the all-pairs guard."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.dedupe.clusters import Candidate, ClusterIndex
from aggregator.dedupe.publisher import publisher_of_record
from aggregator.dedupe.titles import normalise_title, title_tokens
from aggregator.dedupe.url_keys import url_key_or_none as fast_url_key
from aggregator.normalise.urls import url_key

ROOT = Path(__file__).resolve().parents[2]

MR = "https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"
MR_PDF = (
    "https://assets.publishing.service.gov.uk/media/6630f1a2/"
    "mandatory-reporting-government-response.pdf"
)
DAY = datetime(2024, 5, 9, 9, 30, tzinfo=UTC)


def home_office(**kw: object) -> Candidate:
    fields: dict[str, object] = {
        "item_id": 1,
        "source": "home_office",
        "publisher": "Home Office",
        "url": MR,
        "title": "Child sexual abuse: mandatory reporting",
        "published": DAY,
        "attachment_urls": (MR_PDF,),
    }
    fields.update(kw)
    return Candidate(**fields)  # type: ignore[arg-type]


def nspcc(**kw: object) -> Candidate:
    fields: dict[str, object] = {
        "item_id": 2,
        "source": "nspcc",
        "publisher": "NSPCC",
        "url": "https://learning.nspcc.org.uk/news/2024/may/mandatory-reporting-response",
        "title": "Government responds to mandatory reporting consultation",
        "published": DAY + timedelta(days=1),
    }
    fields.update(kw)
    return Candidate(**fields)  # type: ignore[arg-type]


def index_of(*items: Candidate) -> ClusterIndex:
    index = ClusterIndex()
    for item in items:
        index.add(item)
    return index


# --- exact signals -----------------------------------------------------------------------


def test_outbound_link_with_tracking_and_http_matches_and_names_the_link() -> None:
    link = (
        "http://gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting/"
        "?utm_source=newsletter&utm_medium=email#history"
    )
    write_up = nspcc(link_urls=("https://www.nspcc.org.uk/donate", link))
    [match] = index_of(home_office()).matches(write_up)
    assert (match.item_id, match.kind, match.score) == (1, "link", 1.0)
    assert match.reason == f"links to {MR}"

    # The other way round: the Home Office item finds the write-up that links to it.
    [back] = index_of(write_up).matches(home_office())
    assert (back.item_id, back.kind) == (2, "link")
    assert back.reason == f"linked from {write_up.url}"


def test_same_pdf_on_two_sites() -> None:
    copy = nspcc(attachment_urls=(MR_PDF.replace("https://", "http://") + "?utm_source=x",))
    [match] = index_of(home_office()).matches(copy)
    assert (match.item_id, match.kind) == (1, "attachment")
    assert match.reason == f"same attachment {MR_PDF}"


def test_link_to_the_others_attachment() -> None:
    write_up = nspcc(link_urls=(MR_PDF,))
    [match] = index_of(home_office()).matches(write_up)
    assert (match.item_id, match.kind) == (1, "attachment")
    assert match.reason == f"links to attachment {MR_PDF}"
    [back] = index_of(write_up).matches(home_office())
    assert back.kind == "attachment"
    assert back.reason == f"attachment {MR_PDF} is linked from {write_up.url}"


@pytest.mark.parametrize(
    "variant",
    [
        MR + "?utm_source=govdelivery&utm_campaign=weekly",
        MR + "?fbclid=abc",
        MR + "#history",
        MR + "#:~:text=mandatory",
        MR.replace("https://", "http://"),
        MR.replace("://www.", "://"),
        MR + "/",
        "HTTP://GOV.UK/government/consultations/child-sexual-abuse-mandatory-reporting/?utm_medium=email#x",
    ],
)
def test_url_variants_never_prevent_a_url_match(variant: str) -> None:
    other = nspcc(url=variant, title="Something else entirely", published=None)
    [match] = index_of(home_office()).matches(other)
    assert (match.item_id, match.kind, match.reason) == (1, "url", "same canonical URL")
    # and as a link target
    linking = nspcc(link_urls=(variant,))
    assert [m.kind for m in index_of(home_office()).matches(linking)] == ["link"]


def test_shared_outbound_link_alone_is_not_a_match() -> None:
    hub = "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2"
    a = home_office(link_urls=(hub,), attachment_urls=())
    b = nspcc(link_urls=(hub,))
    assert index_of(a).matches(b) == []


def test_junk_links_are_ignored() -> None:
    b = nspcc(link_urls=("mailto:help@nspcc.org.uk", "javascript:void(0)", "not a url", MR))
    assert [m.kind for m in index_of(home_office()).matches(b)] == ["link"]


def test_exact_signals_rank_before_title_and_one_match_per_item() -> None:
    b = nspcc(title="Child sexual abuse: mandatory reporting", published=DAY, link_urls=(MR,),
              attachment_urls=(MR_PDF,))  # fmt: skip
    [match] = index_of(home_office()).matches(b)
    assert match.kind == "attachment"  # attachment outranks link and title


# --- titles ------------------------------------------------------------------------------

LONG = "Child safeguarding practice review panel: annual report on serious incidents in England"


def test_near_identical_titles_same_day_match() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title=LONG)
    b = nspcc(title="Guidance: CHILD SAFEGUARDING PRACTICE REVIEW PANEL - annual report on "
              "serious incidents in England. - GOV.UK", published=DAY)  # fmt: skip
    [match] = index_of(a).matches(b)
    assert (match.item_id, match.kind, match.score) == (1, "title", 1.0)
    assert match.reason == "title similarity 1.00, published the same day"


def test_one_word_changed_still_matches_within_the_date_gap() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title=LONG)
    b = nspcc(title=LONG.replace("annual", "interim"), published=DAY + timedelta(days=2))
    [match] = index_of(a).matches(b)
    assert match.kind == "title"
    assert 0.8 <= match.score < 1.0
    assert match.reason.endswith("published 2 days apart")


def test_near_identical_titles_different_dates_do_not_match() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title=LONG)
    b = nspcc(title=LONG, published=DAY + timedelta(days=4))
    assert index_of(a).matches(b) == []
    c = nspcc(title=LONG, published=DAY - timedelta(days=365))
    assert index_of(a).matches(c) == []


def test_same_source_never_matches() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title=LONG)
    b = home_office(item_id=2, url="https://www.gov.uk/y", title=LONG, link_urls=(a.url,))
    assert index_of(a).matches(b) == []
    # the same URL from the same source is the key/alias job, not a cluster
    assert index_of(a).matches(home_office(item_id=3, url=a.url, title=LONG)) == []


def test_undated_titles_need_near_identity() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title=LONG)
    same = nspcc(title=LONG + " - GOV.UK", published=None)
    [match] = index_of(a).matches(same)
    assert match.reason == "title similarity 1.00, undated"
    assert [m.item_id for m in index_of(same).matches(a)] == [2]  # dated query, undated item
    edited = nspcc(title=LONG.replace("annual", "interim"), published=None)
    assert index_of(a).matches(edited) == []


def test_generic_short_titles_never_match_by_title() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title="Annual report")
    b = nspcc(title="Annual report", published=DAY)
    assert index_of(a).matches(b) == []


def test_never_matches_itself_and_remove_forgets() -> None:
    a = home_office(url="https://www.gov.uk/x", attachment_urls=(), title=LONG)
    b = nspcc(item_id=2, title=LONG, published=DAY, link_urls=(a.url,))
    index = index_of(a, b)
    assert [m.item_id for m in index.matches(a)] == [2]
    assert [m.item_id for m in index.matches(b)] == [1]
    index.remove(2)
    assert index.matches(a) == []
    assert len(index) == 1 and 2 not in index
    index.remove(2)  # unknown ids are ignored
    # re-adding an id replaces the old entry
    index.add(b)
    index.add(nspcc(item_id=2, title="Unrelated podcast about sleep", published=DAY))
    assert index.matches(a) == []


def test_normalise_title() -> None:
    assert normalise_title("Guidance: Child Sexual Abuse – Mandatory Reporting - GOV.UK") == (
        "child sexual abuse mandatory reporting"
    )
    assert normalise_title("News story: Children’s services & schools | NSPCC Learning") == (
        "children services and schools"
    )
    assert normalise_title("Consultation responses to the review") == (
        "consultation responses to the review"
    )
    # The drafts' stemmer (aggregator/normalise/stem.py) folds irregular plurals and -ing/-ed.
    assert title_tokens("Organizations' behaviors: programs for the children") == [
        "organisation", "behaviour", "programme", "child",
    ]  # fmt: skip
    assert title_tokens("Safeguarding children: findings") == title_tokens(
        "Safeguard the child: finding"
    )


def test_signature_is_seeded_and_deterministic() -> None:
    assert ClusterIndex(seed=3).signature(LONG) == ClusterIndex(seed=3).signature(LONG)
    assert ClusterIndex(seed=3).signature(LONG) != ClusterIndex(seed=4).signature(LONG)
    assert len(ClusterIndex().signature(LONG)) == 128
    assert ClusterIndex().signature("Annual report") == []


def test_fast_url_key_agrees_with_url_key() -> None:
    rng = random.Random(5)
    parts = ["https://", "http://", "HTTPS://"]
    hosts = ["www.gov.uk", "GOV.UK", "learning.nspcc.org.uk", "www.www.a.org", "a-b.c", "x."]
    paths = ["", "/", "/a", "/a/", "/A/b.pdf", "//a", "/a/./b", "/a/../b", "/%7Ea", "/a b",
             "/~x/(y);p=1", "/x+y:z@w", "/.well-known", "/a?b=1", "/a#f", "/é"]  # fmt: skip
    for _ in range(500):
        url = rng.choice(parts) + rng.choice(hosts) + rng.choice(paths)
        try:
            expected: str | None = url_key(url)
        except ValueError:
            expected = None
        assert fast_url_key(url) == expected, url
    assert fast_url_key("mailto:x@y.z") is None


# --- publisher of record -----------------------------------------------------------------


def test_publisher_of_record_is_the_linked_home_office_item() -> None:
    ho = home_office()
    write_up = nspcc(link_urls=(MR,), published=DAY - timedelta(days=1))  # even if earlier
    assert publisher_of_record([write_up, ho]) is ho
    # the same PDF on both sites: the site hosting it wins
    copy = nspcc(attachment_urls=(MR_PDF,), published=DAY - timedelta(days=1))
    assert publisher_of_record([copy, ho]) is ho


def test_publisher_of_record_fallbacks() -> None:
    a = nspcc(item_id=5, published=DAY)
    b = nspcc(item_id=4, source="barnardos", url="https://www.barnardos.org.uk/r", published=DAY)
    gov = nspcc(item_id=9, source="dfe", url="https://www.gov.uk/guidance/z", published=None)
    assert publisher_of_record([a, b, gov]) is gov  # a GOV.UK page
    early = nspcc(item_id=7, url="https://x.org/e", published=DAY - timedelta(days=3))
    assert publisher_of_record([a, b, early]) is early  # the earliest published
    assert publisher_of_record([a, b]) is b  # then the lowest id
    with pytest.raises(ValueError):
        publisher_of_record([])


# --- the guard against all-pairs comparison ----------------------------------------------

WORDS = (
    "abuse", "neglect", "online", "safety", "grooming", "exploitation", "county", "lines",
    "trafficking", "bullying", "radicalisation", "trauma", "bereavement", "fostering",
    "adoption", "kinship", "care", "leavers", "residential", "secure", "custody", "youth",
    "justice", "schools", "colleges", "nurseries", "health", "visitors", "midwives", "police",
    "social", "workers", "practitioners", "partnership", "review", "evaluation", "briefing",
    "toolkit", "framework", "statistics", "inspection", "audit", "survey", "consultation",
    "response", "guidance", "practice", "learning", "disabled", "babies", "adolescents",
    "siblings", "parents", "carers", "mental", "wellbeing", "self-harm", "suicide", "violence",
    "knife", "gangs", "missing", "education", "exclusion", "attendance", "poverty", "housing",
    "homelessness", "refugees", "asylum", "disclosure", "barring", "recruitment", "allegations",
    "staff", "volunteers", "sport", "faith", "communities", "rural", "coastal", "urban",
    "England", "Wales", "Scotland", "Belfast", "Leeds", "Bristol", "Croydon", "Kent", "Devon",
    "Norfolk", "Cumbria", "Birmingham", "Manchester", "Liverpool", "Sheffield", "Newcastle",
    "annual", "interim", "rapid", "thematic", "national", "local", "regional", "independent",
    "joint", "serious", "incidents", "deaths", "injuries", "sleep", "infants", "pornography",
    "sexting", "imagery", "livestreaming", "gaming", "platforms", "moderation", "verification",
    "helpline", "contacts", "advocacy", "therapy", "recovery", "prevention", "early", "help",
)  # fmt: skip


def test_guard_no_all_pairs_comparison() -> None:
    rng = random.Random(7)
    index = ClusterIndex()
    items: list[Candidate] = []
    # 2,000 unrelated titles, all on the same day so the date window rules nothing out.
    for i in range(2000):
        title = " ".join(rng.sample(WORDS, 10)).capitalize()
        items.append(nspcc(item_id=i, source=f"source{i % 7}", url=f"https://x.org/{i}",
                           title=title, published=DAY))  # fmt: skip
    planted: set[tuple[int, int]] = set()
    for k in range(20):
        orig = items[k * 97]
        words = orig.title.split()
        edit = k % 3
        if edit == 0:
            title = "Guidance: " + orig.title.upper() + " - GOV.UK"
        elif edit == 1:
            title = ", ".join(words) + "."
        else:
            title = " ".join([*words[:4], "updated", *words[5:]])
        dup_id = 5000 + k
        items.append(nspcc(item_id=dup_id, source=orig.source + "x", url=f"https://y.org/{k}",
                           title=title, published=DAY))  # fmt: skip
        planted.add((orig.item_id, dup_id))
    for c in items:
        index.add(c)
    found: set[tuple[int, int]] = set()
    for c in items:
        for m in index.matches(c):
            found.add((min(c.item_id, m.item_id), max(c.item_id, m.item_id)))
    assert planted <= found
    assert index.scorer_calls < 2000 * 5, index.scorer_calls  # all-pairs would be ~2M
    assert index.candidate_count < 2000 * 5, index.candidate_count
