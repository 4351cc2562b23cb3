"""Attack suite, parse side (/work/shared/attack-suite.md 11-16 and 19), through the real paths.

"Holds" here: the parse answers (items or a one-line reason naming the URL), what was left out
is a warning naming the URL, and the other entries are unharmed. Nothing is timed: the limits
are counted (entries kept, fields refused), never measured by the clock.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from aggregator.fetch.scrapy_settings import DOWNLOAD_MAXSIZE
from aggregator.parse.feed_entries import MAX_FEED_ENTRIES
from aggregator.parse.markup_limits import MAX_DEPTH
from aggregator.parse.offline import parse_saved
from aggregator.storage.repository import Repository
from spiders.base import ParseError
from tests.crawling import aggregator_cli
from tests.exports.conftest import APPROVED_AT, SEEN, export_text, page
from tests.exports.conftest import stored as stored  # the exports' corpus, stored and reviewed
from tests.parse.feeds import FEED_URL, FETCHED, feed_of, nested_escaped_divs, rss, rss_item

ROOT = Path(__file__).resolve().parents[2]


def test_attack_11_huge_file_offline_is_refused_unread(tmp_path: Path) -> None:
    saved = tmp_path / "huge.xml"
    with saved.open("wb") as out:
        out.truncate(200 * 1024 * 1024)  # 200 MB, sparse: no disk used
    result = aggregator_cli(
        "parse",
        "feed",
        str(saved),
        "--url",
        FEED_URL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"larger than the crawler's download cap ({DOWNLOAD_MAXSIZE:,} bytes)" in result.stderr


def test_attack_12_truncated_xml_keeps_complete_entries_and_warns() -> None:
    whole = rss([rss_item(1), rss_item(2), rss_item(3, "The last summary, cut short")])
    cut = whole[: whole.index(b"cut short")]
    result = parse_saved("feed", cut, FEED_URL, FETCHED)
    assert [item.title for item in result.items] == ["Entry 1", "Entry 2"]
    assert all(item.summary for item in result.items)
    assert len(result.warnings) == 1
    assert "cut off inside its last entry" in result.warnings[0]
    assert FEED_URL in result.warnings[0]


def test_attack_13_junk_bytes_and_mixed_encodings() -> None:
    # Random bytes: refused with a one-line reason naming the URL (never a crash or a hang).
    junk = random.Random(13).randbytes(64 * 1024)
    with pytest.raises(ParseError, match=r"not an RSS or Atom feed \(https://example.org/feed/\)"):
        parse_saved("feed", junk, FEED_URL, FETCHED)
    # Latin-1 inside a feed declared UTF-8: read, every entry kept, the character set recorded.
    mixed = rss([rss_item(1), rss_item(2)]).replace(b"Entry 2", b"Caf\xe9 entry 2")
    result = parse_saved("feed", mixed, FEED_URL, FETCHED)
    assert [item.title for item in result.items] == ["Entry 1", "Café entry 2"]
    assert result.warnings == [
        f"character set: document declared as utf-8, but parsed as windows-1252 ({FEED_URL})"
    ]
    # cp1252 quotes in a feed declared ISO-8859-1 read as the quotes they are.
    quotes = rss([rss_item(1)]).replace(b"utf-8", b"iso-8859-1")
    quotes = quotes.replace(b"Entry 1", b"\x93Quoted\x94 \x96 entry")
    [item] = parse_saved("feed", quotes, FEED_URL, FETCHED).items
    assert item.title == "\u201cQuoted\u201d \u2013 entry"
    # (feedparser's own corpus of encodings and broken feeds: tests/hostile/test_feed_corpus.py;
    # any text through normalisation: tests/hostile/test_normalise_properties.py.)


@pytest.mark.parametrize("entries", [12_000, 50_000])
def test_attack_14_very_large_legitimate_feed_keeps_the_newest_entries(entries: int) -> None:
    result = parse_saved("feed", feed_of(entries), FEED_URL, FETCHED)
    assert len(result.items) == MAX_FEED_ENTRIES
    assert result.items[0].title == "Entry 0"  # newest first, as published
    assert result.warnings == [
        f"feed has {entries} entries: the first {MAX_FEED_ENTRIES} were read and "
        f"{entries - MAX_FEED_ENTRIES} older ones skipped ({FEED_URL})"
    ]


def test_attack_15_deeply_nested_page_is_refused_through_the_html_parser() -> None:
    url = "https://www.uktraumacouncil.org/resource/deep"
    body = ("<html><body><main><h1>Deep</h1>" + "<div>" * 100_000 + "x").encode()
    with pytest.raises(ParseError, match=f"nested more than {MAX_DEPTH} deep at {url}"):
        parse_saved("uk_trauma_council", body, url, FETCHED, "text/html", parser="detail")


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_attack_16_nested_markup_inside_a_feed_entry_loses_only_that_field(depth: int) -> None:
    body = rss([rss_item(1), rss_item(2, nested_escaped_divs(depth)), rss_item(3)])
    result = parse_saved("feed", body, FEED_URL, FETCHED)
    assert [(item.title, item.summary) for item in result.items] == [
        ("Entry 1", "Summary of entry 1."),
        ("Entry 2", ""),
        ("Entry 3", "Summary of entry 3."),
    ]
    assert result.warnings == [
        f"summary of entry 'https://example.org/2' refused: markup is nested more than "
        f"{MAX_DEPTH} deep ({FEED_URL})"
    ]


def test_attack_19_csv_formula_injection_is_defused(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, _ids = stored
    titles = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)"]
    for number, title in enumerate(titles):
        url = f"https://www.gov.uk/government/publications/injection-{number}"
        [result] = repository.upsert_items([page(key=url, url=url, title=title)], SEEN)
        repository.review(result.item_id, "approve", at=APPROVED_AT)
    text = export_text(repository, "csv", tmp_path)
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert {"'" + title for title in titles} <= set(cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
