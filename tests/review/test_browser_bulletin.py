"""The bulletin in a real browser (issue #21): published means frozen (1), a cluster is one
entry with a via line (3), items sent meanwhile are left out everywhere (4), section
introductions, extra links, link choice and the date line (7), the publish checklist with a
recorded confirmation (8), and Post/Redirect/Get after a refused publish (10).

Playwright drives Debian's Chromium, headless; each test gets its own world and live server
(werkzeug on a loopback port), so windows and "already sent" never leak between tests. The
byte-for-byte CLI export check after a re-crawl is tests/exports/test_bulletin_frozen.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.classify.sensitive import Sensitivity
from aggregator.dedupe.clusters import Match
from aggregator.drafting.draft import Draft
from aggregator.review.bulletins import BulletinComposer
from aggregator.schema import Attachment, DocType
from aggregator.storage.draft_summaries import DraftStore
from tests.review.browser import expect, launched, new_page, serving
from tests.review.browser import log_in as browser_log_in
from tests.review.conftest import EDITOR, FOUND, NOW, World, build_world, make_item, store

pytestmark = pytest.mark.browser


@dataclasses.dataclass
class Live:
    world: World
    base: str


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as found:
        yield found


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    world = build_world(f"sqlite:///{tmp_path / 'review.db'}")
    try:
        with serving(world.app) as base:
            yield Live(world, base)
    finally:
        world.repo.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    found = new_page(browser)
    found.dialogs = []
    found.on("dialog", lambda dialog: (found.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield found
    finally:
        found.context.close()


def log_in(live: Live, page: Any) -> None:
    browser_log_in(live.base, page, EDITOR)


def approve(live: Live, *item_ids: int) -> None:
    for item_id in item_ids:
        live.world.repo.review(item_id, "approve", at=FOUND, actor="ed")


def start_draft(live: Live, page: Any, title: str = "Week of 3 June") -> int:
    page.goto(f"{live.base}/bulletins")
    page.fill('input[name="title"]', title)
    page.click("#create-bulletin")
    expect(page.locator("#bulletin-status")).to_have_text("draft")
    return int(page.url.rsplit("/", 1)[1].split("#")[0])


def publish_confirmed(page: Any) -> None:
    page.check("#confirm-open")
    page.click("#publish")
    expect(page.locator("#bulletin-status")).to_have_text("published")


def test_a_cluster_is_one_entry_with_the_examples_via_line(live: Live, page: Any) -> None:
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
    repo = live.world.repo
    record_id, sighting_id = store(repo, [(record, 0.9), (sighting, 0.9)])
    repo.merge(sighting_id, Match(record_id, "links to the response", "link", 0.9), FOUND)
    approve(live, record_id, sighting_id)
    log_in(live, page)
    start_draft(live, page)
    expect(page.locator("article.b-entry")).to_have_count(1)
    expect(page.locator(f"#entry-{record_id}")).to_be_visible()
    expect(page.locator(f"#via-{record_id}")).to_contain_text("NSPCC: Government response")
    preview = page.locator("#preview")
    expect(preview.locator("h3")).to_have_count(1)
    expect(preview).to_contain_text(
        "Read the report via the NSPCC: Government response to Child sexual abuse: "
        "mandatory reporting consultation"
    )


def test_section_intro_extra_links_link_choice_and_date_line(live: Live, page: Any) -> None:
    paper = dataclasses.replace(
        make_item("porn", "Time to talk about porn"),
        attachments=[
            Attachment("Download the report", "https://example.org/report.pdf"),
            Attachment("Annex tables", "https://example.org/annex.pdf"),
        ],
    )
    [paper_id] = store(live.world.repo, [(paper, 0.9)])
    approve(live, paper_id)
    log_in(live, page)
    start_draft(live, page)
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Week commencing 3 June 2024")
    expect(preview).to_contain_text("Download the report")
    assert "Download the report: Download the report" not in preview.inner_text()
    # a section introduction, as the example opens its sections
    section = page.locator("section.b-section").filter(has_text="Time to talk about porn")
    intro = "The NSPCC has provided the following items of interest regarding pornography."
    section.locator("textarea.section-intro").fill(intro)
    section.locator("text=Save section text").click()
    expect(preview).to_contain_text(intro)
    # an extra link, refused when it is not http(s), then accepted; the annex unticked
    page.locator(f"#links-{paper_id} summary").click()
    form = page.locator(f"#links-{paper_id} form")
    form.locator("textarea.extra-links").fill("See the bill | javascript:alert(1)")
    form.locator("text=Save links").click()
    expect(page.locator(".flash")).to_contain_text("is not an http(s) link")
    page.locator(f"#links-{paper_id} summary").click()
    form = page.locator(f"#links-{paper_id} form")
    form.locator("textarea.extra-links").fill(
        "See the bill on Criminal Justice Bill, as amended (PDF) | "
        "https://bills.parliament.uk/publications/54733/documents/4713"
    )
    form.locator('input[value="https://example.org/annex.pdf"]').uncheck()
    form.locator("text=Save links").click()
    link = preview.locator(
        'a[href="https://bills.parliament.uk/publications/54733/documents/4713"]'
    )
    expect(link).to_have_text("See the bill on Criminal Justice Bill, as amended (PDF)")
    expect(preview.locator('a[href="https://example.org/annex.pdf"]')).to_have_count(0)
    expect(preview.locator('a[href="https://example.org/report.pdf"]')).to_have_count(1)
    # the date line is the editor's
    page.fill("#issue-line-input", "Issue 23 · June 2024")
    page.click("text=Save date line")
    expect(preview).to_contain_text("Issue 23 · June 2024")
    assert page.dialogs == []


def test_checklist_confirmation_and_no_resubmission_after_a_refusal(live: Live, page: Any) -> None:
    neglect = live.world.ids["neglect"]
    approve(live, neglect, live.world.ids["cse"])
    text = "The NSPCC has published a briefing on neglect."
    draft = Draft(text, text, (), word_limit=90, words=len(text.split()), hit_limit=False)
    flagged = Sensitivity(True, ("child death",), ('title: "child death"',))
    cse = live.world.ids["cse"]
    plain = Sensitivity(False, (), ())
    DraftStore(live.world.repo.engine).save_drafts(
        {neglect: (draft, flagged), cse: (draft, plain)}, NOW
    )
    log_in(live, page)
    bulletin_id = start_draft(live, page)
    checklist = page.locator("#checklist .checklist")
    # the plain draft goes out labelled unless checked; the sensitive one is held back
    expect(checklist).to_contain_text("the summary is an unchecked machine draft")
    expect(checklist).to_contain_text("is flagged sensitive (child death): its draft is held back")
    expect(checklist.locator(f'a[href="/items/{neglect}"]')).to_have_count(1)
    expect(checklist.locator(f'a[href="#summary-{cse}"]')).to_have_count(1)
    # publishing with points open is refused; the page after it is a GET
    page.click("#publish")
    expect(page.locator("#publish-error")).to_contain_text("open point(s) on the publish checklist")
    assert page.url.startswith(f"{live.base}/bulletins/{bulletin_id}")
    page.go_back()
    page.go_forward()
    page.reload()  # no "confirm form resubmission": the last request was a GET
    assert page.dialogs == []
    expect(page.locator("#bulletin-status")).to_have_text("draft")
    # confirmed: published, the confirmation recorded with the revision
    publish_confirmed(page)
    expect(page.locator("#revisions")).to_contain_text("Revision 1, published by ed")
    expect(page.locator("#revisions")).to_contain_text("open point(s) confirmed")
    page.reload()
    expect(page.locator("#bulletin-status")).to_have_text("published")
    [revision] = BulletinComposer(live.world.repo).revisions(bulletin_id)
    assert any("flagged sensitive" in point for point in revision.confirmed)


def test_items_sent_meanwhile_are_left_out_of_sections_and_preview(live: Live, page: Any) -> None:
    approve(live, live.world.ids["neglect"], live.world.ids["cse"])
    log_in(live, page)
    draft = start_draft(live, page, "Draft composed first")
    other = start_draft(live, page, "Published first")
    publish_confirmed(page)
    page.goto(f"{live.base}/bulletins/{draft}")
    expect(page.locator("article.b-entry")).to_have_count(0)
    expect(page.locator("#preview")).not_to_contain_text("Neglect: learning from case reviews")
    expect(page.locator("#already-sent")).to_contain_text(f"bulletin {other}")
    expect(page.locator("#already-sent")).to_contain_text("Neglect: learning from case reviews")


def test_a_published_bulletin_stays_frozen_and_a_correction_is_a_revision(
    live: Live, page: Any
) -> None:
    repo = live.world.repo
    neglect = live.world.ids["neglect"]
    approve(live, neglect)
    log_in(live, page)
    bulletin_id = start_draft(live, page)
    publish_confirmed(page)
    frozen_md = page.request.get(f"{live.base}/bulletins/{bulletin_id}.md").text()
    # later the item changes (a crawl, an editor): what was published does not
    later = dataclasses.replace(
        make_item("neglect", "Neglect: learning from case reviews"),
        summary="A rewritten description after publication.",
        updated=datetime(2024, 6, 5, tzinfo=UTC),
    )
    repo.upsert_items([later], NOW)
    repo.edit(neglect, at=NOW, actor="ed", title="Retitled after publication")
    page.reload()
    expect(page.locator("#preview")).to_contain_text("Neglect: learning from case reviews")
    expect(page.locator("#preview")).not_to_contain_text("Retitled after publication")
    assert page.request.get(f"{live.base}/bulletins/{bulletin_id}.md").text() == frozen_md
    # a correction: reopened, changed, published with a note as revision 2
    page.click("#correct")
    expect(page.locator("#bulletin-status")).to_have_text("correcting")
    expect(page.locator("#preview")).to_contain_text("Retitled after publication")
    page.fill("#correction-note", "the retitled report")
    publish_confirmed(page)
    revisions = page.locator("#revisions")
    expect(revisions).to_contain_text("Revision 2, published by ed")
    expect(revisions).to_contain_text("correction: the retitled report")
    composer = BulletinComposer(repo)
    first, second = composer.revisions(bulletin_id)
    assert first.renderings["markdown"] == frozen_md
    assert "Retitled after publication" in second.renderings["markdown"]
