"""The review app in a real browser: Playwright driving Debian's Chromium, headless.

One browser and one live server (werkzeug, on a loopback port) for the module; each test gets
a fresh browser context (no cookies). Every link the app checks points at a loopback server.
Under `make screenshots` the queue, an item and a bulletin preview are photographed into
docs/screenshots/ (the `screenshots` fixture, tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from aggregator.schema import Attachment, DocType, Link
from tests.conftest import Screenshots
from tests.review.browser import expect, new_page, served
from tests.review.browser import log_in as browser_log_in
from tests.review.conftest import EDITOR, FOUND, VIEWER, World, build_world, make_item, store

pytestmark = pytest.mark.browser

XSS_TITLE = '<script>window.__xss = 1; alert("title")</script><img src=x onerror="alert(1)">'
XSS_SUMMARY = 'Read this <img src=x onerror="alert(2)"> <a href="javascript:alert(3)">now</a>'


@dataclasses.dataclass
class Live:
    world: World
    base: str
    browser: Any
    xss_id: int
    linked_id: int


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, loopback_site: str) -> Iterator[Live]:
    world = build_world(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'review.db'}")
    nasty = make_item(
        "xss",
        XSS_TITLE,
        summary=XSS_SUMMARY,
        url="javascript:alert(4)",
        links=[Link("Read <b>more</b>", "javascript:alert(5)")],
    )
    linked = dataclasses.replace(
        make_item("toolkit", "Neglect toolkit for practitioners", url=f"{loopback_site}/toolkit"),
        doc_type=DocType.GUIDANCE,
        attachments=[Attachment("Toolkit (PDF)", f"{loopback_site}/missing-toolkit.pdf")],
        links=[Link("Book a free place", f"{loopback_site}/book")],
    )
    xss_id, linked_id = store(world.repo, [(nasty, 0.4), (linked, 0.5)])
    try:
        with served(world.app) as (base, browser):
            yield Live(world, base, browser, xss_id, linked_id)
    finally:
        world.repo.close()


@pytest.fixture
def page(live: Live) -> Iterator[Any]:
    found = new_page(live.browser)
    context = found.context
    found.dialogs = []
    found.on("dialog", lambda dialog: (found.dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield found
    finally:
        context.close()


def log_in(live: Live, page: Any, who: tuple[str, str] = EDITOR) -> None:
    browser_log_in(live.base, page, who)


def test_a_logged_out_visitor_is_sent_to_login(live: Live, page: Any) -> None:
    page.goto(f"{live.base}/queue")
    assert page.url.startswith(f"{live.base}/login?next=")
    expect(page.locator("h1")).to_have_text("Log in")
    page.fill("#username", EDITOR[0])
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("do not match")


def test_log_in_then_approve_reject_and_edit(
    live: Live, page: Any, screenshots: Screenshots
) -> None:
    log_in(live, page)
    expect(page.locator("h1")).to_have_text("Queue")
    screenshots.take(page, "queue.png")
    rows = page.locator("li.row")
    first, second = rows.nth(0).get_attribute("data-id"), rows.nth(1).get_attribute("data-id")
    assert first and second
    # keyboard triage: j focuses the first row, a approves it, focus moves on, r asks why
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("row current")
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text(f"Approved item {first}")
    expect(rows.nth(1)).to_have_class("row current")
    page.locator("li.row").nth(1).click(position={"x": 600, "y": 5})
    page.keyboard.press("r")  # asks for a reason first (never the bulk menu's)
    page.select_option("#reject-dialog-reason", "not_uk")
    page.click("#reject-dialog-confirm")
    expect(page.locator("#toast")).to_contain_text(f"Rejected item {second}")
    repo = live.world.repo
    stored = repo.stored_items([int(first), int(second)])
    assert stored[int(first)].status == "approved"
    assert (stored[int(second)].status, stored[int(second)].reason) == ("rejected", "not UK")
    # undo from the toast puts the rejection back
    page.locator("#toast button").click()
    expect(page.locator("#toast")).to_contain_text("Undid event")
    assert repo.stored_items([int(second)])[int(second)].status == "new"
    # the item page: edit the title, then reject with a reason from its form
    page.goto(f"{live.base}/items/{live.linked_id}")
    page.fill("#edit-title", "Neglect toolkit")
    page.click("#save-edit")
    expect(page.locator("#item-title")).to_have_text("Neglect toolkit")
    expect(page.locator(".flash")).to_contain_text("Saved the title")
    page.select_option("#item-reason", "duplicate")
    page.fill("#item-detail", str(first))
    page.click("#reject")
    expect(page.locator(".flash")).to_contain_text("Rejected")
    assert (
        repo.stored_items([live.linked_id])[live.linked_id].reason == f"duplicate of item {first}"
    )
    page.click(".audit li:first-child button.undo")  # the newest event: the rejection
    expect(page.locator(".flash")).to_contain_text("Undid event")
    assert repo.events(live.linked_id)[-1].actor == EDITOR[0]
    page.goto(f"{live.base}/items/{first}")  # for the docs: an item with its audit record
    screenshots.take(page, "item.png", full_page=True)
    assert page.dialogs == []


def test_scraped_payloads_show_as_text_and_never_run(live: Live, page: Any) -> None:
    log_in(live, page)
    page.goto(f"{live.base}/queue?relevance=all")
    title = page.locator(f'li.row[data-id="{live.xss_id}"] a.title')
    expect(title).to_have_text(XSS_TITLE)
    page.goto(f"{live.base}/items/{live.xss_id}")
    expect(page.locator("#item-title")).to_have_text(XSS_TITLE)
    expect(page.locator(".summary-full")).to_have_text(XSS_SUMMARY)
    assert page.locator("img[src=x]").count() == 0
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert not any(h and h.strip().lower().startswith("javascript:") for h in hrefs)
    page.locator("a.external").click()  # a javascript: URL became "#": nothing happens
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []


def test_a_post_without_a_csrf_token_is_refused(live: Live, page: Any) -> None:
    log_in(live, page)
    status = page.evaluate(
        """async (id) => (await fetch('/items/' + id + '/review', {method: 'POST',
             headers: {'Content-Type': 'application/x-www-form-urlencoded'},
             body: 'action=approve'})).status""",
        live.xss_id,
    )
    assert status == 400
    assert live.world.repo.stored_items([live.xss_id])[live.xss_id].status == "new"


def test_a_viewer_cannot_approve(live: Live, page: Any) -> None:
    log_in(live, page, VIEWER)
    expect(page.locator("li.row").first).to_be_visible()
    assert page.locator("button.approve").count() == 0
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("Not done")
    status = page.evaluate(
        """async (id) => (await fetch('/items/' + id + '/review', {method: 'POST',
             headers: {'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content,
                       'Content-Type': 'application/x-www-form-urlencoded'},
             body: 'action=approve'})).status""",
        live.xss_id,
    )
    assert status == 403
    assert live.world.repo.events(live.xss_id) == []


def test_compose_preview_and_publish_a_bulletin(
    live: Live, page: Any, screenshots: Screenshots
) -> None:
    repo = live.world.repo
    for item_id in (live.world.ids["neglect"], live.world.ids["cse"], live.linked_id):
        repo.review(item_id, "approve", at=FOUND, actor="ed")
    log_in(live, page)
    page.click("text=Bulletins")
    expect(page.locator('input[name="start"]')).to_have_value("2024-06-03")
    page.click("#create-bulletin")
    expect(page.locator("#bulletin-status")).to_have_text("draft")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Source: NSPCC")
    expect(preview).to_contain_text("Date: 03 June 2024")
    expect(preview).to_contain_text("Read the report:")
    # a summary edited in place: the guide counts, and the live preview follows
    neglect = live.world.ids["neglect"]
    area = page.locator(f"#summary-{neglect}")
    summary = (
        "The NSPCC has published a learning briefing drawing on case reviews where neglect "
        "was a feature, with the key issues for practitioners."
    )
    area.fill(summary)
    guide = page.locator(f"#entry-{neglect} .guide")
    expect(guide.locator(".count")).to_have_text(str(len(summary)))
    expect(guide).to_have_class("guide under")
    expect(preview).to_contain_text("drawing on case reviews where neglect was a feature")
    expect(guide.locator(".save-state")).to_have_text("saved")
    # sections in the editor's order
    page.click('button[aria-label="Move section Case reviews and briefings up"]')
    # the move is a form post: wait for the page it answers with, not the one it replaces
    page.wait_for_function(
        """() => {
            const headings = [...document.querySelectorAll('#preview h2')].map(h => h.innerText);
            return headings.indexOf('Case reviews and briefings') >= 0
                && headings.indexOf('Case reviews and briefings')
                    < headings.indexOf('Research and reports');
        }"""
    )
    headings = preview.locator("h2").all_inner_texts()
    assert headings.index("Case reviews and briefings") < headings.index("Research and reports")
    page.evaluate("window.scrollTo(0, 0)")
    screenshots.take(page, "bulletin-preview.png")
    # links checked before publishing: the toolkit's PDF is broken
    page.click("#check-links")
    expect(page.locator("#broken-count")).to_have_text("1")
    expect(page.locator(f"#entry-{live.linked_id} .broken-links")).to_contain_text(
        "missing-toolkit.pdf"
    )
    page.click("#publish")
    expect(page.locator("#publish-error")).to_contain_text("1 broken link(s)")
    page.check('input[name="publish_anyway"]')
    page.click("#publish")
    expect(page.locator("#bulletin-status")).to_have_text("published")
    expect(page.locator(".flash")).to_contain_text("frozen")
    assert page.locator("textarea.summary-edit").count() == 0
    expect(preview).to_contain_text("drawing on case reviews where neglect was a feature")
    assert page.dialogs == []


# Written for this test (no sentence of the example bulletin): a standfirst and main text in
# the shape of a case-review briefing, for the drafter to choose from.
DRAFT_ITEM_SUMMARY = (
    "A briefing on what local case reviews say about infants harmed at home, and the "
    "questions practitioners can ask during home visits."
)
DRAFT_ITEM_TEXT = "\n".join(
    [
        "Skip to main content",
        "This briefing brings together learning from case reviews published over five years "
        "where babies under one were seriously harmed at home.",
        "It finds that fathers and other male carers were often unknown to services.",
        "The briefing sets out questions health visitors and social workers can ask to "
        "understand who is caring for a baby.",
        "Accept cookies",
    ]
)


def test_use_the_draft_then_save_it_as_the_summary(
    live: Live, page: Any, screenshots: Screenshots
) -> None:
    from aggregator.storage.draft_summaries import DraftStore

    repo = live.world.repo
    item = dataclasses.replace(
        make_item("infants", "Infants harmed at home: learning from case reviews"),
        doc_type=DocType.BRIEFING,
        summary=DRAFT_ITEM_SUMMARY,
    )
    [item_id] = store(repo, [(item, 0.9)])
    drafts = DraftStore(repo.engine)
    drafts.save_texts({item_id: DRAFT_ITEM_TEXT}, FOUND)
    drafted = drafts.redraft(item_id, at=FOUND).draft
    assert drafted.text.strip()

    log_in(live, page)
    row = page.locator(f'li.row[data-id="{item_id}"]')
    expect(row.locator(".badge-draft")).to_be_visible()  # the queue shows the draft's start
    row.scroll_into_view_if_needed()
    screenshots.take(row, "queue-draft-row.png")
    page.goto(f"{live.base}/items/{item_id}")
    expect(page.locator("#draft-text")).to_have_text(drafted.text)
    expect(page.locator(".summary-full")).to_have_text(DRAFT_ITEM_SUMMARY)
    page.set_viewport_size({"width": 1280, "height": 1150})  # title, reminder and both texts
    screenshots.take(page, "item-draft.png")
    # one click copies the draft into the editable summary; nothing is saved yet
    page.click("#use-draft")
    expect(page.locator("#edit-summary")).to_have_value(drafted.text)
    expect(page.locator("#use-draft-note")).to_be_visible()
    expect(page.locator("#summary-words")).to_have_text(f"{len(drafted.text.split())} words")
    assert repo.stored_items([item_id])[item_id].edited_summary is None
    # the editor trims it and saves with the ordinary edit form
    page.fill("#edit-summary", drafted.text + " Edited by hand.")
    page.click("#save-edit")
    expect(page.locator(".flash")).to_contain_text(f"Saved the summary of item {item_id}")
    expect(page.locator("#editor-summary")).to_have_text(drafted.text + " Edited by hand.")
    expect(page.locator("#bulletin-uses")).to_contain_text("the editor's summary")
    stored = repo.stored_items([item_id])[item_id]
    assert stored.edited_summary == drafted.text + " Edited by hand."
    assert stored.item.summary == DRAFT_ITEM_SUMMARY  # the publisher's own is kept apart
    assert page.dialogs == []
