"""Draft summaries against the example bulletin: ROUGE-1 and ROUGE-L beside a lead baseline.

Issue 11: for the fixture items that appear in `shared/examples/bulletin-2024-05.txt`, score
each draft (`aggregator.drafting.writer.draft_summary`) against the bulletin's own summary of that
item with ROUGE-1 F and ROUGE-L F (rouge-score, Porter stemming), beside the baseline measured
in the same run: `first_sentences(item, main_text, 2)`, the first two sentences of the
standfirst and main text. PASS when the drafts' mean beats the baseline's on both metrics.

How the pairs are found (all in code below, printed so a reader can check them):

- The bulletin is split into entries. An entry ends at its call-to-action line ("Read the
  paper: <title>", "Download the report: <title>", "Book a free place …"); its titles are
  its heading lines and the titles after those link labels; its "Source:" line, if any,
  names the publisher. Its summary is the prose after its header (the last "Source:" /
  "Date:" / date-time line, or a standfirst set off under the title) up to the link line.
- The fixture corpus is parsed offline exactly as a crawl parses it (each saved response
  through its source's parser, then `aggregator.parse.offline.finish`: normalised, validated,
  and the main text kept as the crawl keeps it), keeping the items read from a detail page
  or a full API record. The fixture files are only read.
- An entry's item is the one with the most similar title (Dice overlap of content words,
  best over the entry's titles), among the items of the entry's publisher when it names one;
  at least 0.5, and each item used once.

Also reported: first-person sentences left in the drafts (issue 21, target 0): every
fixture item is drafted and each sentence of its draft that still speaks as the publisher
outside quotation marks ("Our new paper …", "we found", `aggregator.drafting.person.
first_person_words`) is counted, with the first few printed. A quoted person's "we" is not
counted. Also reported: draft length (mean and max words, the limit), how many drafts hit the limit,
and the time to draft and assess one item (every crawled item pays it).
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aggregator.classify.sensitive import assess_sensitivity
from aggregator.devtools.fixtures import fixture_folders, read_meta
from aggregator.drafting import (
    DEFAULT_WORD_LIMIT,
    Draft,
    draft_summary,
    first_sentences,
    split_sentences,
)
from aggregator.drafting.person import first_person_words
from aggregator.fetch.spider_loader import parser_class
from aggregator.parse.offline import finish
from aggregator.schema import Item
from aggregator.sources import get_source
from bench.__main__ import Row
from spiders.base import Page, ParseError

BULLETIN = Path(__file__).resolve().parents[2] / "shared" / "examples" / "bulletin-2024-05.txt"
MIN_MATCH = 0.5
TIME_TARGET_MS = 5.0
SHOWN = 3  # drafts printed beside the bulletin's summaries

_ENTRY_BREAK = "image representing news article News"
_LINK = re.compile(
    r"^(?:Read|Download|See|Book|View|Watch|Listen to|Register)\b(?:[^:]*:\s*(?P<title>.+))?$"
)
_META = re.compile(r"^(?:Source|Date|Publication date)\b", re.IGNORECASE)
_DATE_TIME = re.compile(
    r"^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b.*\d{4}.*\d{1,2}:\d{2}", re.IGNORECASE
)
_PROSE_END = re.compile(r"[.!?:…][\"'”’)]*\d{0,2}$")
_BULLET = re.compile(r"^[•●▪\-*]\s*")
_STOP = frozenset(
    {"a", "an", "and", "the", "of", "on", "in", "for", "to", "with", "by", "from", "at", "as",
     "its", "it", "is", "are", "our", "your", "via", "this", "that"}
)  # fmt: skip


# --- the bulletin ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One item's entry in the example bulletin."""

    titles: list[str] = field(default_factory=list)
    source: str | None = None
    summary: str = ""


@dataclass
class _Line:
    text: str
    kind: str  # heading, meta, prose, link, callout
    gap_after: int = 0  # blank lines after it


def _classify(text: str) -> str:
    if text.startswith(">"):
        return "callout"  # an inline "> Read our summary of …": part of the text, not quoted
    if _LINK.match(text):
        return "link"
    if _META.match(text) or _DATE_TIME.match(text):
        return "meta"
    if _BULLET.match(text) or _PROSE_END.search(text):
        return "prose"
    return "heading"


def _lines(block: str) -> list[_Line]:
    lines: list[_Line] = []
    for raw in block.splitlines():
        text = " ".join(raw.replace("\u00a0", " ").split())
        if not text:
            if lines:
                lines[-1].gap_after += 1
            continue
        lines.append(_Line(text, _classify(text)))
    return lines


def parse_bulletin(text: str) -> list[Entry]:
    """The bulletin's entries that have a summary, in order."""
    entries: list[Entry] = []
    for block in text.split(_ENTRY_BREAK):
        current: list[_Line] = []
        lines = _lines(block)
        for n, line in enumerate(lines):
            current.append(line)
            closing = line.kind == "link" and (n + 1 == len(lines) or lines[n + 1].kind != "link")
            if closing or n + 1 == len(lines):
                entry = _entry(current)
                if entry.summary:
                    entries.append(entry)
                current = []
    return entries


def _entry(lines: list[_Line]) -> Entry:
    entry = Entry()
    header_end = -1
    for n, line in enumerate(lines):
        if line.kind == "heading":
            entry.titles.append(line.text)
        elif line.kind == "link":
            found = _LINK.match(line.text)
            if found and found.group("title"):
                entry.titles.append(found.group("title").strip())
        elif line.kind == "meta":
            header_end = n
            if line.text.lower().startswith("source"):
                entry.source = line.text.split(":", 1)[-1].strip()
        elif (
            line.kind == "prose"
            and n > 0
            and lines[n - 1].kind == "heading"
            and line.gap_after >= 2
        ):
            header_end = n  # a standfirst or intro under a title, set off by a wider gap
    first_link = next((n for n, line in enumerate(lines) if line.kind == "link"), len(lines))
    summary = [
        _BULLET.sub("", line.text)
        for line in lines[header_end + 1 : first_link]
        if line.kind == "prose"
    ]
    entry.summary = " ".join(summary)
    return entry


# --- the fixture corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    item: Item
    main_text: str


def fixture_items() -> list[Parsed]:
    """Every item the fixtures show from a detail page or full record, with its main text.

    The same item read twice (a WordPress API record and its HTML page) is kept once, with
    the longer main text.
    """
    best: dict[str, Parsed] = {}
    for slug, folder in fixture_folders(snapshot=None).items():
        parser = parser_class(slug)(get_source(slug))
        for response in read_meta(folder):
            if response.status != 200 or response.file.name == "robots.txt":
                continue
            page = Page(
                response.file.read_bytes(),
                response.url,
                response.fetched_at,
                response.content_type,
            )
            try:
                raws = parser.parse(page).listed()
            except ParseError:
                continue
            # Normalised and validated as the crawl does, main text included.
            result = finish([raw for raw in raws if raw.complete and raw.title.strip()])
            for item, main_text in zip(result.items, result.main_texts, strict=True):
                parsed = Parsed(item, main_text)
                kept = best.get(item.key)
                if kept is None or len(parsed.main_text) > len(kept.main_text):
                    best[item.key] = parsed
    return list(best.values())


# --- matching -------------------------------------------------------------------------------


def _tokens(text: str) -> set[str]:
    text = text.lower().replace("’", "'").replace("‘", "'")
    return {w for w in re.findall(r"[a-z0-9]+", text) if w not in _STOP}


def similarity(a: str, b: str) -> float:
    """Dice overlap of content words."""
    left, right = _tokens(a), _tokens(b)
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


def _same_publisher(source: str | None, item: Item) -> bool:
    if not source:
        return True
    return _tokens(source) <= _tokens(item.publisher) or _tokens(item.publisher) <= _tokens(source)


@dataclass(frozen=True)
class Pair:
    entry: Entry
    parsed: Parsed
    title_score: float
    matched_title: str


def match(entries: list[Entry], items: list[Parsed]) -> list[Pair]:
    """Each entry's most similar item (see the module docstring), best matches first."""
    options: list[tuple[float, int, int, str]] = []
    for e, entry in enumerate(entries):
        for i, parsed in enumerate(items):
            if not _same_publisher(entry.source, parsed.item):
                continue
            score, title = max(
                ((similarity(t, parsed.item.title), t) for t in entry.titles),
                default=(0.0, ""),
            )
            if score >= MIN_MATCH:
                options.append((score, e, i, title))
    options.sort(key=lambda o: (-o[0], o[1], o[2]))
    used_entries: set[int] = set()
    used_items: set[int] = set()
    pairs: list[tuple[int, Pair]] = []
    for score, e, i, title in options:
        if e in used_entries or i in used_items:
            continue
        used_entries.add(e)
        used_items.add(i)
        pairs.append((e, Pair(entries[e], items[i], score, title)))
    return [pair for _, pair in sorted(pairs, key=lambda p: p[0])]


# --- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    pair: Pair
    draft: Draft
    baseline: str
    draft_rouge1: float
    draft_rougel: float
    base_rouge1: float
    base_rougel: float


def score(pairs: list[Pair]) -> list[Scored]:
    from rouge_score import rouge_scorer  # imported here: only the evaluation needs it

    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)
    scored: list[Scored] = []
    for pair in pairs:
        item, main_text = pair.parsed.item, pair.parsed.main_text
        draft = draft_summary(item, main_text)
        baseline = first_sentences(item, main_text, 2)
        reference = pair.entry.summary
        d = scorer.score(reference, draft.text)
        b = scorer.score(reference, baseline)
        scored.append(
            Scored(
                pair,
                draft,
                baseline,
                d["rouge1"].fmeasure,
                d["rougeL"].fmeasure,
                b["rouge1"].fmeasure,
                b["rougeL"].fmeasure,
            )
        )
    return scored


@dataclass(frozen=True)
class FirstPerson:
    """First-person sentences left in drafts: how many, in how many drafts, and which."""

    sentences: int
    drafts: int
    drafted: int
    examples: list[str]


def first_person_left(items: list[Parsed]) -> FirstPerson:
    """Draft every item and count the draft sentences with first person outside quotations."""
    sentences = drafts = 0
    examples: list[str] = []
    for parsed in items:
        text = draft_summary(parsed.item, parsed.main_text).text
        found = [s for s in split_sentences(text) if first_person_words(s)]
        sentences += len(found)
        drafts += bool(found)
        examples.extend(f"{parsed.item.publisher}: {s}" for s in found)
    return FirstPerson(sentences, drafts, len(items), examples)


def time_per_item(items: list[Parsed], rounds: int) -> float:
    """Mean milliseconds to draft and assess one item, over the whole corpus."""
    started = time.perf_counter()
    for _ in range(rounds):
        for parsed in items:
            draft_summary(parsed.item, parsed.main_text)
            assess_sensitivity(parsed.item, parsed.main_text)
    return (time.perf_counter() - started) * 1000 / (rounds * max(len(items), 1))


def _wrap(text: str, indent: str = "    ", width: int = 96) -> str:
    out: list[str] = []
    line = indent
    for word in text.split():
        if len(line) + len(word) + 1 > width and line.strip():
            out.append(line.rstrip())
            line = indent
        line += word + " "
    out.append(line.rstrip())
    return "\n".join(out)


def run(quick: bool = False) -> list[Row]:
    """Print the matched pairs, the scores and three drafts; return the summary rows."""
    if not BULLETIN.exists():
        print(f"example bulletin not found at {BULLETIN}: nothing to evaluate")
        return [("draft_eval: example bulletin missing", "", "", None, "", None)]
    entries = parse_bulletin(BULLETIN.read_text(encoding="utf-8"))
    items = fixture_items()
    pairs = match(entries, items)
    print(f"bulletin entries with a summary: {len(entries)}; fixture items: {len(items)}")
    print(f"matched pairs ({len(pairs)}), title similarity (Dice):")
    for pair in pairs:
        entry_title = pair.matched_title
        print(f"  {pair.title_score:.2f}  bulletin: {entry_title!r} (Source: {pair.entry.source})")
        print(f"        item:     {pair.parsed.item.title!r} ({pair.parsed.item.publisher},")
        print(f"                  {pair.parsed.item.doc_type}, {pair.parsed.item.url})")
    unmatched = [e for e in entries if all(p.entry is not e for p in pairs)]
    for entry in unmatched:
        print(f"  unmatched bulletin entry: {entry.titles[:2]}")
    scored = score(pairs)

    print("\nper item: ROUGE-1 F / ROUGE-L F, draft vs first-two-sentences baseline")
    for s in scored:
        print(
            f"  draft {s.draft_rouge1:.3f} / {s.draft_rougel:.3f}   baseline "
            f"{s.base_rouge1:.3f} / {s.base_rougel:.3f}   {s.draft.words:>3} words"
            f"{'  (hit the limit)' if s.draft.hit_limit else ''}   {s.pair.parsed.item.title[:48]}"
        )
    n = len(scored)
    if n == 0:
        print("no pairs matched: nothing to score")
        return [("draft_eval: no matched pairs", "", "", None, "", False)]
    d1 = statistics.fmean(s.draft_rouge1 for s in scored)
    dl = statistics.fmean(s.draft_rougel for s in scored)
    b1 = statistics.fmean(s.base_rouge1 for s in scored)
    bl = statistics.fmean(s.base_rougel for s in scored)
    words = [s.draft.words for s in scored]
    hit = sum(s.draft.hit_limit for s in scored)
    print(
        f"\nmean over {n}: ROUGE-1 F draft {d1:.3f} vs baseline {b1:.3f} ({d1 / b1:.2f}×); "
        f"ROUGE-L F draft {dl:.3f} vs baseline {bl:.3f} ({dl / bl:.2f}×)"
    )
    print(
        f"draft length: mean {statistics.fmean(words):.1f} words, max {max(words)} "
        f"(limit {DEFAULT_WORD_LIMIT}); {hit} of {n} hit the limit"
    )

    print(f"\n{SHOWN} drafts beside the bulletin's summaries:")
    for s in scored[:SHOWN]:
        print(f"\n  {s.pair.parsed.item.title}")
        print("  draft:")
        print(_wrap(s.draft.text))
        print("  bulletin:")
        print(_wrap(s.pair.entry.summary))

    assessed = [assess_sensitivity(parsed.item, parsed.main_text) for parsed in items]
    flags = Counter(reason for sensitivity in assessed for reason in sensitivity.reasons)
    flagged = sum(sensitivity.flagged for sensitivity in assessed)
    print(f"\nsensitive: {flagged} of {len(items)} fixture items flagged {dict(flags)}")

    person = first_person_left(items)
    print(
        f"\nfirst person left: {person.sentences} sentences in {person.drafts} of "
        f"{person.drafted} drafts (target 0)"
    )
    for example in person.examples[: SHOWN * 2]:
        print(_wrap(example, indent="    ! "))

    ms = time_per_item(items, rounds=1 if quick else 20)
    print(f"draft + sensitivity: {ms:.2f} ms per item over {len(items)} fixture items")
    beat1, beatl = d1 > b1, dl > bl
    print(f"drafts beat the baseline on ROUGE-1: {beat1}, on ROUGE-L: {beatl}")
    print("PASS" if beat1 and beatl else "FAIL")
    return [
        (f"draft_eval: ROUGE-1 F, n={n}", f"{d1:.3f}", f"{b1:.3f}", d1 / b1, "> baseline", beat1),
        (f"draft_eval: ROUGE-L F, n={n}", f"{dl:.3f}", f"{bl:.3f}", dl / bl, "> baseline", beatl),
        (
            "draft_eval: draft words mean / max",
            f"{statistics.fmean(words):.0f} / {max(words)}",
            "",
            None,
            f"≤ {DEFAULT_WORD_LIMIT}",
            max(words) <= DEFAULT_WORD_LIMIT,
        ),
        ("draft_eval: drafts that hit the limit", f"{hit} of {n}", "", None, "", None),
        (
            f"draft_eval: first-person sentences left, {person.drafted} drafts",
            str(person.sentences),
            "",
            None,
            "0",
            person.sentences == 0,
        ),
        (
            "draft_eval: ms per item (draft + sensitivity)",
            f"{ms:.2f}",
            "",
            None,
            f"< {TIME_TARGET_MS:g}",
            ms < TIME_TARGET_MS,
        ),
    ]


if __name__ == "__main__":
    run()
