"""Table-driven tests for aggregator.normalise.text."""

from __future__ import annotations

import pytest

from aggregator.normalise import clean_text, clean_title, truncate_words

CLEAN_TEXT_ROWS = [
    (None, ""),
    ("", ""),
    ("   \n\t ", ""),
    ("Plain text stays", "Plain text stays"),
    # nested inline tags join without extra spaces
    ("<p>Hello <b>bold <i>and italic</i></b> world</p>", "Hello bold and italic world"),
    ("un<em>believ</em>able", "unbelievable"),
    # block elements become single spaces: one paragraph
    ("<p>First paragraph.</p><p>Second paragraph.</p>", "First paragraph. Second paragraph."),
    ("<div><h2>Heading</h2><ul><li>One</li><li>Two</li></ul></div>", "Heading One Two"),
    ("<p>Line one<br>line two<br/>line three</p>", "Line one line two line three"),
    ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
    # entities unescaped once
    ("Tom &amp; Jerry", "Tom & Jerry"),
    ("<p>Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#8217; &rsquo;</p>",
     "Tom & Jerry <3 \"quoted\" \u2019 \u2019"),
    ("&amp;amp;", "&amp;"),
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
    # non-content elements dropped
    ("<div>Keep<script>var x = '<p>no</p>';</script> this</div>", "Keep this"),
    ("<style>p { color: red }</style><p>Styled</p>", "Styled"),
    ("<noscript>Enable JavaScript</noscript><p>Body</p>", "Body"),
    ("<template><p>hidden</p></template><p>shown</p>", "shown"),
    ("<!-- a comment --><p>Text</p>", "Text"),
    ("<p>Read more<svg><title>Decor</title></svg></p>", "Read more"),
    # non-breaking spaces, zero-width characters, whitespace runs
    ("Second&nbsp;para", "Second para"),
    ("<p>a&nbsp;&nbsp; b</p>", "a b"),
    ("a\u00a0b\u202fc", "a b c"),
    ("zero\u200bwidth\u200c\u200d\ufeffgone", "zerowidthgone"),
    ("soft\u00adhyphen", "softhyphen"),
    ("  many \n\n spaces\t\there  ", "many spaces here"),
    # NFC normalisation: "e" + combining acute becomes one code point
    ("Cafe\u0301", "Caf\u00e9"),
    # curly quotes and dashes are kept as published
    ("<p>\u201cTime to talk about porn\u201d \u2013 a paper</p>",
     "\u201cTime to talk about porn\u201d \u2013 a paper"),
    # text with a stray "<" that is not a tag
    ("a < b and c > d", "a < b and c > d"),
    # real NSPCC listing card (sources 1.2)
    ("<div><h3>Keeping children safe in education: CASPAR briefing</h3><p>(Published 2022)</p>"
     "<p>A summary of the key changes to Keeping children safe in education \u2013 \u2026</p>"
     "</div>",
     "Keeping children safe in education: CASPAR briefing (Published 2022) A summary of the key "
     "changes to Keeping children safe in education \u2013 \u2026"),
]  # fmt: skip


@pytest.mark.parametrize(("fragment", "expected"), CLEAN_TEXT_ROWS)
def test_clean_text(fragment: str | None, expected: str) -> None:
    assert clean_text(fragment) == expected


CLEAN_TITLE_ROWS = [
    (None, ""),
    ("Child sexual abuse: mandatory reporting - GOV.UK", "Child sexual abuse: mandatory reporting"),
    ("Podcast: Supporting d/Deaf children \u2014 putting the child at the centre of decision "
     "making | NSPCC Learning",
     "Podcast: Supporting d/Deaf children \u2014 putting the child at the centre of decision "
     "making"),
    ("Me, myself and AI | Internet Matters", "Me, myself and AI"),
    ("Traumatic bereavement clinical guide | UK Trauma Council",
     "Traumatic bereavement clinical guide"),
    ("\u201cTime to talk about porn\u201d - Lucy Faithfull Foundation",
     "\u201cTime to talk about porn\u201d"),
    ("Celebrating 20 years of CASPAR | NSPCC Learning | NSPCC", "Celebrating 20 years of CASPAR"),
    ("<span>Guidance</span> &amp; advice \u2013 GOV.UK", "Guidance & advice"),
    # internal punctuation and site names inside the title are kept
    ("Keeping children safe in education: CASPAR briefing",
     "Keeping children safe in education: CASPAR briefing"),
    ("NSPCC Learning - what is new", "NSPCC Learning - what is new"),
    ("Working with the NSPCC", "Working with the NSPCC"),
    ("Internet Matters", "Internet Matters"),
    ("GOV.UK", "GOV.UK"),  # never strip a title to nothing
]  # fmt: skip


@pytest.mark.parametrize(("title", "expected"), CLEAN_TITLE_ROWS)
def test_clean_title(title: str | None, expected: str) -> None:
    assert clean_title(title) == expected


SENTENCE = "The quick brown fox, jumps over"  # 31 characters

TRUNCATE_ROWS = [
    (SENTENCE, 100, SENTENCE),
    (SENTENCE, 31, SENTENCE),  # exactly fits: unchanged
    (SENTENCE, 30, "The quick brown fox, jumps\u2026"),  # "over" cut: drop the partial word
    (SENTENCE, 20, "The quick brown fox\u2026"),  # cut before "," keeps the whole word
    (SENTENCE, 19, "The quick brown\u2026"),
    (SENTENCE, 11, "The quick\u2026"),
    (SENTENCE, 10, "The quick\u2026"),
    (SENTENCE, 5, "The\u2026"),
    ("Supercalifragilistic word", 8, "Superca\u2026"),  # one long word: hard cut
    (SENTENCE, 1, "\u2026"),
    (SENTENCE, 0, ""),
    ("", 5, ""),
]


@pytest.mark.parametrize(("text", "limit", "expected"), TRUNCATE_ROWS)
def test_truncate_words(text: str, limit: int, expected: str) -> None:
    result = truncate_words(text, limit)
    assert result == expected
    assert len(result) <= limit


def test_truncate_words_negative_limit() -> None:
    with pytest.raises(ValueError):
        truncate_words("text", -1)


def test_site_suffixes_come_from_the_registry() -> None:
    """The names stripped are the registry's `site_names`, not a list in shared code."""
    from aggregator.normalise.text import site_suffix_pattern
    from aggregator.sources import REGISTRY

    declared = {name for source in REGISTRY.values() for name in source.site_names}
    assert {"GOV.UK", "NSPCC Learning"} <= declared
    pattern = site_suffix_pattern(["Example Partnership"])
    assert pattern.sub("", "Neglect strategy | Example  Partnership") == "Neglect strategy"
    assert pattern.sub("", "Neglect strategy - GOV.UK") == "Neglect strategy - GOV.UK"
    assert site_suffix_pattern([]).sub("", "Neglect strategy - GOV.UK") == (
        "Neglect strategy - GOV.UK"
    )
