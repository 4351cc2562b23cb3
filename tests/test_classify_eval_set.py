"""The real-bulletin relevance set (bench/data/relevance) keeps its shape: enough items of
each kind, every one traced to the stored page it was read on, and no publisher in both the
tuning and the held-back half (`python -m bench classify_eval` measures on it)."""

from __future__ import annotations

from collections import Counter

from bench.classify_eval import HALVES, halves, kind, load

ROWS = load()
KEYS = {"id", "label", "hard_negative", "title", "summary", "publisher", "date", "url", "found_in"}


def test_enough_items_of_each_kind() -> None:
    counts = Counter(kind(row) for row in ROWS)
    assert counts["positive"] >= 150
    assert counts["negative"] + counts["hard negative"] >= 150
    assert counts["hard negative"] >= 40


def test_every_row_is_complete_unique_and_traced_to_where_it_was_found() -> None:
    for row in ROWS:
        assert set(row) >= KEYS, row["id"]
        assert row["title"].strip() and row["publisher"].strip(), row["id"]
        assert row["found_in"].startswith(("http://", "https://")), row["id"]
        assert row["text"] in ("quoted", "paraphrased", "title only"), row["id"]
        # A summary is what the page showed: none when it showed only the title.
        assert bool(row["summary"].strip()) == (row["text"] != "title only"), row["id"]
    assert len({row["id"] for row in ROWS}) == len(ROWS)
    titles = Counter(row["title"].strip().lower() for row in ROWS)
    assert [t for t, n in titles.items() if n > 1] == []


def test_no_publisher_is_in_both_halves() -> None:
    parts = halves(ROWS)
    publishers = [{row["publisher"] for row in parts[half]} for half in HALVES]
    assert publishers[0] & publishers[1] == set()
    assert all(parts[half] for half in HALVES)
