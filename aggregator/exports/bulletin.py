"""The bulletin renderer: items in the shape of a current-awareness alert.

Each entry follows shared/examples/bulletin-2024-05.txt: a section heading, the item heading,
`Source:` and `Date:` lines, a one-paragraph summary and typed links ("Read the report: …",
"Download the briefing", "Book a free place"). Scraped text is escaped in HTML output.

Formats: Markdown, plain text and an HTML email fragment (`iter_markdown`, `iter_text`,
`iter_email_html`) stream (section heading, item) pairs that arrive in bulletin order, so a
bulletin of any size is written without holding it; `render_markdown`, `render_text` and
`render_email` sort a list of items into sections first. `render_html` is a whole page.

The bulletin composer adds to this (`Layout`: an issue line under the title and an
introduction per section; `EntryExtras` per entry: "Read the report via the NSPCC: …" lines
for the other sightings of the same publication, the editor's own links, and the links the
editor left out); the writers take (section, item) or (section, item, extras). A link whose
text only repeats its label is shown once ("Download the report", never "Download the
report: Download the report").

The summary an entry shows is the item's `summary` as given: whoever builds the items decides
it with `bulletin_summary` (the editor's text, else the machine draft, else the publisher's
description), since only they know which of the three they hold.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from aggregator.normalise.dates import LONDON
from aggregator.schema import DocType, Item, Precision, is_calendar_date

# Section order and headings; an item's section comes from its document type.
SECTIONS: tuple[tuple[str, frozenset[DocType]], ...] = (
    (
        "Consultations and government responses",
        frozenset({DocType.CONSULTATION, DocType.CALL_FOR_EVIDENCE, DocType.CONSULTATION_RESPONSE}),
    ),
    ("Guidance", frozenset({DocType.GUIDANCE, DocType.STATUTORY_GUIDANCE, DocType.POLICY_PAPER})),
    (
        "Research and reports",
        frozenset({DocType.REPORT, DocType.EVALUATION, DocType.STATISTICS, DocType.TRANSPARENCY}),
    ),
    ("Case reviews and briefings", frozenset({DocType.BRIEFING})),
    # statistics not out yet sit with events: both are dated things still to come
    ("Events and webinars", frozenset({DocType.EVENT, DocType.STATISTICS_ANNOUNCEMENT})),
    ("Resources and podcasts", frozenset({DocType.RESOURCE, DocType.PODCAST})),
    ("News", frozenset({DocType.NEWS, DocType.OTHER})),
)

READ_LABELS: dict[DocType, str] = {
    DocType.REPORT: "Read the report",
    DocType.EVALUATION: "Read the evaluation",
    DocType.STATISTICS: "Read the statistics",
    DocType.GUIDANCE: "Read the guidance",
    DocType.STATUTORY_GUIDANCE: "Read the guidance",
    DocType.POLICY_PAPER: "Read the policy paper",
    DocType.CONSULTATION: "Read the consultation",
    DocType.CONSULTATION_RESPONSE: "Read the response",
    DocType.CALL_FOR_EVIDENCE: "Read the call for evidence",
    DocType.STATISTICS_ANNOUNCEMENT: "Read the release announcement",
    DocType.TRANSPARENCY: "Read the transparency data",
    DocType.BRIEFING: "Read the briefing",
    DocType.EVENT: "Find out more",
    DocType.PODCAST: "Listen to the podcast",
    DocType.RESOURCE: "See the resource",
    DocType.NEWS: "Read the news story",
    DocType.OTHER: "Read more",
}


@dataclass(frozen=True)
class Entry:
    """One bulletin entry, already worded: every format renders these same strings."""

    title: str
    source: str
    date: str
    summary: str
    links: tuple[tuple[str, str, str], ...]  # (label, link text, url)
    notes: tuple[str, ...] = ()
    """Lines under `Date:`: when a consultation closes, a statistics release's date and state."""


@dataclass(frozen=True)
class EntryExtras:
    """What the composer adds to an item's entry, and leaves out of it."""

    via: tuple[tuple[str, str, str], ...] = ()
    """(label, text, url) lines for the other sightings of the publication, under its link."""
    links: tuple[tuple[str, str], ...] = ()
    """The editor's own (label, url) links, after the item's ("See the bill on …")."""
    hidden: frozenset[str] = frozenset()
    """URLs of the item's own links, attachments and via lines left out of the entry."""


@dataclass(frozen=True)
class Layout:
    """The bulletin around its entries: a line under the title, an introduction per section."""

    issue_line: str | None = None
    intros: Mapping[str, str] = field(default_factory=dict)


Placed = tuple[str, Item] | tuple[str, Item, EntryExtras]
"""An entry as the writers take it: (section heading, item[, extras])."""

NO_LAYOUT = Layout()


def placed_parts(entry: Placed) -> tuple[str, Item, EntryExtras | None]:
    """(section, item, extras or None) of an entry as the writers take it."""
    if len(entry) == 3:
        return entry[0], entry[1], entry[2]
    return entry[0], entry[1], None


_LINK_VERBS = ("download", "read", "see", "book", "listen", "find", "watch", "view", "register")
_NOT_WORDS = re.compile(r"[^\w]+")


def tidy_link(label: str, text: str, url: str) -> tuple[str, str, str]:
    """A link shown once: when its text only repeats the label ("Download the report" under
    "Download the report"), or is itself a call to action ("Download the briefing (PDF)"),
    the text alone is the link; otherwise "label: text"."""
    plain_text = _NOT_WORDS.sub(" ", text.casefold()).strip()
    plain_label = _NOT_WORDS.sub(" ", label.casefold()).strip()
    if not plain_text or plain_text == plain_label:
        return (label, "", url)
    if plain_text.split(" ", 1)[0] in _LINK_VERBS:
        return (" ".join(text.split()), "", url)
    return (label, text, url)


def bulletin_summary(edited: str | None, draft: str | None, description: str) -> str:
    """The summary a bulletin entry shows: the editor's text, else the machine draft (built
    from the publisher's own sentences, in the bulletin's house style), else the publisher's
    description. Blank text counts as none, so an emptied edit falls back to the draft.

    Bulletins only: the public feeds keep the publisher's description (or the editor's edit),
    because a draft is machine-written for an editor to check before it is sent anywhere.
    """
    for candidate in (edited, draft):
        if candidate and candidate.strip():
            return candidate
    return description


DRAFT_LABEL = "Draft summary (not yet checked by an editor):"
"""What an unchecked machine draft carries in a bulletin (`shown_summary`), in every format."""


def shown_summary(
    edited: str | None,
    draft: str | None,
    description: str,
    *,
    sensitive: bool = False,
    unchecked: str = "label",
) -> str:
    """The summary a bulletin prints, by the publish checklist's rule: the editor's text as
    it is; an unchecked machine draft labelled `DRAFT_LABEL` (`unchecked="label"`, the
    default) or replaced by the publisher's description (`unchecked="publisher"`); a draft the
    sensitivity check flagged never goes out unchecked (the publisher's description)."""
    if edited and edited.strip():
        return edited
    if not (draft and draft.strip()) or sensitive or unchecked == "publisher":
        return description
    return f"{DRAFT_LABEL} {draft}"


def entry_for(item: Item, extras: EntryExtras | None = None) -> Entry:
    """The entry of an item whose `summary` is already the one to show (`bulletin_summary`),
    with the composer's `extras` (via lines, the editor's links, links left out)."""
    extras = extras or EntryExtras()
    # one paragraph each: the publisher's line breaks and runs of spaces become single spaces
    title = " ".join(clean_text(item.title).split())
    summary = " ".join(clean_text(item.summary).split())
    links: list[tuple[str, str, str]] = [
        (READ_LABELS.get(item.doc_type, "Read more"), title, item.url),
        *extras.via,
    ]
    for attachment in item.attachments[:2]:
        kind = "briefing" if item.doc_type == DocType.BRIEFING else "document"
        if item.doc_type in (DocType.REPORT, DocType.EVALUATION):
            kind = "report"
        links.append((f"Download the {kind}", clean_text(attachment.title), attachment.url))
    links.extend((clean_text(link.label), "", link.url) for link in item.links)
    links.extend((clean_text(label), "", url) for label, url in extras.links)
    # links a reader could not follow safely (javascript:, data:) are left out, and so are
    # the ones the editor unticked; a URL shown once is enough
    shown: set[str] = set()
    kept: list[tuple[str, str, str]] = []
    for label, text, url in links:
        if not safe_url(url) or url in extras.hidden or url in shown:
            continue
        shown.add(url)
        kept.append(tidy_link(label, text, url))
    links = kept
    notes = tuple(note for note in (closes_line(item), *release_lines(item)) if note)
    dated = item
    if item.doc_type == DocType.STATISTICS_ANNOUNCEMENT:
        # the release date is a note of its own: `Date:` is when it was announced, so an
        # announcement never reads as an event (or as statistics out on that day)
        dated = dataclasses.replace(item, event_start=None, event_end=None)
    return Entry(title, item.publisher, date_line(dated), summary, tuple(links), notes)


# --- consultations and statistics announcements ----------------------------------------------

CLOSING_TYPES = frozenset({DocType.CONSULTATION, DocType.CALL_FOR_EVIDENCE})
"""The types whose entries say when they close (an outcome or response does not)."""


def closing_day(closes: datetime) -> date:
    """The London day a consultation closes. GOV.UK shows a closing time of midnight as
    11:59pm on the day before, since "midnight on 10 January" is ambiguous
    (alphagov/government-frontend, app/presenters/consultation_presenter.rb,
    `display_date_and_time(..., rollback_midnight: true)`); the day is that day."""
    local = closes.astimezone(LONDON)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        local -= timedelta(seconds=1)
    return local.date()


def closes_line(item: Item) -> str | None:
    """ "Closes 12 June 2024" for a consultation or call for evidence with a closing date."""
    if item.doc_type not in CLOSING_TYPES or item.closes is None:
        return None
    return f"Closes {closing_text(item.closes)}"


def closing_text(closes: datetime) -> str:
    """The day a consultation closes, as GOV.UK writes a date: "12 June 2024"."""
    found = closing_day(closes)
    return f"{found.day} {found:%B %Y}"


def release_date_text(
    start: datetime | None, end: datetime | None, precision: Precision = Precision.NONE
) -> str:
    """A statistics release's date (`event_start`, `event_end`, `event_precision`) as
    precisely as it was announced, in London time, in the forms of GOV.UK's `display_date`:
    "24 October 2024 9:30am", "24 October 2024", "October 2024", "October to November 2024"
    (a window of months: an end in a later month), "2024"; "" when there is none."""
    if start is None:
        return ""
    local = start.astimezone(LONDON)
    if precision == Precision.YEAR:
        return f"{local:%Y}"
    if precision == Precision.MONTH:
        end = end.astimezone(LONDON) if end else None
        if end is not None and (end.year, end.month) > (local.year, local.month):
            first = f"{local:%B}" if end.year == local.year else f"{local:%B %Y}"
            return f"{first} to {end:%B %Y}"
        return f"{local:%B %Y}"
    text = f"{local.day} {local:%B %Y}"
    if precision == Precision.NONE:
        hour = local.hour % 12 or 12
        text += f" {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    return text


def release_lines(item: Item) -> tuple[str, ...]:
    """What an entry says of a statistics release: "Release date: October 2024 (provisional)"
    while it is to come, as GOV.UK's page does (`display_date (state)`, alphagov/frontend,
    app/models/statistics_announcement.rb); a cancelled one says so, with its reason and the
    date it had, and never a release date."""
    if item.doc_type != DocType.STATISTICS_ANNOUNCEMENT:
        return ()
    when = release_date_text(item.event_start, item.event_end, item.event_precision)
    if item.release_state == "cancelled":
        reason = " ".join((item.change_note or "").split())
        lines = ["Release cancelled" + (f": {reason}" if reason else "")]
        if when:
            lines.append(f"Proposed release was {when}")
        return tuple(lines)
    if not when:
        return ("Release date not yet announced",)
    state = f" ({item.release_state})" if item.release_state else ""
    return (f"Release date: {when}{state}",)


def date_line(item: Item) -> str:
    """The date a bulletin shows: an event's time range (or its date, as a statistics release
    is announced: "June 2024"), else the update date for an update, else the published date at
    its precision; "Undated" when the publisher gave none. Every date is the London day."""
    if item.event_start:
        if is_calendar_date(item.event_start, item.event_precision):
            return at_precision(item.event_start, item.event_precision)
        return event_range(item.event_start, item.event_end)
    if item.updated:
        return day(item.updated)
    if item.published is None or item.published_precision == Precision.NONE:
        return "Undated"
    return at_precision(item.published, item.published_precision)


def at_precision(value: datetime, precision: Precision) -> str:
    """A date as much as the publisher gave of it: "31 May 2024", "April 2024" or "2024"."""
    local = value.astimezone(LONDON)
    if precision == Precision.YEAR:
        return local.strftime("%Y")
    if precision == Precision.MONTH:
        return local.strftime("%B %Y")
    return day(value)


def day(value: datetime) -> str:
    return value.astimezone(LONDON).strftime("%d %B %Y")


def event_range(start: datetime, end: datetime | None) -> str:
    """'Thursday May 16, 2024, 05:00 PM – 06:30 PM BST', as UK Trauma Council writes it."""
    local = start.astimezone(LONDON)
    text = local.strftime("%A %B %d, %Y, %I:%M %p")
    if end is not None:
        end_local = end.astimezone(LONDON)
        text += " – " + end_local.strftime("%I:%M %p")
    return f"{text} {local.tzname()}"


def section_of(item: Item, editor_section: str | None = None) -> str:
    """The heading an item goes under: the editor's section, else its document type's."""
    if editor_section and editor_section.strip():
        return editor_section.strip()
    for name, kinds in SECTIONS:
        if item.doc_type in kinds:
            return name
    return SECTIONS[-1][0]


def sectioned(items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """Items grouped into the bulletin's sections, in section order, newest first within."""
    groups: dict[str, list[Item]] = {name: [] for name, _ in SECTIONS}
    for item in items:
        for name, kinds in SECTIONS:
            if item.doc_type in kinds:
                groups[name].append(item)
                break
    for members in groups.values():
        members.sort(key=_sort_date, reverse=True)
    return [(name, members) for name, members in groups.items() if members]


def _sort_date(item: Item) -> datetime:
    found = item.event_start or item.updated or item.published or item.first_seen
    return found or datetime.min.replace(tzinfo=LONDON)


def in_bulletin_order(items: Iterable[Item]) -> list[tuple[str, Item]]:
    """(section heading, item) pairs in bulletin order, for the streaming writers."""
    return [(section, item) for section, members in sectioned(items) for item in members]


def render_markdown(items: Sequence[Item], title: str = "Safeguarding update") -> str:
    return "".join(iter_markdown(in_bulletin_order(items), title))


def _escaped(value: object) -> object:
    """Jinja's `finalize` hook: every printed value escaped by `html.escape`, as the f-string
    writers did, so the bytes stay theirs (markupsafe writes '"' as &#34; and "'" as &#39;,
    where `html.escape` writes &quot; and &#x27;). Markup (a macro's output) passes as it is;
    autoescaping stays on behind it."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))


@functools.cache
def templates() -> Environment:
    """The HTML bulletins' templates (aggregator/exports/templates/, package data):
    `page.html.j2` for `render_html`, `email.html.j2` for `email_html.iter_email_html`.
    Autoescaped, with `_escaped` as the escaper; `clean` drops the control characters no
    format may carry, and `safe_url` is the href check every writer uses."""
    environment = Environment(
        loader=PackageLoader("aggregator.exports", "templates"),
        autoescape=True,
        finalize=_escaped,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["clean"] = clean_text
    environment.globals["safe_url"] = safe_url
    return environment


def render_html(items: Sequence[Item], title: str = "Safeguarding update") -> str:
    """The bulletin as a whole, unstyled HTML page (the demo's bulletin.html)."""
    sections = [
        (section, [entry_for(item) for item in members]) for section, members in sectioned(items)
    ]
    return templates().get_template("page.html.j2").render(title=title, sections=sections)


# --- streaming writers: (section heading, item) pairs in bulletin order -> text chunks ------

_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
TEXT_WIDTH = 76


def clean_text(value: str) -> str:
    """Scraped text without the control characters no format may carry."""
    return _NOT_TEXT.sub("", value)


def safe_url(url: str) -> str | None:
    """The URL if it is one a bulletin may link to (http, https, mailto), else None."""
    url = clean_text(url).strip()
    return url if url.lower().startswith(_SAFE_SCHEMES) else None


def md_escape(value: str) -> str:
    """Scraped text as Markdown that renders as the same text (no links, emphasis, HTML)."""
    text = _MD_SPECIAL.sub(r"\\\1", clean_text(value))
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LINE_START.sub(r"\\\1", text)


def _md_url(url: str) -> str:
    url = url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return f"<{url}>" if "(" in url or ")" in url else url


def iter_markdown(
    entries: Iterable[Placed], title: str = "Safeguarding update", layout: Layout = NO_LAYOUT
) -> Iterator[str]:
    """A Markdown bulletin, one chunk per section heading and per item."""
    yield f"# {md_escape(title)}\n"
    if layout.issue_line:
        yield f"\n{md_escape(layout.issue_line)}\n"
    current: str | None = None
    for placed in entries:
        section, item, extras = placed_parts(placed)
        if section != current:
            current = section
            yield f"\n## {md_escape(section)}\n"
            intro = layout.intros.get(section)
            if intro:
                yield f"\n{md_escape(intro)}\n"
        entry = entry_for(item, extras)
        lines = [
            "",
            f"### {md_escape(entry.title)}",
            "",
            f"Source: {md_escape(entry.source)}  ",
            f"Date: {md_escape(entry.date)}",
        ]
        for note in entry.notes:  # each on its own line of the same paragraph
            lines[-1] += "  "
            lines.append(md_escape(note))
        lines.append("")
        if entry.summary:
            lines += [md_escape(entry.summary), ""]
        for label, text, url in entry.links:
            target = safe_url(url)
            if target is None:
                lines.append(f"{md_escape(label)}: {md_escape(text or url)}  ")
            elif text:
                lines.append(f"{md_escape(label)}: [{md_escape(text)}]({_md_url(target)})  ")
            else:
                lines.append(f"[{md_escape(label)}]({_md_url(target)})  ")
        yield "\n".join(lines).rstrip() + "\n"


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)


def iter_text(
    entries: Iterable[Placed], title: str = "Safeguarding update", layout: Layout = NO_LAYOUT
) -> Iterator[str]:
    """A plain-text bulletin (also the plain-text alternative of the HTML email): headings
    underlined, summaries wrapped at 76 columns, each link's URL on its own line."""
    heading = clean_text(title)
    yield f"{heading}\n{'=' * len(heading)}\n"
    if layout.issue_line:
        yield f"\n{_wrap(clean_text(layout.issue_line))}\n"
    current: str | None = None
    for placed in entries:
        section, item, extras = placed_parts(placed)
        if section != current:
            current = section
            name = clean_text(section).upper()
            yield f"\n\n{name}\n{'-' * len(name)}\n"
            intro = layout.intros.get(section)
            if intro:
                yield f"\n{_wrap(clean_text(intro))}\n"
        entry = entry_for(item, extras)
        lines = [
            "",
            _wrap(clean_text(entry.title)),
            "",
            f"Source: {clean_text(entry.source)}",
            f"Date: {clean_text(entry.date)}",
            *(_wrap(clean_text(note)) for note in entry.notes),
            "",
        ]
        if entry.summary:
            lines += [_wrap(clean_text(entry.summary)), ""]
        for label, text, url in entry.links:
            target = clean_text(url).strip()
            if text:
                lines += [_wrap(f"{clean_text(label)}: {clean_text(text)}"), target]
            else:
                lines.append(f"{clean_text(label)}: {target}")
        yield "\n".join(lines).rstrip() + "\n"


def render_text(items: Sequence[Item], title: str = "Safeguarding update") -> str:
    return "".join(iter_text(in_bulletin_order(items), title))
