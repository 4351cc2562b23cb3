"""The queue: what it shows, in what order, filters, search, keyset pages, bulk actions."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.review.queries import Cursor, QueueFilters, queue_page
from aggregator.schema import DocType
from tests.review.conftest import FOUND, World, make_item, post, store
from tests.review.conftest import classification as classification_of


def shown(page: str) -> list[int]:
    """Item ids in page order (the rows, not the pinned block)."""
    body = page.split('class="pinned"', 1)[0] if 'class="pinned"' in page else page
    if 'class="pinned"' in page:
        body = page.split("</section>", 1)[1]
    return [int(n) for n in re.findall(r'<li class="row[^"]*" data-id="(\d+)"', body)]


def test_triage_queue_groups_by_day_and_source_relevance_first(world: World) -> None:
    page = world.client().get("/queue").get_data(as_text=True)
    ids = world.ids
    assert shown(page) == [ids["neglect"], ids["cse"], ids["unclassified"], ids["older"]]
    assert ids["visa"] not in shown(page)  # probably not safeguarding: hidden by default
    assert page.index("Tuesday 04 June 2024") < page.index("Tuesday 28 May 2024")
    assert "NSPCC" in page


def test_probably_not_safeguarding_items_on_request(world: World) -> None:
    client = world.client()
    ids = world.ids
    everything = shown(client.get("/queue?relevance=all").get_data(as_text=True))
    assert ids["visa"] in everything
    only = shown(client.get("/queue?relevance=irrelevant").get_data(as_text=True))
    assert only == [ids["visa"]]
    strong = shown(client.get("/queue?min_relevance=0.7").get_data(as_text=True))
    assert strong == [ids["neglect"], ids["older"]]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("source=home_office&relevance=all", ["visa"]),
        ("type=briefing", ["cse"]),
        ("topic=exploitation", ["cse"]),
        ("topic=online+safety", ["unclassified"]),
        ("nation=UK-wide&relevance=all", ["visa"]),
        ("from=2024-05-27&to=2024-05-29", ["older"]),
        ("from=2024-06-04", ["neglect", "cse", "unclassified"]),
    ],
)
def test_filters(world: World, query: str, names: list[str]) -> None:
    page = world.client().get(f"/queue?{query}").get_data(as_text=True)
    assert shown(page) == [world.ids[n] for n in names]


def test_full_text_search_is_stemmed_and_kept_in_step(world: World) -> None:
    client = world.client()
    ids = world.ids
    assert shown(client.get("/queue?q=neglected").get_data(as_text=True)) == [
        ids["neglect"],
        ids["older"],
    ]
    assert shown(client.get("/queue?q=older+neglect").get_data(as_text=True)) == [ids["older"]]
    assert shown(client.get('/queue?q="exploitation*+(-').get_data(as_text=True)) == [ids["cse"]]
    assert shown(client.get("/queue?q=%22%22").get_data(as_text=True)) != []  # no words: all
    # a crawl that changes the title changes what is found (the index follows the items table)
    renamed = make_item("cse", "Criminal exploitation and county lines", doc_type=DocType.BRIEFING)
    world.repo.upsert_items([renamed], FOUND + timedelta(hours=1))
    assert shown(client.get("/queue?q=county+lines").get_data(as_text=True)) == [ids["cse"]]
    assert shown(client.get("/queue?q=sexual").get_data(as_text=True)) == []


def test_status_filter_and_the_pinned_block_of_updates_after_a_decision(world: World) -> None:
    client = world.client()
    ids = world.ids
    world.repo.review(ids["neglect"], "approve", at=FOUND, actor="ed")
    world.repo.review(ids["cse"], "reject", at=FOUND, actor="ed", reason="not UK")
    assert shown(client.get("/queue").get_data(as_text=True)) == [ids["unclassified"], ids["older"]]
    assert shown(client.get("/queue?status=approved").get_data(as_text=True)) == [ids["neglect"]]
    rejected = client.get("/queue?status=rejected").get_data(as_text=True)
    assert shown(rejected) == [ids["cse"]] and "not UK" in rejected
    # the approved item changes upstream: it comes back, pinned above the day groups
    changed = make_item("neglect", "Neglect: learning from case reviews (second edition)")
    world.repo.upsert_items([changed], FOUND + timedelta(days=1))
    page = client.get("/queue").get_data(as_text=True)
    assert "Updated after a decision" in page
    pinned = page.split('class="pinned"', 1)[1].split("</section>", 1)[0]
    assert f'data-id="{ids["neglect"]}"' in pinned
    assert "updated" in pinned


def test_new_since_the_last_look(world: World) -> None:
    client = world.client()
    first = client.get("/queue").get_data(as_text=True)
    assert "First look" in first
    # a later session: only what arrived after the first look is new
    world.clock[0] = world.clock[0] + timedelta(days=2)
    late = make_item("late", "Neglect in adolescence", published=FOUND)
    [late_id] = store(world.repo, [(late, 0.7)], seen_at=world.clock[0] - timedelta(hours=1))
    again = world.client()
    page = again.get("/queue").get_data(as_text=True)
    assert "since you last looked" in page
    assert shown(again.get("/queue?fresh=1").get_data(as_text=True)) == [late_id]
    rows = page.split('id="queue-form"', 1)[1]
    assert rows.count('class="badge badge-fresh">new<') == 1
    assert post(again, "/queue/seen").status_code == 302
    assert shown(again.get("/queue?fresh=1").get_data(as_text=True)) == []


def test_bulk_actions_on_a_selection(world: World) -> None:
    client = world.client()
    ids = world.ids
    picked = [ids["neglect"], ids["older"]]
    response = post(client, "/queue/bulk", {"action": "approve", "ids": picked, "next": "/queue"})
    assert response.status_code == 302
    stored = world.repo.stored_items(picked)
    assert {s.status for s in stored.values()} == {"approved"}
    assert all(world.repo.events(i)[0].actor == "ed" for i in picked)
    no_reason = post(client, "/queue/bulk", {"action": "reject", "ids": [ids["cse"]]})
    assert no_reason.status_code == 400
    dup = {"action": "reject", "ids": [ids["cse"]], "reason": "duplicate", "reason_detail": "7"}
    assert post(client, "/queue/bulk", dup).status_code == 302
    assert world.repo.stored_items([ids["cse"]])[ids["cse"]].reason == "duplicate of item 7"


def test_keyset_pages_cover_everything_once_in_order(world: World) -> None:
    base = datetime(2024, 6, 1, 7, tzinfo=UTC)
    batch = []
    for n in range(14):
        source = ("nspcc", "home_office")[n % 2]
        item = make_item(f"p{n}", f"Paged item {n}", source=source)
        if source == "home_office":
            item = dataclasses.replace(item, url=f"https://www.gov.uk/p{n}", key=f"gov.uk/p{n}")
        batch.append((item, [0.5, 0.7, 0.9][n % 3], base - timedelta(days=n % 4)))
    for item, relevance, seen in batch:
        store(world.repo, [(item, relevance)], seen_at=seen)
    filters = QueueFilters(q="paged")
    whole = queue_page(world.repo, filters, None, 200)
    assert len(whole.rows) == 14 and whole.next_cursor is None
    keys = [(-r.day.toordinal(), r.source, -r.sort_relevance, -r.id) for r in whole.rows]
    assert keys == sorted(keys)
    client = world.client()
    seen_ids: list[int] = []
    url: str | None = "/queue?q=paged&size=4"
    pages = 0
    while url:
        page = client.get(url).get_data(as_text=True)
        seen_ids += shown(page)
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    assert seen_ids == [r.id for r in whole.rows]
    assert pages == 4
    assert client.get("/queue?after=not-a-cursor").status_code == 400
    token = Cursor(
        whole.rows[5].day, whole.rows[5].source, whole.rows[5].sort_relevance, whole.rows[5].id
    )
    rest = queue_page(world.repo, filters, Cursor.decode(token.encode()), 200)
    assert [r.id for r in rest.rows] == [r.id for r in whole.rows[6:]]


def test_bad_filter_values_are_a_400(world: World) -> None:
    client = world.client()
    for query in ("status=nope", "relevance=maybe", "from=yesterday", "min_relevance=high"):
        assert client.get(f"/queue?{query}").status_code == 400, query


def test_a_borderline_item_is_shown_marked_never_hidden(world: World) -> None:
    item = make_item("borderline", "Children's experiences of lockdown", source="home_office")
    [item_id] = store(world.repo, [(item, None)])
    result = dataclasses.replace(classification_of(0.38, item), relevant=False, borderline=True)
    world.repo.save_classifications([(item_id, result)])
    page = world.client().get("/queue").get_data(as_text=True)
    assert item_id in shown(page)
    row = re.search(rf'data-id="{item_id}".*?</li>', page, re.S)
    assert row and "borderline" in row.group(0)
    only = shown(world.client().get("/queue?relevance=irrelevant").get_data(as_text=True))
    assert item_id not in only
