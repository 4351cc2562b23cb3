"""Substantive versus cosmetic updates, and the readable diff."""

from __future__ import annotations

from aggregator.dedupe.changes import change_kind, diff_snapshots, word_diff

BASE = {
    "title": "Child sexual abuse: mandatory reporting",
    "change_note": None,
    "updated": None,
    "attachments": [{"url": "https://a/x.pdf", "title": "X", "size": 1}],
    "links": [],
}


def test_last_updated_bump_alone_is_cosmetic() -> None:
    new = dict(BASE, updated="2024-05-14T00:00:00+00:00")
    assert change_kind(BASE, new, ["updated"]) == "cosmetic"


def test_retitled_attachment_is_cosmetic_but_a_new_one_is_substantive() -> None:
    retitled = dict(BASE, attachments=[{"url": "https://a/x.pdf", "title": "X (PDF)", "size": 2}])
    assert change_kind(BASE, retitled, ["attachments"]) == "cosmetic"
    added = dict(BASE, attachments=[*BASE["attachments"], {"url": "https://a/y.pdf", "title": "Y"}])
    assert change_kind(BASE, added, ["attachments"]) == "substantive"


def test_change_note_or_new_title_is_substantive() -> None:
    noted = dict(BASE, change_note="Added the government response.", updated="2024-05-09")
    assert change_kind(BASE, noted, ["updated", "change_note"]) == "substantive"
    assert change_kind(BASE, dict(BASE, title="New"), ["title"]) == "substantive"


def test_the_publishers_slash_kept_is_cosmetic_but_a_moved_page_is_not() -> None:
    old = dict(BASE, url="https://www.internetmatters.org/hub/research/x")
    slash = dict(old, url="https://www.internetmatters.org/hub/research/x/")
    assert change_kind(old, slash, ["url"]) == "cosmetic"
    moved = dict(old, url="https://www.internetmatters.org/hub/research/y/")
    assert change_kind(old, moved, ["url"]) == "substantive"


def test_diff_is_readable() -> None:
    after = dict(
        BASE,
        change_note="Added the government response.",
        attachments=[*BASE["attachments"], {"url": "https://a/y.pdf", "title": "Y"}],
    )
    lines = [d.text for d in diff_snapshots(BASE, after)]
    assert lines == [
        "change_note: (none) → 'Added the government response.'",
        "attachments: + https://a/y.pdf",
    ]


def test_word_diff_marks_only_what_changed() -> None:
    assert word_diff("a b c d", "a x c d") == "a [-b-] {+x+} c d"
