"""GOV.UK behaviour the goldens do not show: updates, the fallback channel, withdrawn items."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.parse.offline import parse_saved
from aggregator.sources import REGISTRY, Channel, ChannelKind, Source, SourceKind, get_source
from aggregator.storage.repository import Repository
from spiders.base import Page
from spiders.govuk import GovukParser
from spiders.loader import parser_for
from tests.crawling import crawl, last_run, stored
from tests.first_crawls import FirstCrawls

MANDATORY = "gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"
FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)


def test_consultation_outcome_added_upstream_is_an_update_with_its_change_note(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    earlier = first_crawls.get("home_office", FIXTURES_DIR / "home_office" / "earlier")
    db = earlier.copy(tmp_path / "a.db")
    before = {i["key"]: i for i in stored(db, "home_office")}
    assert before[MANDATORY]["doc_type"] == "consultation"
    assert before[MANDATORY]["change_note"] is None

    crawl(db, "home_office")
    run = last_run(db, "home_office")
    assert run.stats.items_updated >= 1
    repo = Repository.from_url(db)
    [found] = [s for s in repo.list_items(source="home_office") if s.item.key == MANDATORY]
    assert found.item.doc_type == "consultation_response"
    assert found.item.change_note == "Added the government response and equality impact assessment."
    assert found.item.first_seen == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert found.needs_review
    kinds = [(r.kind, r.change_note) for r in repo.revisions(found.id)]
    assert kinds == [("new", None), ("update", found.item.change_note)]
    # One item per key: the update did not create a second one.
    keys = [i["key"] for i in stored(db, "home_office")]
    assert len(keys) == len(set(keys))


def test_second_crawl_of_unchanged_source_reports_everything_unchanged(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = first_crawls.get("dhsc").copy(tmp_path / "b.db")
    first = last_run(db, "dhsc").stats
    crawl(db, "dhsc")
    second = last_run(db, "dhsc").stats
    assert first.items_new > 20
    assert (second.items_new, second.items_updated) == (0, 0)
    # The Search API answered 304 Not Modified: nothing was refetched or rewritten.
    assert second.responses_by_status.get("304") == 1


def test_search_api_failure_falls_back_to_the_atom_feed_without_duplicates(tmp_path: Path) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / "home_office", copy / "home_office")
    meta_path = copy / "home_office" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for response in meta["responses"]:
        if "/api/search.json" in response["url"]:
            response["status"] = 500
    meta_path.write_text(json.dumps(meta))

    db = f"sqlite:///{tmp_path}/c.db"
    crawl(db, "home_office", fixtures_dir=copy)
    run = last_run(db, "home_office")
    assert run.stats.status == "partial"
    assert any(
        "api/search.json" in e["url"] and "HTTP 500" in e["message"] for e in run.stats.errors
    )
    assert any(
        e["url"].endswith("home-office.atom") and e["message"].startswith("fallback channel used")
        for e in run.stats.errors
    )
    from_feed = {i["key"]: i for i in stored(db, "home_office")}
    assert len(from_feed) == 20
    assert from_feed[MANDATORY]["title"] == "Child sexual abuse: mandatory reporting"

    # The primary channel comes back: the same 20 publications are found again, not duplicated.
    crawl(db, "home_office")
    after = stored(db, "home_office")
    assert len(after) == len({i["key"] for i in after})
    assert {i["key"] for i in from_feed.values()} <= {i["key"] for i in after}
    assert last_run(db, "home_office").stats.items_new == len(after) - 20


def test_org_feed_ids_are_never_identity_and_title_prefixes_are_stripped() -> None:
    folder = FIXTURES_DIR / "home_office"
    feed = parse_saved(
        "home_office",
        (folder / "org.atom").read_bytes(),
        "https://www.gov.uk/government/organisations/home-office.atom",
        FETCHED,
    ).items
    search = parse_saved(
        "home_office",
        (folder / "search.json").read_bytes(),
        json.loads((folder / "meta.json").read_text())["responses"][0]["url"],
        FETCHED,
    ).items
    assert all(not i.aliases for i in feed)
    assert not any(i.title.startswith(("Guidance: ", "Consultation outcome: ")) for i in feed)
    assert {i.key for i in feed} <= {i.key for i in search}


def test_withdrawn_document_is_kept_and_flagged_not_dropped(
    tmp_path: Path, first_crawls: FirstCrawls
) -> None:
    db = first_crawls.get("dhsc").copy(tmp_path / "d.db")
    assert last_run(db, "dhsc").stats.dropped_reasons == {}
    withdrawn = [i for i in stored(db, "dhsc") if i["withdrawn"]]
    assert len(withdrawn) == 1
    # The notice's own explanation and time (`withdrawn_notice`), never a generic reason and
    # the fetch time.
    assert withdrawn[0]["withdrawn_reason"].startswith("This guidance has been withdrawn because")
    when = datetime.fromisoformat(withdrawn[0]["withdrawn"].replace("Z", "+00:00"))
    assert when == datetime(2024, 4, 29, 10, tzinfo=UTC)


COMPARED = ("title", "url", "key", "published", "published_precision", "updated", "doc_type")


# Every GOV.UK source whose fixtures carry an API-drift `variant/`, found on disk.
DRIFTED = sorted(
    slug
    for slug, source in REGISTRY.items()
    if source.kind == SourceKind.GOVUK and (FIXTURES_DIR / slug / "variant" / "meta.json").exists()
)


def test_the_drift_variant_is_found() -> None:
    assert DRIFTED, "no GOV.UK source has an API-drift variant/"


@pytest.mark.parametrize("slug", DRIFTED)
def test_api_drift_variant_gives_the_same_items(slug: str) -> None:
    """Keys reordered, fields added and removed: every item field that was present agrees."""
    main = {r.url: r for r in read_meta(FIXTURES_DIR / slug)}
    for response in read_meta(FIXTURES_DIR / slug / "variant"):
        if response.file.name == "robots.txt":
            continue
        original = main[response.url]
        a = parse_saved(slug, original.file.read_bytes(), response.url, FETCHED).items
        b = parse_saved(slug, response.file.read_bytes(), response.url, FETCHED).items
        by_key = {i.key: i for i in a}
        assert b, response.url
        for item in b:
            for name in COMPARED:
                assert getattr(item, name) == getattr(by_key[item.key], name), (item.key, name)


# --- the kind: any organisation, and what GOV.UK's document types mean ------------------------


def test_any_organisation_is_a_registry_entry_read_by_the_govuk_kind() -> None:
    search = next(r for r in read_meta(FIXTURES_DIR / "home_office") if "search.json" in r.url)
    other = Source(
        slug="another_org",
        publisher="Another Organisation",
        homepage="https://www.gov.uk/government/organisations/another-org",
        channels=(Channel(ChannelKind.API, search.url),),
        kind=SourceKind.GOVUK,
    )
    assert other.spider is None and parser_for(other) is GovukParser
    parsed = GovukParser(other).parse(Page(search.file.read_bytes(), search.url, FETCHED))
    raws = parsed.listed()
    assert raws and all(r.source == "another_org" for r in raws)
    reference = parse_saved("home_office", search.file.read_bytes(), search.url, FETCHED).items
    assert {r.url.removeprefix("https://www.") for r in raws} == {i.key for i in reference}


@pytest.mark.parametrize(
    ("label", "url", "expected"),
    [
        (
            "consultation_outcome",
            "https://www.gov.uk/government/consultations/x",
            ("consultation_response", "GOV.UK content_store_document_type=consultation_outcome"),
        ),
        (
            "Press release",
            "https://www.gov.uk/government/news/x",
            ("news", "GOV.UK display type 'Press release'"),
        ),
        # a label GOV.UK does not use, then no label: the URL series decides
        (
            "something_new",
            "https://www.gov.uk/government/statistics/x",
            ("statistics", "URL series '/government/statistics/'"),
        ),
        (None, "https://www.gov.uk/guidance/x", ("guidance", "URL series '/guidance/'")),
        (None, "https://www.gov.uk/government/publications/x", None),
    ],
)
def test_the_govuk_kind_says_what_its_document_types_mean(
    label: str | None, url: str, expected: tuple[str, str] | None
) -> None:
    found = GovukParser(get_source("home_office")).resolve_type(label, url)
    assert (found and (found[0].value, found[1])) == expected
