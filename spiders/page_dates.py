"""A page's publication and update dates, layer by layer (spiders/layers.py).

- Structured data: `article:published_time` / `article:modified_time` (Open Graph, Yoast),
  JSON-LD `datePublished` / `dateModified` of an article-like object, microdata `itemprop`,
  Dublin Core `DC.date.issued`.
- Labels: a labelled date anywhere in the article's header, in any order and in the formats
  these sites use: "Publication date 2021", "Last updated: 02 Sept 2025", "Published:
  01/03/2019" (day first), "Published: 2020 - updated September 2023" (a range: published
  2020, updated September 2023), and bylines that carry an unlabelled date ("Internet
  Matters Team | 1st February, 2022").
- The URL: "/news/2024/may/slug", "/2024/05/31/slug".
- The generic extractor (htmldate), as the last resort; its answer is kept only at the
  precision the page itself shows (htmldate reports "Published 2021" as 1 January 2021).

Dates stay the text the page shows: `aggregator.normalise.dates` reads them, once, for every
source; precision is what that text gives, never more.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bs4 import BeautifulSoup, Tag

from aggregator.normalise.dates import DateError, parse_date
from aggregator.normalise.main_text import element_lines
from aggregator.schema import LONDON, Precision
from spiders.structured import ld_value, meta_content

# --- What a date looks like on these sites ------------------------------------------------------

_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_YEAR = r"(?:19|20)\d{2}"
DATE_TEXT = (
    rf"(?:{_DAY}\s+{_MONTH},?\s+{_YEAR}"  # 31 May 2024, 1st February, 2022, 02 Sept 2025
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR}"  # February 1, 2022
    rf"|{_MONTH},?\s+{_YEAR}"  # April 2024
    rf"|\d{{1,2}}/\d{{1,2}}/{_YEAR}"  # 01/03/2019 (day first)
    rf"|{_YEAR}-\d{{2}}-\d{{2}}"  # 2024-05-31
    rf"|{_YEAR})"  # 2021
)
_DATE_RE = re.compile(rf"(?<![\w/-])({DATE_TEXT})(?![\w/-])", re.I)

# Labels, longest first so "Last updated" is never read as "updated" and "Publication date"
# never as "date". Bare "Date:" is left out: on an event page it is the event's day.
_PUBLISHED = (
    r"first\s+published|date\s+published|publication\s+date|published(?:\s+on)?|posted(?:\s+on)?"
)
_UPDATED = r"last\s+updated|last\s+modified|last\s+reviewed|updated(?:\s+on)?|reviewed(?:\s+on)?"
# A label starts its line or follows a separator ("Published: 2020 - updated …"), so body
# sentences ("the report published in 2021 …") are not read as labels.
_LABELLED_RE = re.compile(
    rf"(?:^|[\s(|•·,;–—-])(?:(?P<pub>{_PUBLISHED})|(?P<upd>{_UPDATED}))\s*:?\s*(?P<date>{DATE_TEXT})\b",
    re.I,
)
_LABEL_ONLY_RE = re.compile(rf"^\(?(?:{_PUBLISHED}|{_UPDATED})\s*:?\)?$", re.I)
# A byline with an unlabelled date: "Internet Matters Team | 1st February, 2022", "By Jo
# Bloggs, 3 March 2023", or a line that is only a day or a month ("12 March 2024").
_BYLINE_RE = re.compile(
    rf"^(?:by\s+)?[^|\n]{{0,60}}?(?:\||,|•|·|–|—)\s*(?P<date>{DATE_TEXT})\s*$", re.I
)
_DATE_LINE_RE = re.compile(rf"^(?P<date>{_DAY}\s+{_MONTH},?\s+{_YEAR}|{_MONTH},?\s+{_YEAR})$", re.I)
# How far around the <h1> the article's header reaches, in lines; longer lines are prose.
HEADER_BEFORE, HEADER_AFTER, HEADER_LINE_CHARS = 6, 8, 160


@dataclass(frozen=True)
class PageDates:
    """(published, updated) as the page shows them; either may be None."""

    published: str | None = None
    updated: str | None = None


# --- Structured data ----------------------------------------------------------------------------

_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "DC.date.issued",
    "dcterms.issued",
)
_UPDATED_META = ("article:modified_time", "og:updated_time", "dcterms.modified")


def structured_dates(
    soup: BeautifulSoup, ld: Sequence[dict[str, Any]], types: Sequence[str]
) -> PageDates:
    """Dates from meta tags, JSON-LD (of an article-like type) and microdata."""
    return PageDates(
        meta_content(soup, *_PUBLISHED_META)
        or ld_value(ld, "datePublished", types)
        or _itemprop(soup, "datePublished"),
        meta_content(soup, *_UPDATED_META)
        or ld_value(ld, "dateModified", types)
        or _itemprop(soup, "dateModified"),
    )


def _itemprop(soup: BeautifulSoup, prop: str) -> str | None:
    tag = soup.find(itemprop=prop)
    if not isinstance(tag, Tag):
        return None
    found = tag.get("content") or tag.get("datetime") or tag.get_text(" ")
    return " ".join(str(found).split()) or None


# --- Visible labels ------------------------------------------------------------------------------


def header_lines(scope: Tag) -> list[str]:
    """The lines of the article's header: a few around its <h1> (the first lines when there
    is no <h1>), each short enough to be a label line rather than prose."""
    lines = element_lines(scope).splitlines()
    h1 = scope.find("h1")
    title = " ".join(h1.get_text(" ").split()) if isinstance(h1, Tag) else ""
    at = next((i for i, line in enumerate(lines) if title and line.strip() == title), None)
    start, end = (
        (0, HEADER_AFTER) if at is None else (max(0, at - HEADER_BEFORE), at + HEADER_AFTER + 1)
    )
    window = [line.strip() for line in lines[start:end]]
    return [line for line in window if line and len(line) <= HEADER_LINE_CHARS]


def labelled_dates(lines: Sequence[str]) -> PageDates:
    """The first published and updated dates the header's labels and bylines show."""
    published: str | None = None
    updated: str | None = None
    for line in _join_split_labels(lines):
        for match in _LABELLED_RE.finditer(line):
            if match.group("pub") and published is None:
                published = match.group("date")
            elif match.group("upd") and updated is None:
                updated = match.group("date")
        if published is None and not _LABELLED_RE.search(line):
            unlabelled = _BYLINE_RE.match(line) or _DATE_LINE_RE.match(line)
            if unlabelled and not unlabelled.group("date").isdigit():
                published = unlabelled.group("date")
    return PageDates(published, updated)


# A byline without a date: "By Sarah Rutty, Child Safety Online Project Officer".
_BY_NAME_RE = re.compile(r"^By\s+[A-Z][^.!?]{0,100}$")


def is_date_line(line: str) -> bool:
    """Whether a line is a date label, a byline or a bare date: a field, never a summary."""
    line = line.strip()
    return bool(
        _BY_NAME_RE.match(line)
        or _LABELLED_RE.search(line)
        and len(line) <= HEADER_LINE_CHARS
        or _LABEL_ONLY_RE.match(line)
        or _BYLINE_RE.match(line)
        or _DATE_LINE_RE.match(line)
    )


def _join_split_labels(lines: Sequence[str]) -> list[str]:
    """A label alone on its line joined with the value on the next ("Publication date" /
    "April 2024" in separate elements)."""
    joined: list[str] = []
    for line in lines:
        if joined and _LABEL_ONLY_RE.match(joined[-1]):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


# --- The URL -------------------------------------------------------------------------------------

_MONTH_NAMES = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_URL_DAY_RE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)")
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2}|[a-z]+)(?:/|$)", re.I)


def url_date(path: str) -> str | None:
    """The date a URL's path shows: "/2024/05/31/" a day, "/2024/05/" or "/2024/may/" a
    month. A bare year segment is not read: it often files older work."""
    day = _URL_DAY_RE.search(path)
    if day and 1 <= int(day.group(2)) <= 12 and 1 <= int(day.group(3)) <= 31:
        return f"{day.group(1)}-{int(day.group(2)):02d}-{int(day.group(3)):02d}"
    month = _URL_MONTH_RE.search(path)
    if not month:
        return None
    value = month.group(2).lower()
    if value.isdigit():
        return f"{month.group(1)}-{int(value):02d}" if 1 <= int(value) <= 12 else None
    return f"{value.title()} {month.group(1)}" if value in _MONTH_NAMES else None


# --- The generic extractor -----------------------------------------------------------------------


def generic_date(
    html: str, soup: BeautifulSoup, fetched_at: datetime, updated: str | None = None
) -> str | None:
    """htmldate's original publication date, at the precision the page shows for it (the day
    shown, or in a datetime/content attribute; else its month); None when the page shows
    no such date, or only its year: a lone year (a copyright line) is a guess, not a date.
    The page's `updated` date is never taken for its publication."""
    find_date = _english_htmldate()
    latest = fetched_at.astimezone(LONDON).date()
    try:
        found = find_date(
            html,
            extensive_search=True,
            original_date=True,
            outputformat="%Y-%m-%d",
            max_date=latest.isoformat(),
        )
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    day = date.fromisoformat(found)
    if updated and _london_day(updated) == day:
        return None
    shown = _shown_precision(day, soup)
    if shown is Precision.DAY:
        return day.isoformat()
    if shown is Precision.MONTH:
        return day.strftime("%Y-%m")
    return None


@functools.cache
def _english_htmldate() -> Callable[..., str | None]:
    """htmldate's `find_date`, its free-text dates read as English (imported on first use:
    only pages no other layer dates pay for it).

    htmldate hands free text to dateparser with no language, so dateparser tries every one
    of its two hundred locales, compiling each one's word list the first time: over a second
    of a crawl process's CPU, spent on a question these publishers settle (they write
    English). The parser htmldate builds (htmldate.extractors.get_external_parser, looked up
    on each use) is replaced by one with htmldate's own settings and English alone."""
    import htmldate.extractors
    from dateparser import DateDataParser
    from htmldate import find_date

    english = DateDataParser(
        languages=["en"],
        settings={
            "NORMALIZE": True,
            "PARSERS": ["custom-formats", "absolute-time"],
            "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": True,
        },
    )
    htmldate.extractors.get_external_parser = functools.cache(lambda: english)
    return find_date


def _london_day(text: str) -> date | None:
    try:
        value = parse_date(text).value
    except DateError:
        return None
    return value.astimezone(LONDON).date() if value else None


_CHANGED_NAME = re.compile(r"modif|updat", re.I)


def _shown_precision(day: date, soup: BeautifulSoup) -> Precision:
    """How much of `day` the page shows, in its text or in a date attribute."""
    iso = day.isoformat()
    for tag in [*soup.find_all(datetime=True), *soup.find_all("meta", content=True)]:
        named = f"{tag.get('property', '')} {tag.get('name', '')} {tag.get('itemprop', '')}"
        if _CHANGED_NAME.search(named):
            continue  # a modification date is never the publication date
        if str(tag.get("datetime") or tag.get("content") or "").startswith(iso):
            return Precision.DAY
    best = Precision.NONE
    for match in _DATE_RE.finditer(soup.get_text(" ")):
        try:
            shown = parse_date(match.group(1))
        except DateError:
            continue
        if shown.value is None:
            continue
        local = shown.value.astimezone(LONDON).date()
        if shown.precision is Precision.DAY and local == day:
            return Precision.DAY
        if shown.precision is Precision.MONTH and (local.year, local.month) == (
            day.year,
            day.month,
        ):
            best = Precision.MONTH
    return best
