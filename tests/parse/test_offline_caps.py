"""Offline parse: a saved file is held to the crawler's download cap, and warnings come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.parse.offline import SavedFileTooLarge, parse_saved, read_saved
from tests.parse.feeds import FEED_URL, FETCHED, nested_escaped_divs, rss, rss_item


def test_a_file_within_the_cap_is_read_whole(tmp_path: Path) -> None:
    saved = tmp_path / "feed.xml"
    saved.write_bytes(b"x" * 100)
    assert read_saved(saved, max_size=100) == b"x" * 100


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    saved = tmp_path / "huge.xml"
    with saved.open("wb") as out:
        out.truncate(101)  # sparse: no disk used
    with pytest.raises(SavedFileTooLarge, match=r"larger than the crawler's download cap \(100"):
        read_saved(saved, max_size=100)


def test_a_file_that_reports_no_size_is_read_at_most_one_byte_past_the_cap() -> None:
    with pytest.raises(SavedFileTooLarge):
        read_saved(Path("/dev/zero"), max_size=1000)  # stat says 0 bytes; reading never ends


def test_offline_parse_returns_the_feed_warnings() -> None:
    body = rss([rss_item(1), rss_item(2, nested_escaped_divs(1_000))])
    result = parse_saved("feed", body, FEED_URL, FETCHED)
    assert [item.title for item in result.items] == ["Entry 1", "Entry 2"]
    assert [item.summary for item in result.items] == ["Summary of entry 1.", ""]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("summary of entry 'https://example.org/2' refused")
