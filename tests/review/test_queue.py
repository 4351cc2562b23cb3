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


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("mandat", ["mandatory"]),  # the case: a word's start finds the word
        ("mandatory", ["mandatory"]),
        ("report+mandat", ["mandatory"]),  # every word, each by its start
        ("neglec", ["neglect", "older"]),
        ("safegu", ["mandatory"]),
        ("professional", ["mandatory"]),  # stemmed "profession": the prefix is stemmed too
        ("exploit", ["cse"]),
        ("sexua+exploi", ["cse"]),
        ("mandatz", []),
    ],
)
def test_prefix_search_finds_words_by_their_start(
    world: World, query: str, names: list[str]
) -> None:
    """On SQLite (FTS5, porter) and PostgreSQL (to_tsquery, english): "mandat" finds
    "mandatory", whatever the stemmer makes of either."""
    item = make_item(
        "mandatory",
        "Mandatory reporting of child sexual abuse",
        summary="Safeguarding professionals must report what they know.",
    )
    [mandatory] = store(world.repo, [(item, 0.9)])
    ids = {**world.ids, "mandatory": mandatory}
    filters = QueueFilters(q=query.replace("+", " "))
    found = [row.id for row in queue_page(world.repo, filters).rows]
    assert sorted(found) == sorted(ids[n] for n in names)
    assert shown(world.client().get(f"/queue?q={query}").get_data(as_text=True)) == found


def test_stemmed_whole_words_still_match_with_prefixes(world: World) -> None:
    """A prefix is stemmed as the index is: "neglected" still finds "Neglect: …"."""
    found = [row.id for row in queue_page(world.repo, QueueFilters(q="neglected")).rows]
    assert found == [world.ids["neglect"], world.ids["older"]]


def test_search_messages_say_what_was_searched(world: World) -> None:
    client = world.client()
    page = client.get("/queue?q=mandat").get_data(as_text=True)
    said = re.search(r'<p class="search-said" id="search-said">(.*?)</p>', page, re.S)
    assert said and "words beginning “mandat”" in said.group(1)
    assert "among: to triage · safeguarding and borderline" in said.group(1)
    empty = re.search(r'<p class="empty" id="empty-result">(.*?)</p>', page, re.S)
    assert empty, page
    assert "No item has words beginning “mandat” in its title or summary" in empty.group(1)
    assert "the queue is clear" not in page
    assert 'href="/queue?q=mandat&amp;status=all&amp;relevance=all"' in empty.group(1)
    # every filter is said: the source and the status too
    page = client.get("/queue?q=visa+fee&status=approved&source=home_office").get_data(as_text=True)
    assert "words beginning “visa” and “fee”" in page
    assert "among: approved · safeguarding and borderline · from home_office" in page
    # searching everything already: no link to search everything
    page = client.get("/queue?q=mandat&status=all&relevance=all").get_data(as_text=True)
    assert "among: any status." in page and "search-everything" not in page
    # no search and nothing left to triage: only then is the queue clear
    for name in ("neglect", "cse", "unclassified", "older"):
        world.repo.review(world.ids[name], "approve", at=FOUND, actor="ed")
    assert "Nothing here: the queue is clear." in client.get("/queue").get_data(as_text=True)
    page = client.get("/queue?source=ofsted").get_data(as_text=True)
    assert "No items among: to triage · safeguarding and borderline · from ofsted." in page
    assert "the queue is clear" not in page
    # a search of no words says so, and shows everything
    page = client.get("/queue?q=%22%22&status=all").get_data(as_text=True)
    assert "has no words to search for" in page


def test_the_home_page_keeps_the_query(world: World) -> None:
    client = world.client()
    response = client.get("/?q=mandat&status=all")
    assert response.status_code == 302
    assert response.headers["Location"] == "/queue?q=mandat&status=all"
    followed = client.get("/?q=neglect", follow_redirects=True).get_data(as_text=True)
    assert shown(followed) == [world.ids["neglect"], world.ids["older"]]
    assert 'name="q" value="neglect"' in followed
    assert client.get("/").headers["Location"] == "/queue"


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


def row_versions(page: str) -> dict[str, str]:
    """The queue form's per-row versions: {"version-<id>": digest}."""
    return dict(re.findall(r'name="(version-\d+)" value="([^"]*)"', page))


def test_bulk_actions_skip_and_report_items_changed_since_the_page_was_loaded(
    world: World,
) -> None:
    client = world.client()
    ids = world.ids
    versions = row_versions(client.get("/queue").get_data(as_text=True))
    picked = [ids["neglect"], ids["older"]]
    assert all(versions[f"version-{i}"] for i in picked)
    # another editor rejects one of them after the page was loaded
    world.repo.review(ids["older"], "reject", at=FOUND, actor="ann", reason="not UK")
    bulk = {"action": "approve", "ids": picked, "next": "/queue", **versions}
    response = post(client, "/queue/bulk", bulk, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Approved 1 item." in page
    assert f"item {ids['older']} (now rejected (not UK))" in page
    stored = world.repo.stored_items(picked)
    assert stored[ids["neglect"]].status == "approved"
    assert (stored[ids["older"]].status, stored[ids["older"]].reason) == ("rejected", "not UK")
    assert [e.actor for e in world.repo.events(ids["older"])] == ["ann"]  # nothing of ours


def test_a_row_action_from_a_stale_queue_is_a_conflict(world: World) -> None:
    client = world.client()
    item_id = world.ids["cse"]
    versions = row_versions(client.get("/queue").get_data(as_text=True))
    world.repo.review(item_id, "defer", at=FOUND, actor="ann")
    # the key "a" sends the row's version as "version"; the row's button the whole form
    key = post(
        client,
        f"/items/{item_id}/review",
        {"action": "approve", "version": versions[f"version-{item_id}"]},
        headers={"Accept": "application/json"},
    )
    assert key.status_code == 409
    answer = key.get_json()
    assert answer["conflict"] is True and "now deferred by ann" in answer["message"]
    button = post(client, f"/items/{item_id}/review", {"action": "approve", **versions})
    assert button.status_code == 409 and "Apply mine" in button.get_data(as_text=True)
    assert world.repo.stored_items([item_id])[item_id].status == "deferred"
    # a decision answers with the row's new version, so the page's next action is not refused
    fresh = row_versions(client.get("/queue?status=deferred").get_data(as_text=True))
    done = post(
        client,
        f"/items/{item_id}/review",
        {"action": "approve", "version": fresh[f"version-{item_id}"]},
        headers={"Accept": "application/json"},
    ).get_json()
    assert done["ok"] and done["version"] != fresh[f"version-{item_id}"]
    again = post(
        client,
        f"/items/{item_id}/review",
        {"action": "defer", "version": done["version"]},
        headers={"Accept": "application/json"},
    )
    assert again.get_json()["status"] == "deferred"
