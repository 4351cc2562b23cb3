"""Draft summaries in the review app: the draft beside the publisher's description, "Use
draft", redrafting, the default length, the sensitivity reminder, the queue's draft line and
the composer's choice of summary (the editor's text, else the draft, else the publisher's)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from aggregator.classify.sensitive import Sensitivity
from aggregator.drafting import Draft, UsedSentence
from aggregator.review.bulletins import BulletinComposer
from aggregator.storage.draft_summaries import DraftStore
from tests.review.conftest import FOUND, NOW, World, csrf_of, post

OPENING = "The NSPCC has published a report on neglect."
FROM_STANDFIRST = "It draws on case reviews published since 2019."
FROM_MAIN_TEXT = "Practitioners should look for patterns of neglect over time."
DRAFT_TEXT = f"{OPENING} {FROM_STANDFIRST} {FROM_MAIN_TEXT}"
DRAFT_LABEL = "(machine-written from the publisher's own sentences)"
REMINDER = "Do not copy identifying or graphic detail into the summary."


def a_draft(text: str = DRAFT_TEXT, *, word_limit: int = 90, hit_limit: bool = False) -> Draft:
    """A draft as the drafter records it: the opening, then the sentences it used."""
    sentences = []
    if FROM_STANDFIRST in text:
        sentences.append(UsedSentence(FROM_STANDFIRST, "summary", 1, False))
    if FROM_MAIN_TEXT in text:
        sentences.append(UsedSentence(FROM_MAIN_TEXT, "main_text", 4, hit_limit))
    return Draft(
        text=text,
        opening=OPENING,
        sentences=tuple(sentences),
        word_limit=word_limit,
        words=len(text.split()),
        hit_limit=hit_limit,
    )


NOT_SENSITIVE = Sensitivity(flagged=False, reasons=(), evidence=())
SENSITIVE = Sensitivity(
    flagged=True,
    reasons=("child death", "case review"),
    evidence=('title: "serious case review"', 'main text: "died"'),
)


def save(world: World, name: str, draft: Draft, sensitivity: Sensitivity = NOT_SENSITIVE) -> int:
    item_id = world.ids[name]
    DraftStore(world.repo.engine).save_drafts({item_id: (draft, sensitivity)}, FOUND)
    return item_id


def stored_draft_limit(world: World, item_id: int) -> int:
    found = DraftStore(world.repo.engine).get(item_id)
    assert found is not None
    return found.draft.word_limit


@contextmanager
def statements_on(world: World, table: str) -> Iterator[list[str]]:
    """The SQL statements the app runs that read `table` (counted on the app's own engine)."""
    engine = world.app.extensions["aggregator_repo"].engine
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(rf"\bFROM {table}\b", statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


# --- the item page --------------------------------------------------------------------------


def test_item_page_shows_the_draft_beside_the_publishers_description(world: World) -> None:
    item_id = save(world, "neglect", a_draft())
    response = world.client().get(f"/items/{item_id}")
    page = response.get_data(as_text=True)
    for expected in (
        "Publisher's description",
        "A summary of neglect: learning from case reviews.",  # the publisher's own
        DRAFT_LABEL,
        # each sentence the draft used, marked with where it came from
        '<span class="used used-summary" title="From the standfirst, sentence 2">'
        f"{FROM_STANDFIRST}</span>",
        '<span class="used used-main_text" title="From the main text, sentence 5">'
        f"{FROM_MAIN_TEXT}</span>",
        '<span class="origin origin-summary">standfirst</span>',
        '<span class="origin origin-main_text">main text</span>',
        f"{len(DRAFT_TEXT.split())} of 90 words",
        "within the limit",
        "Bulletins use the draft",
    ):
        assert expected in page, expected
    # the copy control: the draft's text for item.js, which fills the summary field
    assert f'id="use-draft" class="primary" data-draft="{DRAFT_TEXT}"' in page
    assert 'data-target="edit-summary"' in page and 'id="edit-summary"' in page
    assert '<script src="/static/item.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    script = world.client().get("/static/item.js").get_data(as_text=True)
    assert "use-draft" in script and "edit-summary" in script


def test_a_draft_at_its_limit_says_so_and_an_item_without_one_offers_to_draft(
    world: World,
) -> None:
    item_id = save(world, "neglect", a_draft(word_limit=20, hit_limit=True))
    page = world.client().get(f"/items/{item_id}").get_data(as_text=True)
    assert "of 20 words" in page and "hit the limit" in page
    assert "trimmed" in page  # the main-text sentence was cut to fit
    other = world.client().get(f"/items/{world.ids['cse']}").get_data(as_text=True)
    assert "No draft yet." in other and 'id="use-draft"' not in other
    assert 'action="/items/{}/redraft"'.format(world.ids["cse"]) in other


def test_a_viewer_sees_the_draft_but_cannot_use_or_redraft_it(world: World) -> None:
    item_id = save(world, "neglect", a_draft())
    page = world.client(("vi", "viewer-password-1")).get(f"/items/{item_id}").get_data(as_text=True)
    assert DRAFT_LABEL in page and FROM_MAIN_TEXT in page
    assert 'id="use-draft"' not in page and "/redraft" not in page


def test_scraped_text_in_a_draft_is_escaped(world: World) -> None:
    nasty = '<script>alert("d")</script> "quoted" <img src=x onerror=alert(1)>'
    item_id = save(world, "neglect", a_draft(f"{OPENING} {nasty}"))
    page = world.client().get(f"/items/{item_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;d&#34;)&lt;/script&gt;" in page
    # inside the data attribute too: the quotes cannot end it
    assert 'data-draft="The NSPCC has published a report on neglect. &lt;script&gt;' in page


def test_using_the_draft_is_saved_by_the_ordinary_edit_form(world: World) -> None:
    item_id = save(world, "neglect", a_draft())
    client = world.client()
    # what item.js does on "Use draft": the draft in the summary field, then Save
    assert post(client, f"/items/{item_id}/edit", {"summary": DRAFT_TEXT}).status_code == 302
    stored = world.repo.stored_items([item_id])[item_id]
    assert stored.edited_summary == DRAFT_TEXT
    assert stored.item.summary == "A summary of neglect: learning from case reviews."
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Editor's summary" in page
    assert "Bulletins use the editor's summary" in page
    # no token, no change
    token_less = client.post(f"/items/{item_id}/edit", data={"summary": "Other."})
    assert token_less.status_code == 400


# --- redrafting and the default length ------------------------------------------------------


def test_redraft_needs_a_login_and_a_csrf_token_and_changes_the_stored_draft(
    world: World,
) -> None:
    item_id = world.ids["neglect"]
    drafts = DraftStore(world.repo.engine)
    drafts.save_texts(
        {item_id: "Neglect is the most common reason for a child protection plan.\n"
         "This report looks at what case reviews say about spotting it early."},
        FOUND,
    )  # fmt: skip
    drafts.redraft(item_id, at=FOUND)
    assert stored_draft_limit(world, item_id) == 90
    path = f"/items/{item_id}/redraft"

    anonymous = world.app.test_client()
    token = csrf_of(anonymous)  # a visitor's session has a token, but no login
    assert anonymous.post(path, data={"words": "40", "csrf_token": token}).status_code == 401
    assert anonymous.post(path, data={"words": "40"}).status_code == 400

    editor = world.client()
    assert editor.post(path, data={"words": "40"}).status_code == 400  # no token
    viewer = world.client(("vi", "viewer-password-1"))
    assert post(viewer, path, {"words": "40"}).status_code == 403
    assert stored_draft_limit(world, item_id) == 90

    done = post(editor, path, {"words": "40"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/items/{item_id}#draft")
    assert stored_draft_limit(world, item_id) == 40
    assert "Redrafted item" in editor.get(f"/items/{item_id}").get_data(as_text=True)
    as_json = post(editor, path, {"words": "60"}, headers={"Accept": "application/json"})
    assert as_json.get_json()["word_limit"] == 60 and as_json.get_json()["ok"] is True
    assert stored_draft_limit(world, item_id) == 60

    for bad in ("10", "401", "ninety", ""):
        assert post(editor, path, {"words": bad}).status_code == 400, bad
    assert stored_draft_limit(world, item_id) == 60
    assert post(editor, "/items/999999/redraft", {"words": "40"}).status_code == 404
    # the publisher's description and the editor's text are never touched by a redraft
    stored = world.repo.stored_items([item_id])[item_id]
    assert stored.edited_summary is None
    assert stored.item.summary == "A summary of neglect: learning from case reviews."


def test_redraft_makes_a_first_draft_at_the_chosen_length(world: World) -> None:
    item_id = world.ids["cse"]
    assert DraftStore(world.repo.engine).get(item_id) is None
    assert post(world.client(), f"/items/{item_id}/redraft", {"words": "30"}).status_code == 302
    assert stored_draft_limit(world, item_id) == 30


def test_the_default_word_limit_setting(world: World) -> None:
    drafts = DraftStore(world.repo.engine)
    editor = world.client()
    page = editor.get("/settings").get_data(as_text=True)
    assert 'id="current-word-limit">90<' in page and 'name="words"' in page
    assert 'href="/settings"' in page  # in the navigation

    assert editor.post("/settings/draft-words", data={"words": "120"}).status_code == 400
    viewer = world.client(("vi", "viewer-password-1"))
    assert 'name="words"' not in viewer.get("/settings").get_data(as_text=True)
    assert post(viewer, "/settings/draft-words", {"words": "120"}).status_code == 403
    anonymous = world.app.test_client()
    token = csrf_of(anonymous)
    assert (
        anonymous.post("/settings/draft-words", data={"words": "120", "csrf_token": token})
    ).status_code == 401
    assert drafts.word_limit() == 90

    done = post(editor, "/settings/draft-words", {"words": "120"})
    assert done.status_code == 302 and drafts.word_limit() == 120
    assert 'id="current-word-limit">120<' in editor.get("/settings").get_data(as_text=True)
    for bad in ("19", "1000", "many"):
        assert post(editor, "/settings/draft-words", {"words": bad}).status_code == 400, bad
    assert drafts.word_limit() == 120
    # the item page offers the new default for an item not drafted yet, and a redraft
    # without a stated length would take it
    item_page = editor.get(f"/items/{world.ids['cse']}").get_data(as_text=True)
    assert "New drafts: 120 words" in item_page and 'value="120"' in item_page
    assert drafts.redraft(world.ids["cse"], at=NOW).draft.word_limit == 120


# --- sensitivity ----------------------------------------------------------------------------


def test_a_sensitive_item_carries_the_reminder_with_its_evidence(world: World) -> None:
    flagged = save(world, "neglect", a_draft(), SENSITIVE)
    plain = save(world, "cse", a_draft(), NOT_SENSITIVE)
    client = world.client()
    reminder = f"Sensitive: about child death and case review.</strong> {REMINDER}"
    page = client.get(f"/items/{flagged}").get_data(as_text=True)
    assert reminder in page
    assert (
        '<span class="evidence-phrase">title: &#34;serious case review&#34;</span>; '
        '<span class="evidence-phrase">main text: &#34;died&#34;</span>'
    ) in page
    assert "Sensitive:" not in client.get(f"/items/{plain}").get_data(as_text=True)
    queue = client.get("/queue").get_data(as_text=True)
    assert queue.count(reminder) == 1
    row = queue[queue.index(f'data-id="{flagged}"') :]
    assert row.index(reminder) < row.index("</li>")  # on the flagged item's own row


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_shows_a_draft_where_the_editor_wrote_no_summary(world: World) -> None:
    long_draft = " ".join([OPENING, *(f"Point number {n} of the report." for n in range(12))])
    drafted = save(world, "neglect", a_draft(long_draft))
    edited = save(world, "cse", a_draft())
    post(world.client(), f"/items/{edited}/edit", {"summary": "The editor's own words."})
    queue = world.client().get("/queue").get_data(as_text=True)
    first_30 = " ".join(long_draft.split()[:30])
    assert '<span class="badge badge-draft"' in queue
    assert f"{first_30} …" in queue and long_draft not in queue
    row = queue[queue.index(f'data-id="{edited}"') :]
    assert row.index("The editor&#39;s own words.") < row.index("</li>")
    assert DRAFT_TEXT not in queue  # the edited item's draft is not shown
    # an item without a draft shows the publisher's description
    assert "A summary of online safety for families." in queue
    assert drafted


def test_the_queue_reads_drafts_in_one_query_per_page(world: World) -> None:
    for name in ("neglect", "cse", "unclassified"):
        save(world, name, a_draft())
    client = world.client()
    client.get("/queue")  # the first look of a session records it; count a settled page
    with statements_on(world, "drafts") as seen:
        assert client.get("/queue").status_code == 200
    assert len(seen) == 1, seen
    with statements_on(world, "drafts") as seen:
        assert client.get("/queue?size=1").status_code == 200
    assert len(seen) == 1, seen


# --- the composer and the published bulletin -------------------------------------------------


def test_bulletins_use_the_editors_text_else_the_draft_else_the_description(
    world: World,
) -> None:
    names = ("neglect", "cse", "unclassified")
    for name in names:
        world.repo.review(world.ids[name], "approve", at=FOUND, actor="ed")
    neglect_draft = f"{OPENING} {FROM_STANDFIRST}"
    save(world, "neglect", a_draft(neglect_draft))
    save(world, "cse", a_draft(), SENSITIVE)
    client = world.client()
    post(client, f"/items/{world.ids['cse']}/edit", {"summary": "The editor's CSE summary."})
    window = {"title": "Week of 3 June", "start": "2024-06-03", "end": "2024-06-09"}
    created = post(client, "/bulletins", window)
    bulletin_id = int(created.headers["Location"].rsplit("/", 1)[1])
    store = BulletinComposer(world.repo)
    entries = {e.item_id: e for e in store.entries(store.require(bulletin_id))}
    by_name = {name: entries[world.ids[name]] for name in names}
    assert (by_name["neglect"].summary, by_name["neglect"].summary_origin) == (
        neglect_draft,
        "draft",
    )
    assert (by_name["cse"].summary, by_name["cse"].summary_origin) == (
        "The editor's CSE summary.",
        "editor",
    )
    assert (by_name["unclassified"].summary, by_name["unclassified"].summary_origin) == (
        "A summary of online safety for families.",
        "publisher",
    )

    page = client.get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert neglect_draft in page and "check it" in page  # the draft is marked as one
    assert "Sensitive: about child death and case review." in page
    preview = client.get(f"/bulletins/{bulletin_id}/preview").get_data(as_text=True)
    assert neglect_draft in preview
    assert "The editor&#39;s CSE summary." in preview or "The editor's CSE summary." in preview
    assert "A summary of online safety for families." in preview
    assert DRAFT_TEXT not in preview  # cse's draft lost to the editor's text
    markdown = client.get(f"/bulletins/{bulletin_id}.md").get_data(as_text=True)
    assert neglect_draft in markdown

    # this bulletin's own edit wins over everything
    post(
        client,
        f"/bulletins/{bulletin_id}/items/{world.ids['neglect']}/summary",
        {"summary": "Edited in the composer."},
    )
    # publishing freezes what the bulletin showed, drafts included
    assert post(client, f"/bulletins/{bulletin_id}/publish", {"publish_anyway": "1"}).status_code
    published = store.require(bulletin_id)
    assert published.published
    assert "Edited in the composer." in (published.rendered_markdown or "")
    assert "A summary of online safety for families." in (published.rendered_html or "")
    # a redraft afterwards changes nothing of the published bulletin
    DraftStore(world.repo.engine).save_drafts(
        {world.ids["unclassified"]: (a_draft(), NOT_SENSITIVE)}, NOW
    )
    assert store.require(bulletin_id).rendered_html == published.rendered_html


def test_composer_reads_drafts_in_one_query(world: World) -> None:
    for name in ("neglect", "cse", "unclassified"):
        world.repo.review(world.ids[name], "approve", at=FOUND, actor="ed")
        save(world, name, a_draft())
    client = world.client()
    created = post(
        client, "/bulletins", {"title": "Week", "start": "2024-06-03", "end": "2024-06-09"}
    )
    bulletin_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with statements_on(world, "drafts") as seen:
        assert client.get(f"/bulletins/{bulletin_id}/preview").status_code == 200
    assert len(seen) == 1, seen
