"""The bulletin composer: window, sections, summaries, preview, link check, guard, publish."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

from aggregator.review.bulletins import BulletinComposer
from aggregator.schema import Attachment, DocType, Link
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import RunStats
from tests.review.conftest import FOUND, World, make_item, post, store


def approve(world: World, *names: str) -> None:
    for name in names:
        world.repo.review(world.ids[name], "approve", at=FOUND, actor="ed")


def new_bulletin(world: World, start: str = "2024-06-03", end: str = "2024-06-09") -> int:
    response = post(
        world.client(), "/bulletins", {"title": "Week of 3 June", "start": start, "end": end}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def preview(world: World, bulletin_id: int) -> str:
    return world.client().get(f"/bulletins/{bulletin_id}/preview").get_data(as_text=True)


def test_default_window_is_the_week_commencing_monday(world: World) -> None:
    page = world.client().get("/bulletins").get_data(as_text=True)
    assert 'name="start" value="2024-06-03"' in page  # now is Wednesday 5 June 2024
    assert 'name="end" value="2024-06-09"' in page


def test_a_draft_takes_the_approved_items_of_its_window(world: World) -> None:
    late = make_item(
        "late", "Neglect of disabled children", published=datetime(2024, 5, 1, tzinfo=UTC)
    )
    [late_id] = store(world.repo, [(late, 0.8)])
    world.ids["late"] = late_id
    approve(world, "neglect", "cse", "older", "late")
    bulletin_id = new_bulletin(world)
    bulletin = BulletinComposer(world.repo).require(bulletin_id)
    entries = BulletinComposer(world.repo).entries(bulletin)
    taken = {e.item_id for e in entries}
    assert taken == {world.ids["neglect"], world.ids["cse"], late_id}  # not last week's "older"
    assert [e.late for e in entries if e.item_id == late_id] == [True]
    page = world.client().get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert page.count("late discovery") == 1
    assert "Monday 03 June 2024 – Sunday 09 June 2024" in page
    # the preview is in the example's layout
    shown = preview(world, bulletin_id)
    for expected in (
        "Week of 3 June",
        "Research and reports",
        "Case reviews and briefings",
        "Neglect: learning from case reviews",
        "Source: NSPCC",
        "Date: 03 June 2024",
        "Date: 01 May 2024",  # the late discovery, published before the window
        "Read the report:",
        "Read the briefing:",
        "A summary of neglect: learning from case reviews.",
    ):
        assert expected in shown, expected


def test_sections_are_ordered_and_summaries_edited_in_place(world: World) -> None:
    approve(world, "neglect", "cse")
    bulletin_id = new_bulletin(world)
    client = world.client()
    before = preview(world, bulletin_id)
    assert before.index("Research and reports") < before.index("Case reviews and briefings")
    moved = post(
        client,
        f"/bulletins/{bulletin_id}/sections/move",
        {"section": "Case reviews and briefings", "step": "up"},
    )
    assert moved.status_code == 302
    after = preview(world, bulletin_id)
    assert after.index("Case reviews and briefings") < after.index("Research and reports")
    item_id = world.ids["neglect"]
    saved = post(
        client,
        f"/bulletins/{bulletin_id}/items/{item_id}/summary",
        {"summary": "The  NSPCC has   published a briefing on neglect."},
        headers={"Accept": "application/json"},
    )
    assert saved.get_json() == {"ok": True}
    assert "The NSPCC has published a briefing on neglect." in preview(world, bulletin_id)
    assert world.repo.stored_items([item_id])[item_id].summary.startswith("A summary of")
    # a new section, then the item moved within it
    post(client, f"/bulletins/{bulletin_id}/items/{item_id}/section", {"new_section": "Neglect"})
    assert "Neglect</h2>" in preview(world, bulletin_id)
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert 'data-min="250" data-max="600"' in page  # the length guide
    post(client, f"/bulletins/{bulletin_id}/items/{item_id}/remove")
    assert "briefing on neglect" not in preview(world, bulletin_id)


def test_link_check_flags_broken_links_and_publish_waits(world: World, loopback_site: str) -> None:
    item = dataclasses.replace(
        make_item("links", "Neglect toolkit", url=f"{loopback_site}/toolkit"),
        attachments=[Attachment("Toolkit PDF", f"{loopback_site}/missing.pdf")],
        links=[Link("Book a place", f"{loopback_site}/book")],
    )
    [item_id] = store(world.repo, [(item, 0.9)])
    world.repo.review(item_id, "approve", at=FOUND, actor="ed")
    bulletin_id = new_bulletin(world)
    client = world.client()
    checked = post(client, f"/bulletins/{bulletin_id}/check-links")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert re.search(r'id="broken-count">1<', page)
    assert f"Broken link: {loopback_site}/missing.pdf" in page
    assert (
        "not checked (loopback only)" not in page.split("Link check", 1)[1].split(loopback_site)[0]
    )
    refused = post(client, f"/bulletins/{bulletin_id}/publish")
    assert refused.status_code == 409
    assert "1 broken link(s)" in refused.get_data(as_text=True)
    assert BulletinComposer(world.repo).require(bulletin_id).status == "draft"
    done = post(client, f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1"})
    assert done.status_code == 302
    assert BulletinComposer(world.repo).require(bulletin_id).status == "published"


def test_publishing_freezes_the_bulletin_and_hands_it_to_the_exports(world: World) -> None:
    approve(world, "neglect", "cse")
    bulletin_id = new_bulletin(world)
    client = world.client()
    published = post(client, f"/bulletins/{bulletin_id}/publish")
    assert published.status_code == 302
    bulletin = BulletinComposer(world.repo).require(bulletin_id)
    assert bulletin.status == "published" and bulletin.published_at == world.clock[0]
    assert bulletin.rendered_html and "Source: NSPCC" in bulletin.rendered_html
    assert bulletin.rendered_markdown and "### Neglect: learning from case reviews" in (
        bulletin.rendered_markdown
    )
    item_id = world.ids["neglect"]
    frozen = post(client, f"/bulletins/{bulletin_id}/items/{item_id}/summary", {"summary": "x"})
    assert frozen.status_code == 409
    assert post(client, f"/bulletins/{bulletin_id}/publish").status_code == 409
    markdown = client.get(f"/bulletins/{bulletin_id}.md").get_data(as_text=True)
    assert markdown == bulletin.rendered_markdown
    # the exports read the published bulletin's items
    exported = list(world.repo.iter_export(ExportSelection(bulletin_id=bulletin_id)))
    assert {row.id for row in exported} == {item_id, world.ids["cse"]}


def test_items_sent_in_an_earlier_bulletin_are_not_sent_again(world: World) -> None:
    approve(world, "neglect")
    first = new_bulletin(world)
    assert post(world.client(), f"/bulletins/{first}/publish").status_code == 302
    approve(world, "cse")
    second = new_bulletin(world, "2024-06-01", "2024-06-09")
    taken = {
        e.item_id
        for e in BulletinComposer(world.repo).entries(BulletinComposer(world.repo).require(second))
    }
    assert taken == {world.ids["cse"]}
    page = world.client().get(f"/bulletins/{second}").get_data(as_text=True)
    already = page.split('id="already-sent"', 1)[1].split("</ul>", 1)[0]
    assert "Neglect: learning from case reviews" in already and f"bulletin {first}" in already


def test_coverage_of_sources_from_the_crawl_records(world: World) -> None:
    run = world.repo.start_run("nspcc", FOUND)
    world.repo.finish_run(
        run, RunStats(status="ok", finished_at=FOUND + timedelta(minutes=1), items_new=4)
    )
    failed = world.repo.start_run("home_office", FOUND)
    world.repo.finish_run(
        failed,
        RunStats(
            status="failed",
            finished_at=FOUND,
            errors=[{"url": "https://www.gov.uk/api/search.json", "message": "HTTP 503"}],
        ),
    )
    bulletin_id = new_bulletin(world)
    page = world.client().get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    coverage = page.split("Sources this week", 1)[1].split("</table>", 1)[0]
    nspcc = re.search(r"<td>nspcc</td>(.*?)</tr>", coverage, re.S)
    assert nspcc and "<td>1</td><td>1</td><td>0</td><td>4</td>" in nspcc.group(1)
    assert re.search(r'class="failing"><td>home_office</td>', coverage)
    assert re.search(r'class="missing"><td>dhsc</td>', coverage)  # registered, not crawled


def test_withdrawn_items_stay_out_unless_kept(world: World) -> None:
    gone = make_item("gone", "Withdrawn neglect guidance", doc_type=DocType.GUIDANCE)
    [gone_id] = store(world.repo, [(gone, 0.9)])
    world.repo.review(gone_id, "approve", at=FOUND, actor="ed")
    withdrawn = dataclasses.replace(gone, withdrawn=FOUND, withdrawn_reason="withdrawn")
    world.repo.upsert_items([withdrawn], FOUND + timedelta(hours=1))
    store_ = BulletinComposer(world.repo)
    bulletin_id = new_bulletin(world)
    assert gone_id not in {e.item_id for e in store_.entries(store_.require(bulletin_id))}
    world.repo.keep_withdrawn(gone_id, True, at=FOUND, actor="ed")
    assert post(world.client(), f"/bulletins/{bulletin_id}/refresh").status_code == 302
    assert gone_id in {e.item_id for e in store_.entries(store_.require(bulletin_id))}


def test_a_viewer_can_read_a_bulletin_but_not_change_it(world: World) -> None:
    approve(world, "neglect")
    bulletin_id = new_bulletin(world)
    viewer = world.client(("vi", "viewer-password-1"))
    page = viewer.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "Neglect: learning from case reviews" in page and "Publish and freeze" not in page
    assert post(viewer, f"/bulletins/{bulletin_id}/publish").status_code == 403


def test_a_published_bulletin_is_public_at_a_stable_url_with_validators(world: World) -> None:
    approve(world, "neglect", "cse")
    bulletin_id = new_bulletin(world)
    anonymous = world.client(None)
    assert anonymous.get(f"/feeds/bulletins/{bulletin_id}.html").status_code == 404  # a draft
    assert post(world.client(), f"/bulletins/{bulletin_id}/publish").status_code == 302
    first = anonymous.get(f"/feeds/bulletins/{bulletin_id}.html")
    assert first.status_code == 200
    bulletin = BulletinComposer(world.repo).require(bulletin_id)
    assert first.get_data(as_text=True) == bulletin.rendered_html
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = anonymous.get(
        f"/feeds/bulletins/{bulletin_id}.html",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    markdown = anonymous.get(f"/feeds/bulletins/{bulletin_id}.md")
    assert markdown.get_data(as_text=True) == bulletin.rendered_markdown
