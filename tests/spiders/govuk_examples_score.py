"""The GOV.UK corpus (fixtures/govuk-examples) read by the parser and checked against the
oracle, fact by fact.

`python -m tests.spiders.govuk_examples_score` prints, per defect class, the facts the parser
in the tree holds over the whole corpus; `tests/spiders/test_govuk_examples.py` asserts them
fixture by fixture. Each fixture goes through `parse_saved` exactly as
`aggregator parse home_office FILE --url URL` does: a Content API item at
`https://www.gov.uk/api/content<base_path>`, a Search API response at the registry's search
URL.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from aggregator.parse.offline import parse_saved
from aggregator.schema import Item, Precision
from tests.spiders import govuk_oracle as oracle

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "govuk-examples"
SOURCE = "home_office"
# After every date in the corpus, so validation ("not after the fetch time") drops nothing.
FETCHED_AT = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
SEARCH_URL = (
    "https://www.gov.uk/api/search.json?filter_organisations=home-office"
    "&reject_content_purpose_supergroup=other&order=-public_timestamp&count=50"
)
CALENDAR_TEXT = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@dataclass(frozen=True)
class Case:
    path: Path
    url: str
    kind: str  # "content" or "search"

    @property
    def name(self) -> str:
        return str(self.path.relative_to(CORPUS).with_suffix(""))


@dataclass(frozen=True)
class Fact:
    cls: str
    name: str
    held: bool
    detail: str = ""


def cases() -> list[Case]:
    found = []
    for path in sorted(CORPUS.glob("*/*.json")):
        if path.parent.name == "search":
            found.append(Case(path, SEARCH_URL, "search"))
        else:
            base_path = json.loads(path.read_text(encoding="utf-8"))["base_path"]
            found.append(Case(path, f"https://www.gov.uk/api/content{base_path}", "content"))
    return found


def facts_for(case: Case) -> list[Fact]:
    """Every oracle fact of one fixture, held or not."""
    data = json.loads(case.path.read_text(encoding="utf-8"))
    if case.kind == "content":
        expected = [oracle.content_item(data)]
    else:
        expected = [oracle.search_result(r) for r in data["results"] if isinstance(r, dict)]
    try:
        result = parse_saved(
            SOURCE, case.path.read_bytes(), case.url, FETCHED_AT, "application/json"
        )
        items, error = result.items, ""
    except Exception as exc:  # a parser crash fails every fact of the fixture
        items, error = [], f"parser raised {type(exc).__name__}: {exc}"
    facts: list[Fact] = []
    for exp in expected:
        if exp.refused:
            title = _title_of(data, exp.label)
            leaked = [i.url for i in items if i.title == title]
            facts.append(Fact("url", f"{exp.label}: refused", not leaked, f"accepted as {leaked}"))
            continue
        if case.kind == "content":
            item = items[0] if len(items) == 1 else None
        else:
            item = next((i for i in items if i.url == exp.url), None)
        facts += compare(exp, item, error or f"no item for {exp.label}")
    return facts


def _title_of(data: dict[str, Any], link: str) -> str:
    for record in data.get("results") or []:
        if isinstance(record, dict) and record.get("link") == link:
            return str(record.get("title") or "")
    return ""


def compare(exp: oracle.Expected, item: Item | None, missing: str) -> list[Fact]:
    facts: list[Fact] = []
    announcement = exp.release_state is not oracle.UNCHECKED

    def check(cls: str, name: str, want: Any, got: Any) -> None:
        if want is oracle.UNCHECKED:
            return
        if item is None:
            facts.append(Fact(cls, f"{exp.label}: {name}", False, missing))
            return
        facts.append(
            Fact(cls, f"{exp.label}: {name}", want == got, f"expected {want!r}, got {got!r}")
        )

    check("url", "url", exp.url, item and item.url)
    check("publisher", "publisher", exp.publisher, item and item.publisher)
    check("doc_type", "doc_type", exp.doc_type, item and item.doc_type)
    check("dates", "published", exp.published, _as_published(exp.published, item))
    if announcement:
        # A cancellation's reason or a date change's note must be carried; the parser may
        # say around it what happened ("Cancelled: …").
        check("statistics", "updated", exp.updated, item and item.updated)
        if exp.change_note is not oracle.UNCHECKED and exp.change_note is not None:
            note = item.change_note if item else None
            check(
                "statistics",
                "change_note carries",
                exp.change_note,
                _carried(exp.change_note, note),
            )
    else:
        check("dates", "updated", exp.updated, item and item.updated)
        check("dates", "change_note", exp.change_note, item and item.change_note)
    # A change note never comes without its date (checked for every item).
    check(
        "dates",
        "change note with its date",
        True,
        not (item and item.change_note and item.updated is None),
    )
    if exp.attachments is not oracle.UNCHECKED:
        facts += _attachment_facts(exp, item, missing)
    if exp.withdrawn is not oracle.UNCHECKED and exp.withdrawn is not None:
        check("withdrawal", "withdrawn_at", exp.withdrawn, item and item.withdrawn)
        reason = (item.withdrawn_reason or "") if item else ""
        if exp.withdrawn_text is not oracle.UNCHECKED:
            held = f" {oracle.words(exp.withdrawn_text)} " in f" {oracle.words(reason)} "
            check("withdrawal", "explanation", True, held)
        if exp.withdrawn_links:
            kept = all(href in reason for href in exp.withdrawn_links)
            check("withdrawal", "explanation's links", True, kept)
    if exp.flagged_withdrawn is True:
        check("withdrawal", "flagged withdrawn", True, bool(item and item.withdrawn_reason))
    check("consultation", "opens", exp.opens, item and item.opens)
    check("consultation", "closes", exp.closes, item and item.closes)
    if announcement:
        check("statistics", "release_state", exp.release_state, item and item.release_state)
        check("statistics", "event_precision", exp.event_precision, item and item.event_precision)
        if isinstance(exp.event_start, datetime):
            check("statistics", "release time", exp.event_start, item and item.event_start)
        elif isinstance(exp.event_start, date):
            got_day = oracle.calendar_day(item.event_start) if item and item.event_start else None
            check("statistics", "release date (London)", exp.event_start, got_day)
            check("calendar", "release date as written", exp.event_start, _written_day(item, exp))
    return facts


def _as_published(want: Any, item: Item | None) -> Any:
    """The item's published date, or `want` itself when the item read GOV.UK's date-only
    midnight (00:00 UTC, the way Whitehall stores a publication date) as that London day."""
    got = item.published if item else None
    if not isinstance(want, datetime) or got is None or item is None:
        return got
    midnight = want.astimezone(UTC).time() == time(0)
    same_day = oracle.calendar_day(want) == oracle.calendar_day(got)
    if midnight and same_day and item.published_precision is Precision.DAY:
        return want
    return got


def _carried(want: str, got: str | None) -> str | None:
    return want if got and want in got else got


def _written_day(item: Item | None, exp: oracle.Expected) -> Any:
    """The calendar date the item's JSON shows for `event_start` (a date, a month, or the
    date part of an instant as written, whatever its offset)."""
    if item is None:
        return None
    text = item.to_json().get("event_start")
    if not isinstance(text, str):
        return text
    if CALENDAR_TEXT.fullmatch(text):
        # "2024-06" stands for June 2024 at month precision, "2024" for the year.
        want = exp.event_start.isoformat()
        return exp.event_start if want.startswith(text) else text
    return date.fromisoformat(text[:10])


def _attachment_facts(exp: oracle.Expected, item: Item | None, missing: str) -> list[Fact]:
    want: dict[str, oracle.AttachmentFact] = exp.attachments
    if item is None:
        return [Fact("attachments", f"{exp.label}: {k}", False, missing) for k in want]
    got = {oracle.attachment_key(a.url): a for a in item.attachments}
    facts = []
    for key, fact in sorted(want.items()):
        mine = got.get(key)
        if mine is None:
            facts.append(Fact("attachments", f"{exp.label}: {fact.url}", False, "missing"))
            continue
        wrong = [
            f"{name} {getattr(mine, name)!r} != {value!r}"
            for name, value in (
                ("title", fact.title),
                ("media_type", fact.media_type),
                ("size", fact.size),
            )
            if value is not None and getattr(mine, name) != value
        ]
        facts.append(Fact("attachments", f"{exp.label}: {fact.url}", not wrong, "; ".join(wrong)))
    extra = sorted(set(got) - set(want))
    if want or got:
        detail = f"not attachments: {extra}"
        facts.append(Fact("attachments", f"{exp.label}: nothing else", not extra, detail))
    return facts


def main() -> None:
    held: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for case in cases():
        for fact in facts_for(case):
            total[fact.cls] += 1
            held[fact.cls] += fact.held
    width = max(len(c) for c in oracle.CLASSES)
    print(f"{'class':<{width}}  held / total")
    for cls in oracle.CLASSES:
        print(f"{cls:<{width}}  {held[cls]:>4} / {total[cls]:<4}")
    print(f"{'all':<{width}}  {sum(held.values()):>4} / {sum(total.values()):<4}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
