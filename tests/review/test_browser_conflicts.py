"""Two editors on one item, in a real browser: two Playwright contexts (two logins, two
cookie jars) driving Debian's Chromium against one live server.

Tab 1 saves a summary while tab 2, opened before, changes only the title: both changes are
kept. When both change the summary, tab 2 gets the conflict page and chooses. A bulk action
from a queue page loaded before another editor's decision skips that item and says so. The
item page's summary has the composer's length guide.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.review.browser import expect, log_in, new_page, served
from tests.review.conftest import EDITOR, FOUND, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # slow: scheduled first


@dataclasses.dataclass
class Live:
    world: World
    base: str
    browser: Any


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    world = build_world(f"sqlite:///{tmp_path_factory.mktemp('conflicts') / 'review.db'}")
    try:
        with served(world.app) as (base, browser):
            yield Live(world, base, browser)
    finally:
        world.repo.close()


def editor_tab(live: Live) -> Any:
    """A page in a browser context of its own (its own cookies), logged in as an editor."""
    page = new_page(live.browser)
    log_in(live.base, page, EDITOR)
    return page


@pytest.fixture
def two_editors(live: Live) -> Iterator[tuple[Any, Any]]:
    first, second = editor_tab(live), editor_tab(live)
    try:
        yield first, second
    finally:
        first.context.close()
        second.context.close()


def test_two_editors_changing_different_fields_keep_both(
    live: Live, two_editors: tuple[Any, Any]
) -> None:
    tab1, tab2 = two_editors
    item_id = live.world.ids["cse"]
    for tab in (tab1, tab2):  # both open the item before either saves
        tab.goto(f"{live.base}/items/{item_id}")
    summary = "Tab one's summary of the exploitation briefing, for the bulletin."
    tab1.fill("#edit-summary", summary)
    tab1.click("#save-edit")
    expect(tab1.locator(".flash")).to_contain_text(f"Saved the summary of item {item_id}")
    # tab 2 still shows the old summary; it changes only the title
    tab2.fill("#edit-title", "CSE: a practitioners' briefing")
    tab2.click("#save-edit")
    expect(tab2.locator(".flash")).to_contain_text(f"Saved the title of item {item_id}")
    expect(tab2.locator(".flash")).to_contain_text("Kept the summary saved by someone else")
    expect(tab2.locator("#item-title")).to_have_text("CSE: a practitioners' briefing")
    expect(tab2.locator("#editor-summary")).to_have_text(summary)
    stored = live.world.repo.stored_items([item_id])[item_id]
    assert (stored.title, stored.summary) == ("CSE: a practitioners' briefing", summary)


def test_two_editors_changing_the_same_field_get_the_conflict_page(
    live: Live, two_editors: tuple[Any, Any]
) -> None:
    tab1, tab2 = two_editors
    item_id = live.world.ids["neglect"]
    for tab in (tab1, tab2):
        tab.goto(f"{live.base}/items/{item_id}")
    original = tab2.locator("#edit-summary").input_value()
    tab1.fill("#edit-summary", "Theirs: the summary tab one saved first.")
    tab1.click("#save-edit")
    expect(tab1.locator(".flash")).to_contain_text("Saved the summary")
    tab2.fill("#edit-summary", "Mine: the summary tab two wrote.")
    tab2.fill("#edit-section", "Case reviews and briefings")
    tab2.click("#save-edit")
    # nothing saved yet: the three versions of the summary, and a choice
    expect(tab2.locator("h1")).to_have_text("Changed by someone else meanwhile")
    field = tab2.locator("#field-summary")
    expect(field.locator(".version-original")).to_have_text(original)
    expect(field.locator(".version-theirs")).to_have_text(
        "Theirs: the summary tab one saved first."
    )
    expect(field.locator(".version-yours")).to_have_text("Mine: the summary tab two wrote.")
    expect(tab2.locator("#field-section .outcome")).to_have_text(
        "changed by you only: yours is saved"
    )
    stored = live.world.repo.stored_items([item_id])[item_id]
    assert stored.summary == "Theirs: the summary tab one saved first." and stored.section is None
    # the editor keeps their own, touched up on the conflict page, and saves
    tab2.check("#choose-mine-summary")
    tab2.fill("#mine-summary", "Mine, with a line from theirs: saved first.")
    tab2.click("#save-choices")
    expect(tab2.locator(".flash")).to_contain_text("Saved the summary, section")
    expect(tab2.locator("#editor-summary")).to_have_text(
        "Mine, with a line from theirs: saved first."
    )
    stored = live.world.repo.stored_items([item_id])[item_id]
    assert (stored.summary, stored.section) == (
        "Mine, with a line from theirs: saved first.",
        "Case reviews and briefings",
    )
    # the audit tells it in sentences, newest first
    expect(tab2.locator(".audit li").first).to_contain_text(
        "Edited by ed, 10:00 on 5 June 2024: summary rewritten"
    )


def test_a_bulk_action_from_a_stale_queue_skips_the_changed_item(
    live: Live, two_editors: tuple[Any, Any]
) -> None:
    tab1, tab2 = two_editors
    older, unclassified = live.world.ids["older"], live.world.ids["unclassified"]
    tab2.goto(f"{live.base}/queue")  # tab 2's queue page, loaded before tab 1 decides
    tab1.goto(f"{live.base}/items/{older}")
    tab1.click("button.defer")
    expect(tab1.locator(".flash")).to_contain_text(f"Deferred item {older}")
    for item_id in (older, unclassified):
        tab2.check(f'li.row[data-id="{item_id}"] input.pick')
    tab2.click('.bulk-bar button[value="approve"]')
    expect(tab2.locator(".flash-success")).to_contain_text("Approved 1 item.")
    expect(tab2.locator(".flash-warning")).to_contain_text(f"item {older} (now deferred)")
    stored = live.world.repo.stored_items([older, unclassified])
    assert (stored[older].status, stored[unclassified].status) == ("deferred", "approved")
    live.world.repo.review(unclassified, "reopen", at=FOUND, actor="ed")


def test_the_item_page_summary_has_the_length_guide(
    live: Live, two_editors: tuple[Any, Any]
) -> None:
    tab, _ = two_editors
    item_id = live.world.ids["visa"]
    tab.goto(f"{live.base}/items/{item_id}")
    guide = tab.locator("#summary-guide")
    expect(guide).to_contain_text("aim for 250–600, at most 1200")
    tab.fill("#edit-summary", "Too short.")
    expect(guide.locator(".count")).to_have_text("10")
    expect(guide).to_have_class("guide under")
    tab.fill("#edit-summary", "Long enough and then some. " * 30)
    expect(guide).to_have_class("guide over")
    expect(guide).to_contain_text("longer than a bulletin entry")
    # the field takes no more than the limit: an 8,000-character paste is cut at 1,200
    tab.fill("#edit-summary", "")
    tab.locator("#edit-summary").press_sequentially("x" * 5)
    tab.evaluate("() => { const a = document.getElementById('edit-summary'); a.focus(); }")
    tab.keyboard.insert_text("y" * 8000)
    assert len(tab.locator("#edit-summary").input_value()) == 1200


def test_two_editors_typing_one_bulletin_summary_never_overwrite_each_other(
    live: Live, two_editors: tuple[Any, Any]
) -> None:
    """The composer saves summaries as you type; the second editor's autosave over the first's
    newer text is refused, says so, and the first editor's text stays in the preview."""
    tab1, tab2 = two_editors
    live.world.repo.review(live.world.ids["cse"], "approve", at=FOUND, actor="ed")
    tab1.goto(f"{live.base}/bulletins")
    tab1.fill('input[name="start"]', "2024-06-03")
    tab1.fill('input[name="end"]', "2024-06-09")
    tab1.click("#create-bulletin")
    composer = tab1.url
    tab2.goto(composer)  # both open the composer before either types
    area = f"#summary-{live.world.ids['cse']}"
    tab1.fill(area, "The first editor's summary of the exploitation briefing.")
    expect(tab1.locator(f"form:has({area}) .save-state")).to_have_text("saved")
    tab2.fill(area, "The second editor's summary, typed on a stale page.")
    expect(tab2.locator(f"form:has({area}) .save-state")).to_contain_text(
        "another editor saved “The first editor's summary"
    )
    tab1.goto(composer.split("#")[0] + "/preview")
    expect(tab1.locator("body")).to_contain_text("The first editor's summary")
