"""The item page: every field, evidence, provenance, cluster, revisions; audited actions."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from aggregator.dedupe.clusters import Match
from aggregator.schema import Attachment, Link
from tests.review.conftest import FOUND, World, make_item, post, store


def test_item_page_shows_fields_evidence_provenance_and_revisions(world: World) -> None:
    item_id = world.ids["neglect"]
    pdf = Attachment("The briefing", "https://learning.nspcc.org.uk/media/neglect.pdf")
    changed = dataclasses.replace(
        make_item("neglect", "Neglect: learning from case reviews"),
        attachments=[pdf],
        links=[Link("Read the report", "https://learning.nspcc.org.uk/report")],
        change_note="Briefing added",
    )
    world.repo.upsert_items([changed], FOUND + timedelta(days=1))
    page = world.client().get(f"/items/{item_id}").get_data(as_text=True)
    for expected in (
        "nspcc/neglect",  # key
        "https://learning.nspcc.org.uk/research/neglect",
        "03 June 2024",  # published, at its precision
        "Classification",
        "“neglect” in title",  # relevance evidence
        "England: England in summary",  # nation evidence
        "Provenance",
        "The briefing",
        "Read the report",
        "Briefing added",
        "+ https://learning.nspcc.org.uk/media/neglect.pdf",  # the revision's diff
    ):
        assert expected in page, expected
    assert world.client().get("/items/999999").status_code == 404


def test_approve_reject_defer_edit_and_undo_are_audited(world: World) -> None:
    client = world.client()
    item_id = world.ids["cse"]
    url = f"/items/{item_id}"
    assert post(client, f"{url}/review", {"action": "approve"}).status_code == 302
    assert world.repo.stored_items([item_id])[item_id].status == "approved"
    missing = post(client, f"{url}/review", {"action": "reject", "reason": "other"})
    assert missing.status_code == 400  # "other" needs a note
    rejected = post(
        client,
        f"{url}/review",
        {"action": "reject", "reason": "not_uk"},
        headers={"Accept": "application/json"},
    )
    assert rejected.get_json()["status"] == "rejected"
    edited = post(
        client,
        f"{url}/edit",
        {"title": "CSE: a briefing", "summary": "Shorter.", "section": "Briefings"},
    )
    assert edited.status_code == 302
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.title, stored.summary, stored.section, stored.reason) == (
        "CSE: a briefing",
        "Shorter.",
        "Briefings",
        "not UK",
    )
    events = world.repo.events(item_id)
    assert [(e.action, e.actor) for e in events] == [
        ("approve", "ed"),
        ("reject", "ed"),
        ("edit", "ed"),
    ]
    page = client.get(url).get_data(as_text=True)
    assert "Publisher's title" in page and "Child sexual exploitation briefing" in page
    # undo the rejection: back to approved, recorded as its own event
    undone = post(client, f"{url}/undo/{events[1].id}", headers={"Accept": "application/json"})
    assert undone.get_json()["status"] == "approved"
    assert world.repo.events(item_id)[-1].detail["undid"] == events[1].id
    other = world.ids["neglect"]
    assert post(client, f"/items/{other}/undo/{events[0].id}").status_code == 404
    # setting the publisher's own title back clears the edit
    post(client, f"{url}/edit", {"title": "Child sexual exploitation briefing"})
    assert world.repo.stored_items([item_id])[item_id].edited_title is None


def test_defer_and_reopen(world: World) -> None:
    client = world.client()
    item_id = world.ids["older"]
    post(client, f"/items/{item_id}/review", {"action": "defer"})
    assert world.repo.stored_items([item_id])[item_id].status == "deferred"
    post(client, f"/items/{item_id}/review", {"action": "reopen"})
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.status, stored.needs_review) == ("new", True)


def test_cluster_shown_and_split(world: World) -> None:
    client = world.client()
    via = make_item(
        "neglect-ho",
        "Neglect: learning from case reviews",
        source="home_office",
        url="https://www.gov.uk/neglect",
    )
    [via_id] = store(world.repo, [(via, 0.9)])
    lead = world.ids["neglect"]
    world.repo.merge(via_id, Match(lead, "same title", "title", 0.95), FOUND)
    page = client.get(f"/items/{via_id}").get_data(as_text=True)
    assert "publisher of record" in page and "same title" in page
    assert post(client, f"/items/{via_id}/split").status_code == 302
    assert world.repo.clusters(via_id) == []
    assert post(client, f"/items/{via_id}/split").status_code == 404


def test_scraped_markup_is_shown_as_text(world: World) -> None:
    nasty = make_item(
        "xss",
        '<script>alert("t")</script><img src=x onerror=alert(1)>',
        summary='<b onmouseover="alert(2)">bold</b>',
        url="javascript:alert(3)",
        links=[Link("Read <i>more</i>", "javascript:alert(4)")],
    )
    [item_id] = store(world.repo, [(nasty, 0.9)])
    client = world.client()
    for path in ("/queue", f"/items/{item_id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page
    assert "&lt;b onmouseover=&#34;alert(2)&#34;&gt;" in client.get(f"/items/{item_id}").get_data(
        as_text=True
    )
