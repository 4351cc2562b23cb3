"""The bulletin renderer: items in the shape of a current-awareness alert.

Each entry follows shared/examples/bulletin-2024-05.txt: a section heading, the item heading,
`Source:` and `Date:` lines, a one-paragraph summary and typed links ("Read the report: …",
"Download the briefing", "Book a free place"). Scraped text is escaped in HTML output.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aggregator.schema import DocType, Item, Precision

LONDON = ZoneInfo("Europe/London")

# Section order and headings; an item's section comes from its document type.
SECTIONS: tuple[tuple[str, frozenset[DocType]], ...] = (
    (
        "Consultations and government responses",
        frozenset({DocType.CONSULTATION, DocType.CONSULTATION_RESPONSE}),
    ),
    ("Guidance", frozenset({DocType.GUIDANCE, DocType.STATUTORY_GUIDANCE, DocType.POLICY_PAPER})),
    ("Research and reports", frozenset({DocType.REPORT, DocType.EVALUATION, DocType.STATISTICS})),
    ("Case reviews and briefings", frozenset({DocType.BRIEFING})),
    ("Events and webinars", frozenset({DocType.EVENT})),
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


def entry_for(item: Item) -> Entry:
    links: list[tuple[str, str, str]] = [(READ_LABELS[item.doc_type], item.title, item.url)]
    for attachment in item.attachments[:2]:
        kind = "briefing" if item.doc_type == DocType.BRIEFING else "document"
        if item.doc_type in (DocType.REPORT, DocType.EVALUATION):
            kind = "report"
        links.append((f"Download the {kind}", attachment.title, attachment.url))
    links.extend((link.label, "", link.url) for link in item.links)
    return Entry(item.title, item.publisher, date_line(item), item.summary, tuple(links))


def date_line(item: Item) -> str:
    """The date a bulletin shows: an event's time range, else the update date for an update,
    else the published date at its precision; "Undated" when the publisher gave none."""
    if item.event_start:
        return event_range(item.event_start, item.event_end)
    if item.updated:
        return day(item.updated)
    if item.published is None or item.published_precision == Precision.NONE:
        return "Undated"
    local = item.published.astimezone(LONDON)
    if item.published_precision == Precision.YEAR:
        return local.strftime("%Y")
    if item.published_precision == Precision.MONTH:
        return local.strftime("%B %Y")
    return day(item.published)


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


def render_markdown(items: Sequence[Item], title: str = "Safeguarding update") -> str:
    lines = [f"# {title}", ""]
    for section, members in sectioned(items):
        lines += [f"## {section}", ""]
        for item in members:
            entry = entry_for(item)
            lines += [
                f"### {entry.title}",
                "",
                f"Source: {entry.source}  ",
                f"Date: {entry.date}",
                "",
            ]
            if entry.summary:
                lines += [entry.summary, ""]
            for label, text, url in entry.links:
                lines.append(
                    f"{label}: [{text or url}]({url})  " if text else f"[{label}]({url})  "
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(items: Sequence[Item], title: str = "Safeguarding update") -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    for section, members in sectioned(items):
        parts.append(f"<h2>{esc(section)}</h2>")
        for item in members:
            entry = entry_for(item)
            parts.append(f"<h3>{esc(entry.title)}</h3>")
            parts.append(f"<p>Source: {esc(entry.source)}<br>Date: {esc(entry.date)}</p>")
            if entry.summary:
                parts.append(f"<p>{esc(entry.summary)}</p>")
            for label, text, url in entry.links:
                anchor = f'<a href="{esc(url)}">{esc(text or label)}</a>'
                parts.append(f"<p>{esc(label)}: {anchor}</p>" if text else f"<p>{anchor}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
