"""Phone and desktop layouts of the review app, in Debian's Chromium (Playwright, headless).

Every page an editor works in (login, queue, item, bulletins, composer, sources, settings) is
opened at 390 px (a phone) and 1366 px (a laptop) wide. At both widths the document is no wider
than the viewport (no horizontal scroll) and every control of the page (each link, button,
field) lies inside the viewport horizontally: one the editor may have to scroll down to, never
sideways. The data holds what breaks layouts: a long unbroken URL and word, long error URLs on
the Sources page, a bulletin with entries. Under `make screenshots` each page at both widths is
photographed into docs/screenshots/<page>-<width>.png (the `screenshots` fixture).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from aggregator.schema import Attachment, DocType, Link
from aggregator.storage.repository import RunStats
from tests.conftest import Screenshots
from tests.review.browser import expect, log_in, new_page, served
from tests.review.conftest import EDITOR, FOUND, World, build_world, make_item, store

pytestmark = pytest.mark.browser

PHONE, LAPTOP = 390, 1366
HEIGHTS = {PHONE: 844, LAPTOP: 768}
LONG_URL = (
    "https://www.example.org.uk/government/publications/"
    "safeguarding-children-in-out-of-school-settings-code-of-practice-and-guidance-for-providers"
    "?utm_source=newsletter&utm_campaign=a-very-long-campaign-name-that-never-breaks"
)
LONG_WORD = "Interagencysafeguardingarrangementsconsultationresponsedocument"

# Every control an editor can use; `.sr` labels sit off-screen on purpose and are not controls.
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea"
MEASURE = """(selector) => {
  const width = document.documentElement.clientWidth;
  const outside = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('.sr') || !el.checkVisibility({visibilityProperty: true})) { continue; }
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) { continue; }
    if (box.left < -0.5 || box.right > width + 0.5) {
      const name = (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + el.className)
        + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
      outside.push(name + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {width: width, scrollWidth: document.documentElement.scrollWidth, outside: outside};
}"""


@dataclasses.dataclass
class Live:
    world: World
    base: str
    browser: Any
    long_id: int
    bulletin_path: str = ""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, loopback_site: str) -> Iterator[Live]:
    world = build_world(f"sqlite:///{tmp_path_factory.mktemp('layout') / 'review.db'}")
    long_item = dataclasses.replace(
        make_item("long", f"{LONG_WORD}: out-of-school settings", url=LONG_URL),
        doc_type=DocType.GUIDANCE,
        summary=f"A code of practice ({LONG_WORD}) for providers; see {LONG_URL}.",
        attachments=[Attachment("Code of practice (PDF)", f"{LONG_URL}&format=pdf")],
        links=[Link("Read the guidance", f"{loopback_site}/guidance")],
    )
    [long_id] = store(world.repo, [(long_item, 0.9)])
    for item_id in (world.ids["neglect"], world.ids["cse"], long_id):
        world.repo.review(item_id, "approve", at=FOUND, actor="ed")
    run = world.repo.start_run("nspcc", FOUND)
    world.repo.finish_run(
        run,
        RunStats(
            status="partial",
            finished_at=FOUND + timedelta(minutes=2),
            requests=12,
            responses_by_status={"200": 11, "404": 1},
            items_new=3,
            items_unchanged=8,
            errors=[{"url": LONG_URL, "message": "HTTP 404"}],
        ),
    )
    try:
        with served(world.app) as (base, browser):
            yield Live(world, base, browser, long_id)
    finally:
        world.repo.close()


def phone_or_laptop(live: Live, width: int) -> Any:
    return new_page(live.browser, width, HEIGHTS[width])


def bulletin_path(live: Live, page: Any) -> str:
    """A draft bulletin holding the approved items (made once, through the app's own form)."""
    if not live.bulletin_path:
        page.goto(f"{live.base}/bulletins")
        page.fill('input[name="start"]', "2024-06-03")
        page.fill('input[name="end"]', "2024-06-09")
        page.click("#create-bulletin")
        expect(page.locator("#bulletin-status")).to_have_text("draft")
        live.bulletin_path = page.url.removeprefix(live.base)
    return live.bulletin_path


def open_page(live: Live, page: Any, name: str) -> None:
    if name == "login":
        page.goto(f"{live.base}/login")
        return
    log_in(live.base, page, EDITOR)
    paths = {
        "queue": "/queue",
        "item": f"/items/{live.long_id}",
        "bulletins": "/bulletins",
        "sources": "/sources",
        "settings": "/settings",
    }
    path = bulletin_path(live, page) if name == "composer" else paths[name]
    page.goto(f"{live.base}{path}")


PAGES = ["login", "queue", "item", "bulletins", "composer", "sources", "settings"]
# The page's own actions, named so a failure says which one went missing.
ACTIONS = {
    "login": ["button[type=submit]"],
    "queue": ["header.top nav a", "button.approve", "button.reject", "button.defer"],
    "item": ["header.top nav a", "#approve", "#reject", "#save-edit", "#redraft"],
    "bulletins": ["header.top nav a", "#create-bulletin"],
    "composer": ["header.top nav a", "#publish", "#check-links", ".entry-tools button"],
    "sources": ["header.top nav a"],
    "settings": ["header.top nav a", "#save-draft-words"],
}


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_the_width_with_every_action_in_reach(
    live: Live, name: str, width: int, screenshots: Screenshots
) -> None:
    page = phone_or_laptop(live, width)
    try:
        open_page(live, page, name)
        for selector in ACTIONS[name]:
            expect(page.locator(selector).first).to_be_visible()
        # folded parts (a composer entry's links) are opened: they must fit too
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        found = page.evaluate(MEASURE, CONTROLS)
        assert found["scrollWidth"] <= found["width"], (name, found)
        assert found["outside"] == [], (name, found)
        # scrolled into view (downwards), each action is on the screen and can be clicked
        for selector in ACTIONS[name]:
            action = page.locator(selector).first
            action.scroll_into_view_if_needed()
            box = action.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= found["width"], selector
        page.evaluate("window.scrollTo(0, 0)")
        screenshots.take(page, f"{name}-{width}.png", full_page=True)
    finally:
        page.context.close()


def test_the_phone_item_page_rejects_with_a_reason(live: Live) -> None:
    """At 390 px the item page's Reject (once off-screen at 1,737 px wide) works."""
    [item_id] = store(live.world.repo, [(make_item("phone", "Reject me on a phone"), 0.9)])
    page = phone_or_laptop(live, PHONE)
    try:
        log_in(live.base, page, EDITOR)
        page.goto(f"{live.base}/items/{item_id}")
        page.select_option("#item-reason", "not_uk")
        page.click("#reject")
        expect(page.locator(".flash")).to_contain_text(f"Rejected item {item_id}")
        assert live.world.repo.stored_items([item_id])[item_id].reason == "not UK"
    finally:
        page.context.close()


def test_r_asks_for_a_reason_before_rejecting(live: Live) -> None:
    """`r` opens the reason dialog with nothing chosen (never the bulk menu's reason); Escape
    leaves the item alone; a reason rejects it with that reason."""
    repo = live.world.repo
    [item_id] = store(repo, [(make_item("keyed", "Reject me with the keyboard"), 0.99)])
    page = phone_or_laptop(live, LAPTOP)
    try:
        log_in(live.base, page, EDITOR)
        row = page.locator(f'li.row[data-id="{item_id}"]')
        page.select_option("#bulk-reason", "not_uk")  # what the bulk menu shows: not used
        row.click(position={"x": 600, "y": 5})
        page.keyboard.press("r")
        dialog = page.locator("#reject-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#reject-dialog-title")).to_have_text("Reject me with the keyboard")
        expect(page.locator("#reject-dialog-reason")).to_have_value("")
        page.click("#reject-dialog-confirm")  # no reason chosen: asked again, nothing done
        expect(page.locator("#reject-dialog-error")).to_have_text("Choose a reason.")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert repo.stored_items([item_id])[item_id].status == "new"
        page.keyboard.press("r")
        page.select_option("#reject-dialog-reason", "duplicate")
        page.click("#reject-dialog-confirm")  # a duplicate of what?
        expect(page.locator("#reject-dialog-error")).to_have_text("Say which item it duplicates.")
        page.select_option("#reject-dialog-reason", "out_of_scope")
        page.fill("#reject-dialog-detail", "a recruitment advert")
        with page.expect_response(lambda r: r.url.endswith(f"/items/{item_id}/review")) as sent:
            page.keyboard.press("Enter")  # Enter in the note submits the dialog
        assert sent.value.ok
        expect(page.locator("#toast")).to_contain_text(f"Rejected item {item_id}")
        stored = repo.stored_items([item_id])[item_id]
        assert (stored.status, stored.reason) == ("rejected", "out of scope: a recruitment advert")
    finally:
        page.context.close()


def test_r_straight_after_escape_asks_about_the_same_row(live: Live) -> None:
    """The dialog's close event is queued: Escape and r in one go reopen the dialog before it
    runs. The reopened dialog still knows its row, so a reason rejects the item (it once
    forgot the row, and the rejection was silently never sent)."""
    repo = live.world.repo
    [item_id] = store(repo, [(make_item("quick", "Reject me straight away"), 0.97)])
    page = phone_or_laptop(live, LAPTOP)
    try:
        log_in(live.base, page, EDITOR)
        page.locator(f'li.row[data-id="{item_id}"]').click(position={"x": 600, "y": 5})
        page.keyboard.press("r")
        expect(page.locator("#reject-dialog")).to_be_visible()
        # Escape's close, then r, in one task: the close event runs after the reopening
        page.evaluate(
            """() => {
                document.getElementById("reject-dialog").close();
                document.dispatchEvent(new KeyboardEvent("keydown", {key: "r", bubbles: true}));
            }"""
        )
        expect(page.locator("#reject-dialog")).to_be_visible()
        page.select_option("#reject-dialog-reason", "not_uk")
        with page.expect_response(lambda r: r.url.endswith(f"/items/{item_id}/review")) as sent:
            page.click("#reject-dialog-confirm")
        assert sent.value.ok
        expect(page.locator("#toast")).to_contain_text(f"Rejected item {item_id}")
        assert repo.stored_items([item_id])[item_id].status == "rejected"
    finally:
        page.context.close()


def test_a_rows_reject_button_asks_too_on_a_phone(live: Live, screenshots: Screenshots) -> None:
    repo = live.world.repo
    [item_id] = store(repo, [(make_item("tapped", "Reject me with a tap"), 0.98)])
    page = phone_or_laptop(live, PHONE)
    try:
        log_in(live.base, page, EDITOR)
        page.locator(f'li.row[data-id="{item_id}"] button.reject').click()
        dialog = page.locator("#reject-dialog")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        page.select_option("#reject-dialog-reason", "not_uk")
        screenshots.take(page, "queue-reject-dialog-390.png")
        page.click("#reject-dialog-confirm")
        expect(page.locator("#toast")).to_contain_text(f"Rejected item {item_id}")
        assert repo.stored_items([item_id])[item_id].reason == "not UK"
    finally:
        page.context.close()


def test_sources_and_coverage_show_a_partial_run_with_its_error(live: Live) -> None:
    """Item 5: a crawl that stored items but met an HTTP 404 is "partial" with the error on the
    Sources page (as `aggregator status` says), and the composer's coverage counts it as a
    crawl of the window that is not ok, with the error beside it."""
    page = phone_or_laptop(live, LAPTOP)
    try:
        log_in(live.base, page, EDITOR)
        page.goto(f"{live.base}/sources")
        row = page.locator("tr", has=page.locator("td", has_text="nspcc")).first
        expect(row.locator(".state")).to_have_text("partial")
        expect(row).to_contain_text("HTTP 404")
        page.goto(f"{live.base}{bulletin_path(live, page)}")
        coverage = page.locator("#coverage tr", has=page.locator("td", has_text="nspcc")).first
        expect(coverage).to_contain_text("HTTP 404")
        expect(coverage.locator("td").nth(2)).to_have_text("0")  # no ok crawl
        expect(coverage.locator("td").last).not_to_have_text("whole window")
    finally:
        page.context.close()
