"""Property tests for the normalisers: any input gives an answer or the documented error.

Dates raise only DateError, URLs only ValueError, text nothing at all (truncate_words: only
ValueError for a negative limit); canonical URLs are idempotent and keep their identity key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from aggregator.normalise import (
    DateError,
    canonical_url,
    clean_text,
    clean_title,
    is_http_url,
    parse_date,
    parse_event_range,
    to_utc,
    truncate_words,
    url_key,
)
from aggregator.schema import Precision

# No example database: nothing is written into the checkout.
SETTINGS = settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# --- dates -----------------------------------------------------------------------------------

DATE_TOKENS = [
    "31", "1", "01", "29", "30", "0", "32", "2024", "1999", "24", "99999", "0000", "May", "Sept",
    "september", "Feb", "Jan.", "Monday", "Thu", "BST", "GMT", "UTC", "Z", "PST", "GMT+3", "+01:00",
    "-0500", "T", "12:30", "25:61", "5pm", "am", "noon", "Published:", "Last updated", "(", ")",
    "2024-05-31", "2024-02-30", "2024-13", "31/05/2024", "05/31/2024", "2024.05.31", "16:00–17:30",
    "to", "-", "–", "—", ",", "/", ".", " ", "\u00a0", "\u202f", "th", "st", "of",
    "9999-12-31T23:59", "0001-01-01", "1e9",
]  # fmt: skip
date_like = st.lists(st.sampled_from(DATE_TOKENS), max_size=10).map(" ".join)
any_date_text = st.one_of(date_like, st.text(max_size=60))


@SETTINGS
@given(any_date_text, st.booleans())
def test_parse_date_answers_or_raises_date_error(text: str, dayfirst: bool) -> None:
    try:
        parsed = parse_date(text, dayfirst=dayfirst)
    except DateError:
        return
    if parsed.value is None:
        assert parsed.precision is Precision.NONE
    else:
        assert parsed.value.tzinfo is not None and parsed.value.utcoffset() == timedelta(0)
        assert parsed.precision in (Precision.DAY, Precision.MONTH, Precision.YEAR)


@SETTINGS
@given(any_date_text)
def test_parse_event_range_answers_or_raises_date_error(text: str) -> None:
    try:
        start, end = parse_event_range(text)
    except DateError:
        return
    assert start.utcoffset() == timedelta(0)
    assert end is None or end >= start


@SETTINGS
@given(
    st.datetimes(timezones=st.none()),
    st.sampled_from([None, UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-8))]),
)
def test_to_utc_gives_aware_utc_or_raises_date_error(
    value: datetime, zone: timezone | None
) -> None:
    try:
        result = to_utc(value.replace(tzinfo=zone))
    except DateError:
        assert value.year in (1, 9999)  # only at the very ends of datetime's range
        return
    assert result.utcoffset() == timedelta(0)


# --- URLs ------------------------------------------------------------------------------------

URL_PARTS = [
    "http://", "https://", "HTTP://", "ftp://", "javascript:", "//", "www.", "gov.uk", "GOV.UK",
    "xn--", "bücher.example", "[::1]", "[", "]", ":", ":80", ":443", ":99999", ":x", "@",
    "user:pw@", "/", "//", "/./", "/../", "%", "%2", "%2F", "%7e", "%E2%82%AC", "€", " ", "?",
    "&", "=", "#",
    "#:~:text=x", "utm_source=x", "UTM_Medium=y", "a=1", "a=2", "b", ";", "\\", "\t", "\n", ".",
]  # fmt: skip
url_like = st.lists(st.sampled_from(URL_PARTS), max_size=12).map("".join)
any_url_text = st.one_of(urls(), url_like, st.text(max_size=80))


@SETTINGS
@given(any_url_text, st.one_of(st.none(), urls(), url_like))
def test_canonical_url_answers_or_raises_value_error_and_is_idempotent(
    url: str, base: str | None
) -> None:
    try:
        canonical = canonical_url(url, base)
    except ValueError:
        return
    assert canonical.startswith("https://")
    assert canonical_url(canonical) == canonical
    assert is_http_url(canonical)
    assert url_key(canonical) == url_key(canonical_url(canonical))


@SETTINGS
@given(any_url_text)
def test_url_key_answers_or_raises_value_error(url: str) -> None:
    try:
        key = url_key(url)
    except ValueError:
        return
    assert key == url_key(canonical_url(url))
    assert "://" not in key.split("?")[0]


@SETTINGS
@given(st.one_of(any_url_text, st.binary(max_size=40).map(lambda b: b.decode("latin-1"))))
def test_is_http_url_never_raises(url: str) -> None:
    assert isinstance(is_http_url(url), bool)


# --- text ------------------------------------------------------------------------------------

HTML_PARTS = [
    "<p>", "</p>", "<script>", "</script>", "<b>", "<br/>", "<!--", "-->", "<![CDATA[", "]]>",
    "&amp;", "&lt;", "&#0;", "&#x110000;", "&#65;", "&nbsp;", "&bogus;", "<", ">", "\u200b",
    "\u00ad", "\ufeff", "\u00a0", " ", "\n", "word", "é", "e\u0301", "\x00", "\ud7ff", "<svg>",
    "<title>", "- GOV.UK", " | NSPCC", "<div", "=\"", "'",
]  # fmt: skip
html_like = st.lists(st.sampled_from(HTML_PARTS), max_size=30).map("".join)
any_text = st.one_of(html_like, st.text(max_size=200))


@SETTINGS
@given(st.one_of(st.none(), any_text))
def test_clean_text_never_raises_and_is_one_tidy_paragraph(text: str | None) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned and "\n" not in cleaned
    assert "\u200b" not in cleaned and "\u00a0" not in cleaned
    assert clean_title(text) == clean_title(text).strip()


@SETTINGS
@given(any_text, st.integers(min_value=-5, max_value=300))
def test_truncate_words_fits_the_limit_or_raises_value_error(text: str, limit: int) -> None:
    try:
        cut = truncate_words(text, limit)
    except ValueError:
        assert limit < 0
        return
    assert len(cut) <= limit
    assert cut == text or cut.endswith("…") or limit == 0
