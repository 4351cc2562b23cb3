"""Statistics announcements and consultation dates in the review app (issue #17): the queue
marks announcements "due" (or "cancelled"), the item page shows a release's date and state and
a consultation's opening and closing, and the composer holds announcements with events."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aggregator.drafting.opening import opening_sentence
from aggregator.review.bulletins import BulletinComposer
from aggregator.review.item_page import closing_note, release_note
from aggregator.schema import DocType, Item, Precision
from tests.review.conftest import FOUND, World, make_item, post, store

# "November 2024 (provisional)": London midnight on 1 November (GMT by then)
NOVEMBER = datetime(2024, 11, 1, 0, tzinfo=UTC)
# 23:59 London time (BST) on 12 June 2024
CLOSING = datetime(2024, 6, 12, 22, 59, tzinfo=UTC)


def announcement(slug: str, title: str, **changes: object) -> Item:
    base: dict[str, object] = {
        "source": "home_office",
        "url": f"https://www.gov.uk/government/statistics/announcements/{slug}",
        "doc_type": DocType.STATISTICS_ANNOUNCEMENT,
        "event_start": NOVEMBER,
        "event_precision": Precision.MONTH,
        "release_state": "provisional",
    }
    base.update(changes)
    return make_item(slug, title, **base)


def consultation(slug: str, title: str, **changes: object) -> Item:
    base: dict[str, object] = {
        "source": "home_office",
        "url": f"https://www.gov.uk/government/consultations/{slug}",
        "doc_type": DocType.CONSULTATION,
        "opens": datetime(2024, 6, 3, 8, 0, tzinfo=UTC),
        "closes": CLOSING,
    }
    base.update(changes)
    return make_item(slug, title, **base)


def add(world: World) -> dict[str, int]:
    items = {
        "due": announcement("neglect-statistics", "Neglect statistics: 2024"),
        "cancelled": announcement(
            "exploitation-statistics",
            "Exploitation statistics: 2024",
            release_state="cancelled",
            change_note="The collection was paused this year.",
        ),
        "consultation": consultation("neglect-duty", "Neglect duty consultation"),
        "evidence": consultation(
            "neglect-evidence", "Neglect call for evidence", doc_type=DocType.CALL_FOR_EVIDENCE
        ),
    }
    ids = store(world.repo, [(item, 0.9) for item in items.values()])
    return dict(zip(items, ids, strict=True))


def row_of(page: str, item_id: int) -> str:
    found = re.search(rf'<li class="row[^"]*" data-id="{item_id}".*?</li>', page, re.S)
    assert found, f"item {item_id} not in the queue"
    return found.group(0)


def test_notes_for_the_templates() -> None:
    assert release_note("statistics_announcement", NOVEMBER, None, "month", "provisional") == (
        "due",
        "due November 2024 (provisional)",
    )
    confirmed = datetime(2024, 11, 21, 9, 30, tzinfo=UTC)
    assert release_note("statistics_announcement", confirmed, None, "none", "confirmed") == (
        "due",
        "due 21 November 2024 9:30am (confirmed)",
    )
    assert release_note("statistics_announcement", NOVEMBER, None, "month", "cancelled") == (
        "cancelled",
        "release cancelled (was due November 2024)",
    )
    assert release_note("statistics", NOVEMBER, None, "month", "provisional") is None
    assert closing_note("consultation", CLOSING) == "closes 12 June 2024"
    assert closing_note("call_for_evidence", CLOSING) == "closes 12 June 2024"
    assert closing_note("consultation_response", CLOSING) is None
    assert closing_note("consultation", None) is None


def test_queue_marks_announcements_due_and_cancelled(world: World) -> None:
    ids = add(world)
    page = world.client().get("/queue?relevance=all").get_data(as_text=True)
    due = row_of(page, ids["due"])
    assert ">due</span>" in due and "due November 2024 (provisional)" in due
    cancelled = row_of(page, ids["cancelled"])
    assert ">cancelled</span>" in cancelled
    assert "release cancelled (was due November 2024)" in cancelled
    assert ">due</span>" not in cancelled and "provisional" not in cancelled
    assert "closes 12 June 2024" in row_of(page, ids["consultation"])
    assert "closes 12 June 2024" in row_of(page, ids["evidence"])
    # other items carry neither
    plain = row_of(page, world.ids["neglect"])
    assert "release" not in plain and "closes" not in plain


def test_item_page_shows_release_and_consultation_dates(world: World) -> None:
    ids = add(world)
    client = world.client()
    page = client.get(f"/items/{ids['due']}").get_data(as_text=True)
    assert "Statistics due November 2024 (provisional); not yet published." in page
    assert "<th>release_state</th><td>provisional</td>" in page
    assert "<th>event_precision</th><td>month</td>" in page
    page = client.get(f"/items/{ids['cancelled']}").get_data(as_text=True)
    assert (
        "Statistics release cancelled (was due November 2024): "
        "The collection was paused this year." in page
    )
    assert "not yet published" not in page
    for name in ("consultation", "evidence"):
        page = client.get(f"/items/{ids[name]}").get_data(as_text=True)
        dates = re.search(r'<p class="consultation-dates".*?</p>', page, re.S)
        assert dates, page
        assert "Opens 03 June 2024 09:00" in dates.group(0)
        assert "Closes 12 June 2024" in dates.group(0)
        assert "<th>closes</th><td>12 Jun 2024 23:59</td>" in page
    page = client.get(f"/items/{world.ids['neglect']}").get_data(as_text=True)
    assert 'id="release"' not in page and 'id="consultation-dates"' not in page


def test_composer_holds_announcements_with_events(world: World) -> None:
    ids = add(world)
    for item_id in ids.values():
        world.repo.review(item_id, "approve", at=FOUND, actor="ed")
    response = post(
        world.client(),
        "/bulletins",
        {"title": "Week of 3 June", "start": "2024-06-03", "end": "2024-06-09"},
    )
    bulletin_id = int(response.headers["Location"].rsplit("/", 1)[1])
    composer = BulletinComposer(world.repo)
    sections = {e.item_id: e.section for e in composer.entries(composer.require(bulletin_id))}
    assert sections[ids["due"]] == sections[ids["cancelled"]] == "Events and webinars"
    assert (
        sections[ids["consultation"]]
        == sections[ids["evidence"]]
        == ("Consultations and government responses")
    )
    page = world.client().get(f"/bulletins/{bulletin_id}").get_data(as_text=True)
    assert "due November 2024 (provisional)" in page
    assert "release cancelled (was due November 2024)" in page
    preview = world.client().get(f"/bulletins/{bulletin_id}/preview").get_data(as_text=True)
    assert preview.count("Closes 12 June 2024") == 2
    assert preview.count("Release date: November 2024 (provisional)") == 1
    assert "Release cancelled: The collection was paused this year." in preview
    assert "Proposed release was November 2024" in preview


def test_draft_openings_of_the_new_types() -> None:
    """What a bulletin summary starts with when no editor writes one: an announcement is due
    or cancelled, never "published"; a call for evidence is calling for evidence."""
    due = announcement("looked-after", "Children looked after in England: 2024")
    assert opening_sentence(due) == (
        "The Home Office is due to release statistics on children looked after in England for"
        " 2024 in November 2024 (a provisional date)."
    )
    cancelled = announcement(
        "slavery", "Modern slavery statistics: 2024", release_state="cancelled"
    )
    assert opening_sentence(cancelled) == (
        "The Home Office has cancelled the planned release of modern slavery statistics for"
        " 2024, which were due in November 2024."
    )
    evidence = consultation(
        "abuse", "Child sexual abuse: call for evidence", doc_type=DocType.CALL_FOR_EVIDENCE
    )
    assert (
        opening_sentence(evidence)
        == "The Home Office is calling for evidence on child sexual abuse."
    )
