"""The entry scan: entries counted in one pass, comments and CDATA stepped over, cuts found."""

from __future__ import annotations

from aggregator.parse.feed_entries import first_entries, scan_entries

HEAD = b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title>"
TAIL = b"</channel></rss>"


def entries(count: int) -> bytes:
    return b"".join(b"<item><title>t%d</title></item>" % number for number in range(count))


def test_a_whole_feed_is_complete_and_closed() -> None:
    scan = scan_entries(HEAD + entries(3) + TAIL, limit=10)
    assert (scan.entries, scan.complete, scan.skipped) == (3, 3, 0)
    assert scan.root_closed and not scan.ends_inside_entry
    assert scan.cut_at == -1


def test_items_quoted_in_cdata_and_comments_are_not_entries() -> None:
    quoted = b"<item><description><![CDATA[<item>not one</item>]]></description></item>"
    body = HEAD + b"<!-- <item>nor this</item> -->" + quoted + TAIL
    scan = scan_entries(body, limit=10)
    assert (scan.entries, scan.complete) == (1, 1)


def test_prefixed_atom_entries_and_self_closing_items_count() -> None:
    body = b"<a:feed xmlns:a='http://www.w3.org/2005/Atom'><a:entry><a:id>1</a:id></a:entry>"
    body += b"<item/></a:feed>"
    scan = scan_entries(body, limit=10)
    assert (scan.entries, scan.complete, scan.root_closed) == (2, 2, True)


def test_items_list_of_rss_1_is_not_an_entry() -> None:
    body = b"<rdf:RDF><channel><items><rdf:Seq/></items></channel>"
    body += b"<item rdf:about='x'><title>t</title></item></rdf:RDF>"
    scan = scan_entries(body, limit=10)
    assert (scan.entries, scan.root_closed) == (1, True)


def test_a_feed_cut_mid_entry_ends_inside_it() -> None:
    body = HEAD + entries(2) + b"<item><title>half"
    scan = scan_entries(body, limit=10)
    assert (scan.entries, scan.complete, scan.ends_inside_entry) == (3, 2, True)
    cut_in_tag = scan_entries(HEAD + entries(2) + b"<item rdf:about='x", limit=10)
    assert (cut_in_tag.entries, cut_in_tag.ends_inside_entry) == (3, True)
    cut_in_cdata = scan_entries(HEAD + b"<item><description><![CDATA[<p>half", limit=10)
    assert cut_in_cdata.ends_inside_entry


def test_a_feed_cut_between_entries_never_closes() -> None:
    scan = scan_entries(HEAD + entries(2), limit=10)
    assert not scan.ends_inside_entry and not scan.root_closed


def test_past_the_limit_the_first_entries_and_the_closing_tags_are_kept() -> None:
    body = HEAD + entries(25) + TAIL
    scan = scan_entries(body, limit=10)
    assert (scan.entries, scan.skipped) == (25, 15)
    kept = first_entries(body, scan)
    assert kept == HEAD + entries(10) + TAIL
    again = scan_entries(kept, limit=10)
    assert (again.entries, again.skipped, again.root_closed) == (10, 0, True)


def test_an_unterminated_comment_ends_the_scan_without_rescanning() -> None:
    # Each "<!--" without an end would cost a scan to the end if retried: one pass stops there.
    body = HEAD + entries(1) + b"<!--" * 10_000
    scan = scan_entries(body, limit=10)
    assert (scan.entries, scan.complete, scan.root_closed) == (1, 1, False)
