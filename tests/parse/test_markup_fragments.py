"""HTML fragments inside items meet the markup limits: a field over them is emptied, reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.parse.markup_limits import (
    MAX_DEPTH,
    MarkupLimitError,
    check_fragment,
    refuse_oversized_fragments,
)
from aggregator.parse.raw import RawAttachment, RawItem

FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)
DEEP = "<div>" * 10_000 + "x" + "</div>" * 10_000


def test_plain_text_is_not_parsed_and_a_fragment_is_counted() -> None:
    assert check_fragment("under 5s, & no tags") == 0
    assert check_fragment("under <5s") < 5  # a "<" that opens no element is only text
    assert check_fragment("<p>one</p><p>two</p>") >= 2
    assert check_fragment("lone \ud800 surrogate <b>bold</b>") >= 1


def test_a_deep_fragment_is_refused_at_the_depth_limit() -> None:
    with pytest.raises(MarkupLimitError, match=f"nested more than {MAX_DEPTH} deep"):
        check_fragment(DEEP)
    assert check_fragment("<div>" * (MAX_DEPTH - 10) + "x") < MAX_DEPTH


def test_only_the_fields_over_the_limits_are_emptied_with_a_warning_each() -> None:
    raw = RawItem(
        source="feed",
        url="https://example.org/post",
        title="A <em>clean</em> title",
        fetched_at=FETCHED,
        fetched_from="https://example.org/wp-json/wp/v2/posts",
        summary="<p>A clean summary</p>",
        body_text=DEEP,
        change_note=DEEP,
        attachments=[RawAttachment(title=DEEP, url="https://example.org/a.pdf")],
        links=[(DEEP, "https://example.org/b"), ("Read more", "https://example.org/c")],
    )
    warnings = refuse_oversized_fragments(raw)
    assert (raw.title, raw.summary) == ("A <em>clean</em> title", "<p>A clean summary</p>")
    assert (raw.body_text, raw.change_note, raw.attachments[0].title) == ("", None, "")
    assert raw.links == [("", "https://example.org/b"), ("Read more", "https://example.org/c")]
    assert len(warnings) == 4
    assert warnings[1] == (
        f"body_text of https://example.org/post refused: markup is nested more than "
        f"{MAX_DEPTH} deep (read from https://example.org/wp-json/wp/v2/posts)"
    )
    assert all("https://example.org/post refused" in w for w in warnings)
    assert refuse_oversized_fragments(raw) == []  # nothing left to refuse
