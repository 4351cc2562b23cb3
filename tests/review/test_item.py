"""The item page: every field, evidence, provenance, cluster, revisions; audited actions;
two editors (versions, the conflict page, only changed fields written); the length guide;
the audit and revisions in sentences."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import timedelta

from aggregator.classify.rules import classify_item
from aggregator.dedupe.clusters import Match
from aggregator.review.conflicts import FieldVersions, compare
from aggregator.schema import Attachment, DocType, Link
from tests.review.conftest import FOUND, World, classification, make_item, post, store


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
        # the revision's diff, in a sentence
        "Attachments: added “The briefing” (https://learning.nspcc.org.uk/media/neglect.pdf)",
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


# --- two editors: versions, conflicts, only changed fields written ---------------------------


def form_fields(page: str, form_class: str) -> dict[str, str]:
    """The named fields of the page's form with this class, as a browser would send them
    unchanged (hidden and text inputs, textareas; no radio button is chosen)."""
    start = page.index(f'class="{form_class}"')
    form = page[start : page.index("</form>", start)]
    fields = {
        name: html.unescape(value)
        for tag, name, value in re.findall(r'(<input[^>]*name="([^"]+)"[^>]*value="([^"]*)")', form)
        if 'type="radio"' not in tag
    }
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(value)
    fields.pop("csrf_token", None)
    return fields


def test_two_tabs_changing_different_fields_both_keep_their_change(world: World) -> None:
    client = world.client()
    item_id = world.ids["cse"]
    url = f"/items/{item_id}"
    tab1 = form_fields(client.get(url).get_data(as_text=True), "edit-form")
    tab2 = dict(tab1)  # opened before tab 1 saves
    assert tab1["version"] and tab1["original_title"] == "Child sexual exploitation briefing"
    saved = post(client, f"{url}/edit", {**tab1, "summary": "Tab one's summary."})
    assert saved.status_code == 302
    # tab 2 changes only the title, from the stale form: tab 1's summary must survive
    second = post(client, f"{url}/edit", {**tab2, "title": "CSE briefing"}, follow_redirects=True)
    assert second.status_code == 200
    assert "Saved the title" in second.get_data(as_text=True)
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.title, stored.summary) == ("CSE briefing", "Tab one's summary.")
    assert [e.detail["after"] for e in world.repo.events(item_id)] == [
        {"edited_summary": "Tab one's summary."},
        {"edited_title": "CSE briefing"},  # the summary tab 2 still showed was not written
    ]


def test_the_same_field_changed_in_two_tabs_gets_the_conflict_page(world: World) -> None:
    client = world.client()
    item_id = world.ids["neglect"]
    url = f"/items/{item_id}"
    stale = form_fields(client.get(url).get_data(as_text=True), "edit-form")
    original = stale["summary"]
    post(client, f"{url}/edit", {**stale, "summary": "Theirs: a summary."})
    mine = {**stale, "summary": "Mine: another summary.", "section": "Briefings"}
    conflict = post(client, f"{url}/edit", mine)
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    for expected in (original, "Theirs: a summary.", "Mine: another summary.", "choose"):
        assert expected in page, expected
    assert "changed by you only: yours is saved" in page  # the section
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.summary, stored.section) == ("Theirs: a summary.", None)  # nothing written
    # the editor chooses theirs for the summary: only the section is written
    choice = form_fields(page, "conflict-form")
    assert choice["original_summary"] == "Theirs: a summary."
    kept = post(client, f"{url}/edit", {**choice, "choice_summary": "theirs"})
    assert kept.status_code == 302
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.summary, stored.section) == ("Theirs: a summary.", "Briefings")
    # next time the editor chooses theirs... no: their own, edited on the conflict page
    again = form_fields(client.get(url).get_data(as_text=True), "edit-form")
    post(client, f"{url}/edit", {**again, "summary": "A third editor's summary."})
    page = post(client, f"{url}/edit", {**again, "summary": "Mine, again."}).get_data(as_text=True)
    choice = form_fields(page, "conflict-form")
    assert post(client, f"{url}/edit", choice).status_code == 400  # no choice made
    chosen = {**choice, "choice_summary": "mine", "mine_summary": "Mine, merged by hand."}
    assert post(client, f"{url}/edit", chosen).status_code == 302
    assert world.repo.stored_items([item_id])[item_id].summary == "Mine, merged by hand."
    # the conflict page's form is itself versioned: a save landing before it is caught
    page = post(client, f"{url}/edit", {**again, "summary": "Stale."}).get_data(as_text=True)
    choice = form_fields(page, "conflict-form")
    post(
        client,
        f"{url}/edit",
        {
            **form_fields(client.get(url).get_data(as_text=True), "edit-form"),
            "summary": "Landed first.",
        },
    )
    late = post(client, f"{url}/edit", {**choice, "choice_summary": "mine"})
    assert late.status_code == 409
    assert world.repo.stored_items([item_id])[item_id].summary == "Landed first."


def test_a_stale_decision_is_refused_with_both_versions(world: World) -> None:
    client = world.client()
    item_id = world.ids["older"]
    url = f"/items/{item_id}"
    decide = form_fields(client.get(url).get_data(as_text=True), "decide")
    assert decide["version"] and decide["original_status"] == "new"
    other = world.client()  # a second editor's session approves it first
    assert post(other, f"{url}/review", {"action": "approve"}).status_code == 302
    stale = {**decide, "action": "reject", "reason": "not_uk"}
    refused = post(client, f"{url}/review", stale)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "it is now approved by ed" in page and "rejected (not UK)" in page
    assert world.repo.stored_items([item_id])[item_id].status == "approved"
    as_json = post(client, f"{url}/review", stale, headers={"Accept": "application/json"})
    assert as_json.status_code == 409
    assert as_json.get_json()["conflict"] is True and as_json.get_json()["status"] == "approved"
    # "Apply mine" carries the version it was shown: the rejection goes through
    apply = form_fields(page, "conflict-form")
    assert apply["action"] == "reject" and apply["reason"] == "not_uk"
    assert post(client, f"{url}/review", apply).status_code == 302
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.status, stored.reason) == ("rejected", "not UK")


def test_undo_refuses_to_overwrite_a_later_change(world: World) -> None:
    client = world.client()
    item_id = world.ids["cse"]
    url = f"/items/{item_id}"
    post(client, f"{url}/edit", {"summary": "First."})
    post(client, f"{url}/edit", {"summary": "Second."})
    first, second = world.repo.events(item_id)
    refused = post(client, f"{url}/undo/{first.id}", headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "changed again" in refused.get_json()["message"]
    assert world.repo.stored_items([item_id])[item_id].summary == "Second."
    assert post(client, f"{url}/undo/{second.id}").status_code == 302  # the later one: fine
    assert world.repo.stored_items([item_id])[item_id].summary == "First."


def test_the_summary_has_the_composers_length_guide_and_a_limit(world: World) -> None:
    client = world.client()
    item_id = world.ids["neglect"]
    url = f"/items/{item_id}"
    page = client.get(url).get_data(as_text=True)
    guide = re.search(r'<p class="guide" id="summary-guide">(.*?)</p>', page, re.S)
    assert guide, "no length guide"
    text = re.sub(r"<[^>]+>", "", guide.group(1))
    length = len("A summary of neglect: learning from case reviews.")
    assert f"{length} characters · aim for 250–600, at most 1200" in text
    assert 'maxlength="1200"' in page and 'data-min="250" data-max="600"' in page
    form = form_fields(page, "edit-form")
    pasted = ("A very long pasted page. " * 320).strip()  # 8,000 characters
    assert len(pasted) == 7999
    refused = post(client, f"{url}/edit", {**form, "summary": pasted})
    assert refused.status_code == 400
    assert "7,999 characters: at most 1,200" in refused.get_data(as_text=True)
    assert world.repo.stored_items([item_id])[item_id].edited_summary is None
    fits = "A summary that fits. " * 20
    assert post(client, f"{url}/edit", {**form, "summary": fits}).status_code == 302


def test_audit_and_revisions_read_as_sentences(world: World) -> None:
    client = world.client()
    consultation = make_item(
        "mandatory-reporting",
        "Child sexual abuse: mandatory reporting",
        doc_type=DocType.CONSULTATION_RESPONSE,
        source="home_office",
        url="https://www.gov.uk/government/consultations/mandatory-reporting",
    )
    [item_id] = store(world.repo, [(consultation, 0.9)])
    reclassed = dataclasses.replace(consultation, doc_type=DocType.CONSULTATION)
    world.repo.upsert_items([reclassed], FOUND + timedelta(days=1))
    url = f"/items/{item_id}"
    post(client, f"{url}/review", {"action": "approve"})
    post(client, f"{url}/review", {"action": "reject", "reason": "not_uk"})
    post(client, f"{url}/edit", {"title": "Mandatory reporting", "section": "Consultations"})
    rejection = world.repo.events(item_id)[1]
    post(client, f"{url}/undo/{rejection.id}")
    page = client.get(url).get_data(as_text=True)
    audit = page.split("<h2>Audit</h2>", 1)[1]
    revisions = page.split("<h2>Revisions</h2>", 1)[1].split("</section>", 1)[0]
    for sentence in (
        "Approved by ed, 10:00 on 5 June 2024.",
        "Rejected by ed, 10:00 on 5 June 2024: not UK.",
        "Edited by ed, 10:00 on 5 June 2024: title “Mandatory reporting” (was the publisher&#39;s);"
        " section set to “Consultations”.",
        "Undone by ed, 10:00 on 5 June 2024: the rejection of 10:00 on 5 June 2024.",
    ):
        assert sentence in audit, sentence
    assert "Type: consultation response → consultation" in revisions
    assert "Changed by the publisher, seen 08:00 on 5 June 2024" in revisions
    for debug in ("status=", "needs_review", "reason=None", "'consultation_response'", "→ '"):
        assert debug not in audit and debug not in revisions, debug


def test_three_way_comparison_of_a_field() -> None:
    same = FieldVersions("summary", "Old text.", "Old text.", "Old text.\r\n")
    assert not same.yours_changed and same.outcome == "unchanged"  # CRLF is no change
    mine = FieldVersions("title", "Old", "Old", "New")
    assert mine.to_write and not mine.conflict
    theirs = FieldVersions("title", "Old", "Theirs", "Old")
    assert not theirs.to_write and theirs.outcome == "changed by them only: theirs is kept"
    both = FieldVersions("title", "Old", "Theirs", "Mine")
    assert both.conflict and not both.to_write
    agreed = FieldVersions("title", "Old", "New", "New ")
    assert not agreed.conflict and not agreed.to_write
    assert [f.name for f in compare(("title", "summary"), {}, {}, {"summary": "x"})] == ["summary"]


def test_item_page_says_why_an_item_is_borderline(world: World) -> None:
    """The evidence line for what lifted an item into the band, and for a phrase left out."""
    item_id = world.ids["neglect"]
    lifted = dataclasses.replace(
        classification(0.36, make_item("neglect", "Neglect: learning from case reviews")),
        relevant=False,
        borderline=True,
        relevance_evidence=[
            {"phrase": "young people", "field": "title", "weight": 0.35},
            {"phrase": "CSA", "field": "summary", "weight": 0.0, "ignored": "no context"},
            {
                "phrase": "young people + survey",
                "field": "title and summary",
                "weight": 0.0,
                "lifts": "research about children",
            },
        ],
    )
    world.repo.save_classifications([(item_id, lifted)])
    page = world.client().get(f"/items/{item_id}").get_data(as_text=True)
    assert "“young people + survey” in title and summary" in page
    assert "0.0, borderline: research about children" in page
    assert '“CSA” in summary <span class="hint">0.0, ignored: no context' in page


def test_item_page_says_why_an_item_is_held_under_the_band(world: World) -> None:
    """An item whose phrases alone would reach the band but are only weak (or generic)
    words says so on each of them: the editor sees why it is hidden."""
    item_id = world.ids["neglect"]
    held = classify_item(make_item("neglect", "Children and young people at school"))
    assert not held.borderline and held.relevance > 0
    world.repo.save_classifications([(item_id, held)])
    page = world.client().get(f"/items/{item_id}").get_data(as_text=True)
    assert "held under the band: weak words alone never decide" in page
