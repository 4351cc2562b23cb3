"""The bulletin composer: window, sections, summaries, preview, link check, guard, publish."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aggregator.dedupe.clusters import Match
from aggregator.review.bulletins import BulletinComposer
from aggregator.schema import Attachment, DocType, Link
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import RunStats
from tests.review.conftest import FOUND, NOW, World, make_item, post, store


def approve(world: World, *names: str) -> None:
    for name in names:
        world.repo.review(world.ids[name], "approve", at=FOUND, actor="ed")


def new_bulletin(world: World, start: str = "2024-06-03", end: str = "2024-06-09") -> int:
    response = post(
        world.client(), "/bulletins", {"title": "Week of 3 June", "start": start, "end": end}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def publish(world: World, bulletin_id: int, **form: str) -> Any:
    """Publish through the app, confirming whatever the checklist still has open."""
    return post(
        world.client(), f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1", **form}
    )


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
    assert page.count('found in it">late discovery</span>') == 1
    assert "is a late discovery (dated before the window)" in page  # on the publish checklist
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
    assert checked.status_code == 303  # Post/Redirect/Get: the results are on the page after
    page = client.get(checked.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="broken-count">1<', page)
    assert f"Broken link: {loopback_site}/missing.pdf" in page
    assert (
        "not checked (loopback only)" not in page.split("Link check", 1)[1].split(loopback_site)[0]
    )
    refused = post(client, f"/bulletins/{bulletin_id}/publish")
    assert refused.status_code == 303 and refused.headers["Location"].endswith("#checklist")
    assert "1 broken link(s)" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert BulletinComposer(world.repo).require(bulletin_id).status == "draft"
    done = post(client, f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1"})
    assert done.status_code == 303
    assert BulletinComposer(world.repo).require(bulletin_id).status == "published"


def test_publishing_freezes_the_bulletin_and_hands_it_to_the_exports(world: World) -> None:
    approve(world, "neglect", "cse")
    bulletin_id = new_bulletin(world)
    client = world.client()
    published = post(client, f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1"})
    assert published.status_code == 303
    bulletin = BulletinComposer(world.repo).require(bulletin_id)
    assert bulletin.status == "published" and bulletin.published_at == world.clock[0]
    assert bulletin.rendered_html and "Source: NSPCC" in bulletin.rendered_html
    assert bulletin.rendered_markdown and "### Neglect: learning from case reviews" in (
        bulletin.rendered_markdown
    )
    item_id = world.ids["neglect"]
    frozen = post(client, f"/bulletins/{bulletin_id}/items/{item_id}/summary", {"summary": "x"})
    assert frozen.status_code == 409
    again = post(client, f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1"})
    assert again.status_code == 303
    assert BulletinComposer(world.repo).revisions(bulletin_id)[-1].revision == 1  # no second
    markdown = client.get(f"/bulletins/{bulletin_id}.md").get_data(as_text=True)
    assert markdown == bulletin.rendered_markdown
    # the exports read the published bulletin's items
    exported = list(world.repo.iter_export(ExportSelection(bulletin_id=bulletin_id)))
    assert {row.id for row in exported} == {item_id, world.ids["cse"]}


def test_items_sent_in_an_earlier_bulletin_are_not_sent_again(world: World) -> None:
    approve(world, "neglect")
    first = new_bulletin(world)
    assert publish(world, first).status_code == 303
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
    coverage = page.split("Sources for this window", 1)[1].split("</table>", 1)[0]
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
    assert publish(world, bulletin_id).status_code == 303
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


# --- issue #21: clusters, left out, coverage, default window, content, checklist ----------


def home_office_response(world: World) -> tuple[int, int]:
    """The example's case: a Home Office consultation response (the publisher of record)
    and the NSPCC's write-up of it, clustered, both approved. (record id, sighting id)"""
    record = make_item(
        "mandatory",
        "Mandatory reporting",
        source="home_office",
        url="https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting",
        doc_type=DocType.CONSULTATION_RESPONSE,
    )
    sighting = make_item(
        "mandatory-nspcc",
        "Government response to Child sexual abuse: mandatory reporting consultation",
        url="https://learning.nspcc.org.uk/news/mandatory-reporting-response",
    )
    record_id, sighting_id = store(world.repo, [(record, 0.9), (sighting, 0.9)])
    world.repo.merge(sighting_id, Match(record_id, "links to the response", "link", 0.9), FOUND)
    for item_id in (record_id, sighting_id):
        world.repo.review(item_id, "approve", at=FOUND, actor="ed")
    return record_id, sighting_id


def test_a_cluster_is_one_entry_with_a_via_line_in_the_examples_wording(world: World) -> None:
    record_id, sighting_id = home_office_response(world)
    bulletin_id = new_bulletin(world)
    composer = BulletinComposer(world.repo)
    entries = composer.entries(composer.require(bulletin_id))
    assert [e.item_id for e in entries] == [record_id]  # the approved sighting is no entry
    shown = preview(world, bulletin_id)
    assert shown.count("Source: ") == 1 and ">Mandatory reporting</h3>" in shown
    assert (
        "Read the report via the NSPCC: "
        '<a href="https://learning.nspcc.org.uk/news/mandatory-reporting-response"'
    ) in shown
    assert "Source: Home Office" in shown
    # the wording is the section's to choose
    section = entries[0].section
    client = world.client()
    post(
        client,
        f"/bulletins/{bulletin_id}/sections/text",
        {"section": section, "intro": "", "via": "Read the NSPCC's summary via {publisher}"},
    )
    assert "Read the NSPCC&#x27;s summary via the NSPCC" in preview(world, bulletin_id) or (
        "Read the NSPCC's summary via the NSPCC" in preview(world, bulletin_id)
    )
    refused = post(
        client, f"/bulletins/{bulletin_id}/sections/text", {"section": section, "via": "{nope}"}
    )
    assert refused.status_code == 302  # the reason is shown on the page, nothing saved
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "may use {publisher} and {label} only, not {nope}" in page
    # publishing freezes one entry: the sighting never goes out as a second one
    publish(world, bulletin_id)
    [revision] = composer.revisions(bulletin_id)
    assert revision.item_ids == [record_id]
    assert revision.renderings["text"].count("Source: ") == 1
    assert sighting_id not in {
        e.item_id for e in composer.entries(composer.require(new_bulletin(world)))
    }


def test_items_sent_meanwhile_are_out_of_sections_preview_and_publishing(world: World) -> None:
    approve(world, "neglect", "cse")
    draft = new_bulletin(world)  # takes both
    other = new_bulletin(world)  # takes both too, and is published first
    assert publish(world, other).status_code == 303
    composer = BulletinComposer(world.repo)
    assert composer.entries(composer.require(draft)) == []  # left out: not in the sections
    assert "Neglect: learning from case reviews" not in preview(world, draft)
    page = world.client().get(f"/bulletins/{draft}").get_data(as_text=True)
    already = page.split('id="already-sent"', 1)[1].split("</ul>", 1)[0]
    assert "Neglect: learning from case reviews" in already and f"bulletin {other}" in already
    sections = page.split('class="compose-col"', 1)[1].split('id="already-sent"', 1)[0]
    assert "Neglect: learning from case reviews" not in sections.split("Already sent")[0]
    # publishing is refused for having nothing, not for items it no longer shows
    client = world.client()
    refused = post(client, f"/bulletins/{draft}/publish", {"publish_anyway": "1"})
    assert refused.status_code == 303
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Not published: nothing to publish: the bulletin has no items." in shown


def test_the_default_window_holds_the_newest_approved_items_not_yet_sent(world: World) -> None:
    # "now" is 5 June 2024; the only approved item was found and dated in March
    march = datetime(2024, 3, 13, 9, 0, tzinfo=UTC)
    [old_id] = store(
        world.repo, [(make_item("march", "March report", published=march), 0.9)], march
    )
    world.repo.review(old_id, "approve", at=march, actor="ed")
    page = world.client().get("/bulletins").get_data(as_text=True)
    assert 'name="start" value="2024-03-11"' in page and 'name="end" value="2024-03-17"' in page
    # once it is sent, the newest unsent one decides; none left: this week
    bulletin_id = new_bulletin(world, "2024-03-11", "2024-03-17")
    publish(world, bulletin_id)
    page = world.client().get("/bulletins").get_data(as_text=True)
    assert 'name="start" value="2024-06-03"' in page


def test_coverage_counts_crawls_after_the_window_and_partial_runs_are_not_ok(
    world: World,
) -> None:
    # a bulletin of last week (27 May - 2 June), crawled on 4 June (after the window)
    after = world.repo.start_run("nspcc", FOUND)
    world.repo.finish_run(after, RunStats(status="ok", finished_at=FOUND, items_new=2))
    partial = world.repo.start_run("home_office", FOUND)
    world.repo.finish_run(
        partial,
        RunStats(
            status="partial",
            finished_at=FOUND,
            errors=[{"url": "https://www.gov.uk/gone", "message": "HTTP 404"}],
        ),
    )
    bulletin_id = new_bulletin(world, "2024-05-27", "2024-06-02")
    page = world.client().get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    coverage = page.split("Sources for this window", 1)[1].split("</table>", 1)[0]
    nspcc = re.search(r"<tr class=\"\"><td>nspcc</td>(.*?)</tr>", coverage, re.S)
    assert nspcc and "whole window" in nspcc.group(1)  # not "not crawled"
    home = re.search(r'<tr class="failing"><td>home_office</td>(.*?)</tr>', coverage, re.S)
    assert home and "HTTP 404 (https://www.gov.uk/gone)" in home.group(1)
    assert "partial" in home.group(1) and "<td>no</td>" in home.group(1)


def test_section_intro_date_line_extra_links_and_link_choice(world: World) -> None:
    item = dataclasses.replace(
        make_item("paper", "Time to talk about porn"),
        attachments=[
            Attachment("Download the report", "https://example.org/report.pdf"),
            Attachment("Annex", "https://example.org/annex.pdf"),
        ],
    )
    [item_id] = store(world.repo, [(item, 0.9)])
    world.repo.review(item_id, "approve", at=FOUND, actor="ed")
    bulletin_id = new_bulletin(world)
    client = world.client()
    shown = preview(world, bulletin_id)
    assert "Week commencing 3 June 2024" in shown  # the date line a new bulletin starts with
    assert "Download the report: Download the report" not in re.sub("<[^>]+>", "", shown)
    assert ">Download the report</a>" in shown
    section = "Research and reports"
    intro = "The NSPCC has provided the following items of interest regarding neglect."
    post(client, f"/bulletins/{bulletin_id}/sections/text", {"section": section, "intro": intro})
    post(client, f"/bulletins/{bulletin_id}/issue-line", {"issue_line": "Issue 23 · June 2024"})
    bad = post(
        client,
        f"/bulletins/{bulletin_id}/items/{item_id}/links",
        {"extra": "See the bill | javascript:alert(1)", "show": [item.url]},
    )
    assert bad.status_code == 302
    assert "is not an http(s) link" in client.get(bad.headers["Location"]).get_data(as_text=True)
    saved = post(
        client,
        f"/bulletins/{bulletin_id}/items/{item_id}/links",
        {
            "extra": "See the bill on Criminal Justice Bill | https://bills.parliament.uk/bills/3511",
            "show": [item.url, "https://example.org/report.pdf"],  # the annex unticked
        },
    )
    assert saved.status_code == 302
    shown = preview(world, bulletin_id)
    assert intro in shown and "Issue 23 · June 2024" in shown
    assert shown.index(section) < shown.index(intro) < shown.index("Time to talk about porn")
    assert '<a href="https://bills.parliament.uk/bills/3511"' in shown
    assert "See the bill on Criminal Justice Bill" in shown
    assert "annex.pdf" not in shown and "report.pdf" in shown
    markdown = world.client().get(f"/bulletins/{bulletin_id}.md").get_data(as_text=True)
    assert f"## {section}\n\n{intro}\n" in markdown
    assert (
        "[See the bill on Criminal Justice Bill](https://bills.parliament.uk/bills/3511)"
        in markdown
    )


def test_the_publish_checklist_needs_a_recorded_confirmation(world: World) -> None:
    from aggregator.classify.sensitive import Sensitivity
    from aggregator.drafting.draft import Draft
    from aggregator.storage.draft_summaries import DraftStore

    approve(world, "neglect", "cse")
    neglect = world.ids["neglect"]
    text = "The NSPCC has published a briefing on neglect."
    draft = Draft(text, text, (), word_limit=90, words=len(text.split()), hit_limit=False)
    flagged = Sensitivity(True, ("child death",), ('title: "child death"',))
    cse = world.ids["cse"]
    plain = Sensitivity(False, (), ())
    DraftStore(world.repo.engine).save_drafts({neglect: (draft, flagged), cse: (draft, plain)}, NOW)
    bulletin_id = new_bulletin(world)
    client = world.client()
    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    checklist = page.split('id="checklist"', 1)[1].split("</ul>", 1)[0]
    # a sensitive draft never goes out unchecked: the point says so, and no draft point
    assert checklist.count("the summary is an unchecked machine draft") == 1
    assert f'href="#summary-{cse}"' in checklist  # each point links to its fix
    assert "is flagged sensitive (child death): its draft is held back" in checklist
    assert f'href="/items/{neglect}"' in checklist
    assert "link not checked" in checklist
    refused = post(client, f"/bulletins/{bulletin_id}/publish")
    assert refused.status_code == 303  # Post/Redirect/Get: back never resubmits
    assert "open point(s) on the publish checklist" in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    composer = BulletinComposer(world.repo)
    assert composer.require(bulletin_id).status == "draft"
    done = post(client, f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1"})
    assert done.status_code == 303
    [revision] = composer.revisions(bulletin_id)
    assert revision.published_by == "ed"
    assert any("unchecked machine draft" in point for point in revision.confirmed)
    assert any("flagged sensitive" in point for point in revision.confirmed)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Revision 1, published by ed on 5 June 2024 at 10:00" in page
    assert "open point(s) confirmed" in page


def test_two_editors_saving_one_summary_never_overwrite_each_other(world: World) -> None:
    """Each summary form carries the summary it was made from: a save over another editor's
    newer text is refused with theirs (409 to the page's script, a message to a plain form),
    and what they saved stays."""
    approve(world, "neglect")
    bulletin_id = new_bulletin(world)
    item_id = world.ids["neglect"]
    url = f"/bulletins/{bulletin_id}/items/{item_id}/summary"
    page = world.client().get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert 'name="original" value=""' in page  # both editors open the composer: no summary
    first, second = world.client(), world.client()
    as_json = {"Accept": "application/json"}
    saved = post(first, url, {"summary": "First editor's text.", "original": ""}, headers=as_json)
    assert saved.get_json() == {"ok": True}
    mine = {"summary": "Second editor's text.", "original": ""}
    refused = post(second, url, mine, headers=as_json)
    assert refused.status_code == 409
    assert refused.get_json()["stored"] == "First editor's text."
    assert "First editor's text." in preview(world, bulletin_id)
    # A plain form gets the composer again, saying whose text is kept and what was not saved.
    plain = post(second, url, mine)
    assert plain.status_code == 302
    shown = second.get(plain.headers["Location"]).get_data(as_text=True)
    assert "Not saved: another editor changed this summary" in shown
    # Saving from what is stored now (the page reloaded) goes through; so does saving the
    # very text that is already stored, and a script that does not say what it saw.
    again = {"summary": "Second editor's text.", "original": "First editor's text."}
    assert post(second, url, again, headers=as_json).get_json() == {"ok": True}
    same = {"summary": "Second editor's text.", "original": "stale"}
    assert post(first, url, same, headers=as_json).get_json() == {"ok": True}
    assert post(first, url, {"summary": "Scripted."}, headers=as_json).get_json() == {"ok": True}


def test_the_bulletin_chooses_how_unchecked_drafts_go_out(world: World) -> None:
    """The composer's switch, behind login and the form token: labelled drafts by default,
    the publisher's description on request; the preview follows it."""
    from aggregator.classify.sensitive import Sensitivity
    from aggregator.drafting import Draft
    from aggregator.exports.bulletin import DRAFT_LABEL
    from aggregator.storage.draft_summaries import DraftStore

    approve(world, "neglect")
    text = "A machine draft about learning from case reviews on neglect."
    draft = Draft(text=text, opening=text, sentences=(), word_limit=90, words=10, hit_limit=False)
    plain = Sensitivity(flagged=False, reasons=(), evidence=())
    DraftStore(world.repo.engine).save_drafts({world.ids["neglect"]: (draft, plain)}, FOUND)
    bulletin_id = new_bulletin(world)
    assert f"{DRAFT_LABEL} {text}" in preview(world, bulletin_id)

    route = f"/bulletins/{bulletin_id}/unchecked-drafts"
    viewer = world.client(("vi", "viewer-password-1"))
    assert post(viewer, route, {"unchecked": "publisher"}).status_code == 403
    tokenless = world.client().post(route, data={"unchecked": "publisher"})
    assert tokenless.status_code == 400
    assert f"{DRAFT_LABEL} {text}" in preview(world, bulletin_id)

    assert post(world.client(), route, {"unchecked": "publisher"}).status_code == 302
    shown = preview(world, bulletin_id)
    assert text not in shown and DRAFT_LABEL not in shown
    page = world.client().get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert '<option value="publisher" selected>' in page
