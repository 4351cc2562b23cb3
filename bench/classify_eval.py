"""Safeguarding relevance against what real bulletins carried (issue 19).

The set (`bench/data/relevance/`, README there) is real items, labelled by whether UK
safeguarding bulletins carried them: positives found in stored copies of CASPAR alerts and
safeguarding partnership newsletters, negatives from the same publishers, and hard negatives
(about children, not safeguarding). It is kept apart from the vocabulary's authoring, and
split by publisher (`split.json`, frozen with the labels): no publisher's wording is in both
the tuning half and the held-back half.

Each item is classified from its title and summary, as a bulletin shows it. Printed per half:
precision, recall and F1 of "safeguarding" (shown in the queue: relevant or borderline),
both as counts with their 95% Wilson intervals (95 held-back positives leave recall
uncertain by several points either way); the hard-negative false-positive rate, per
publisher; and where the scores fall around the threshold. The same for the vocabulary
before issue 19 (`vocabulary_before.json`), scored by today's rules. The threshold and
borderline band the tuning half supports are printed beside the vocabulary's.

Targets on the held-back half: recall ≥ 0.97, precision ≥ 0.95, hard-negative false
positives ≤ 5%.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.classify.rules import classify_item
from aggregator.classify.vocabulary import Vocabulary
from aggregator.schema import DocType, Item
from bench.__main__ import Row

DATA = Path(__file__).resolve().parent / "data" / "relevance"
FILES = ("positives.jsonl", "negatives.jsonl", "hard_negatives.jsonl")
HALVES = ("tuning", "held-back")
FRESH = "fresh held-back"
PARTS = (*HALVES, FRESH)
"""The two halves of the first set, and the fresh held-back set (`fresh_*.jsonl`): gathered
later from publishers in neither half, frozen before it was measured, never tuned on."""
TARGET_RECALL, TARGET_PRECISION, TARGET_HARD_FP = 0.97, 0.95, 0.05


@dataclass(frozen=True)
class Scored:
    row: dict[str, Any]
    relevance: float
    shown: bool  # relevant, or borderline (never hidden)

    @property
    def label(self) -> bool:
        return bool(self.row["label"])


def load() -> list[dict[str, Any]]:
    """Every labelled row. Rows of `tuning_*.jsonl` (gathered after the first freeze, from
    publishers not in the held-back half) belong to the tuning half whatever their publisher;
    rows of `fresh_*.jsonl` to the fresh held-back set."""
    rows = []
    extra = sorted(p.name for p in DATA.glob("tuning_*.jsonl"))
    fresh = sorted(p.name for p in DATA.glob("fresh_*.jsonl"))
    for name in (*FILES, *extra, *fresh):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["tuning_only"] = name.startswith("tuning_")
                row["fresh"] = name.startswith("fresh_")
                rows.append(row)
    return rows


def split_by_publisher(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Publishers into two halves with about equal positives, negatives and hard negatives:
    the largest first, each to the half it leaves most balanced (deterministic)."""
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        counts.setdefault(row["publisher"], Counter())[kind(row)] += 1
    totals = {half: Counter[str]() for half in HALVES}
    chosen = {}
    for publisher in sorted(counts, key=lambda p: (-sum(counts[p].values()), p)):
        mine = counts[publisher]

        def imbalance(half: str, mine: Counter[str] = mine) -> tuple[int, str]:
            after = {h: totals[h] + (mine if h == half else Counter()) for h in HALVES}
            gap = sum(abs(after["tuning"][k] - after["held-back"][k]) for k in KINDS)
            return gap, half

        half = min(HALVES, key=imbalance)
        chosen[publisher] = half
        totals[half] += mine
    return chosen


KINDS = ("positive", "negative", "hard negative")


def kind(row: dict[str, Any]) -> str:
    if row["label"]:
        return "positive"
    return "hard negative" if row.get("hard_negative") else "negative"


def halves(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    split = json.loads((DATA / "split.json").read_text(encoding="utf-8"))
    first = [r for r in rows if not r["fresh"]]
    seen = {r["publisher"].casefold() for r in first} | {p.casefold() for p in split}
    reused = sorted(
        {r["publisher"] for r in rows if r["fresh"] and r["publisher"].casefold() in seen}
    )
    if reused:
        raise SystemExit(f"fresh rows from publishers already in the set: {', '.join(reused)}")
    fresh = [r for r in rows if r["fresh"]]
    rows = first
    unknown = sorted({r["publisher"] for r in rows if not r["tuning_only"]} - set(split))
    if unknown:
        raise SystemExit(f"publishers missing from split.json: {', '.join(unknown)}")
    leaked = sorted(
        {
            r["publisher"]
            for r in rows
            if r["tuning_only"] and split.get(r["publisher"]) == "held-back"
        }
    )
    if leaked:
        raise SystemExit(f"tuning rows from held-back publishers: {', '.join(leaked)}")

    def half_of(row: dict[str, Any]) -> str:
        return "tuning" if row["tuning_only"] else str(split[row["publisher"]])

    return {half: [r for r in rows if half_of(r) == half] for half in HALVES} | {FRESH: fresh}


def as_item(row: dict[str, Any]) -> Item:
    """A labelled row as the item the classifier reads: its title and summary."""
    return Item(
        key=row["id"],
        source="eval",
        publisher=row["publisher"],
        title=row["title"],
        url=row.get("url") or f"https://example.invalid/{row['id']}",
        summary=row.get("summary", ""),
        doc_type=DocType.OTHER,
        topics=[],
        nations=[],
    )


def score(rows: list[dict[str, Any]], vocab: Vocabulary) -> list[Scored]:
    found = []
    for row in rows:
        result = classify_item(as_item(row), vocabulary=vocab)
        # (getattr: the same file measures the rules before issue 19, which had no band)
        borderline = bool(getattr(result, "borderline", False))
        found.append(Scored(row, result.relevance, result.relevant or borderline))
    return found


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion: how far a recall measured on a few
    dozen positives could be from the recall on every item like them (sound near 0 and 1,
    where the normal approximation is not)."""
    if not trials:
        return 0.0, 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


@dataclass(frozen=True)
class Figures:
    n: int
    precision: float
    recall: float
    f1: float
    hard_fp: float
    hard_n: int
    tp: int
    fp: int
    fn: int

    def line(self) -> str:
        return (
            f"n={self.n:<4} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"hard-negative FP={self.hard_fp:.1%} of {self.hard_n}"
        )

    def intervals(self) -> str:
        """Recall and precision as counts, with their 95% intervals."""
        r_low, r_high = wilson(self.tp, self.tp + self.fn)
        p_low, p_high = wilson(self.tp, self.tp + self.fp)
        return (
            f"recall {self.tp}/{self.tp + self.fn} (95% interval {r_low:.3f}–{r_high:.3f}), "
            f"precision {self.tp}/{self.tp + self.fp} ({p_low:.3f}–{p_high:.3f})"
        )


def figures(scored: list[Scored]) -> Figures:
    tp = sum(s.shown and s.label for s in scored)
    fp = sum(s.shown and not s.label for s in scored)
    fn = sum(not s.shown and s.label for s in scored)
    hard = [s for s in scored if s.row.get("hard_negative")]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    hard_fp = sum(s.shown for s in hard) / len(hard) if hard else 0.0
    return Figures(len(scored), precision, recall, f1, hard_fp, len(hard), tp, fp, fn)


def margins(scored: list[Scored], threshold: float) -> str:
    """How many positives and negatives score within 0.05 and 0.10 of the threshold, and
    the score histogram by tenths."""
    near = {
        width: (
            sum(abs(s.relevance - threshold) < width and s.label for s in scored),
            sum(abs(s.relevance - threshold) < width and not s.label for s in scored),
        )
        for width in (0.05, 0.10)
    }
    bins = [
        (
            sum(min(int(s.relevance * 10), 9) == b and s.label for s in scored),
            sum(min(int(s.relevance * 10), 9) == b and not s.label for s in scored),
        )
        for b in range(10)
    ]
    histogram = " ".join(f"{b / 10:.1f}:{p}/{n}" for b, (p, n) in enumerate(bins))
    return (
        f"within ±0.05 of {threshold:g}: {near[0.05][0]} pos / {near[0.05][1]} neg; "
        f"±0.10: {near[0.10][0]} / {near[0.10][1]}\n      scores (pos/neg per tenth): {histogram}"
    )


def suggested_threshold(scored: list[Scored]) -> tuple[float, float]:
    """The threshold and borderline floor the tuning half supports, in hundredths.

    Threshold: the lowest at which every tuning item scoring at or above it is a positive
    (precision 1.0: "safeguarding" is never wrong on the tuning half). Floor: the lowest at
    which everything from it up still has precision ≥ 0.98 and shows at most 2.5% of the
    hard negatives: the band between them is shown, marked borderline."""

    def clean(cut: float) -> bool:
        return all(s.label for s in scored if s.relevance >= cut)

    threshold = next((h / 100 for h in range(1, 100) if clean(h / 100)), 1.0)
    hard = [s for s in scored if s.row.get("hard_negative")]
    floor = threshold
    for hundredths in range(int(round(threshold * 100)) - 1, 0, -1):
        cut = hundredths / 100
        shown = [s for s in scored if s.relevance >= cut]
        precision = sum(s.label for s in shown) / len(shown) if shown else 1.0
        hard_fp = sum(s.relevance >= cut for s in hard) / len(hard) if hard else 0.0
        if precision < 0.98 or hard_fp > 0.025:
            break
        floor = cut
    return threshold, floor


def report(
    name: str, vocab: Vocabulary, parts: dict[str, list[dict[str, Any]]]
) -> dict[str, Figures]:
    floor = getattr(vocab, "borderline", vocab.threshold)
    print(f"-- {name} (threshold {vocab.threshold:g}, borderline from {floor:g})")
    found = {}
    for half in PARTS:
        scored = score(parts[half], vocab)
        found[half] = figures(scored)
        if not scored:
            # Between a fresh set joining the tuning half and the next one's freeze.
            print(f"  {half:<15} no items")
            continue
        print(f"  {half:<15} {found[half].line()}")
        print(f"      {found[half].intervals()}")
        print(f"      {margins(scored, vocab.threshold)}")
    tuning = score(parts["tuning"], vocab)
    threshold, floor = suggested_threshold(tuning)
    print(f"  the tuning half supports threshold {threshold:g}, borderline from {floor:g}")
    return found


def per_publisher(vocab: Vocabulary, parts: dict[str, list[dict[str, Any]]]) -> None:
    print("-- per publisher (half: n, positives, shown positives, shown negatives)")
    for half in PARTS:
        by: dict[str, list[Scored]] = {}
        for s in score(parts[half], vocab):
            by.setdefault(s.row["publisher"], []).append(s)
        for publisher in sorted(by):
            group = by[publisher]
            pos = sum(s.label for s in group)
            tp = sum(s.label and s.shown for s in group)
            fp = sum(not s.label and s.shown for s in group)
            print(f"  {half:<15} {publisher:<45} n={len(group):<3} pos={pos:<3} TP={tp:<3} FP={fp}")


def speed(rows: list[dict[str, Any]], vocab: Vocabulary) -> Row:
    """Items classified a second, against the same vocabulary with every phrase's pattern run
    on every field (no literal prefilter), in the same run: the prefilter must change no
    result and should be several times faster."""
    unfiltered = Vocabulary(vocab.data, vocab.version)
    unfiltered.phrases = [dataclasses.replace(p, literal="") for p in vocab.phrases]
    started = time.perf_counter()
    plain = score(rows, unfiltered)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    filtered = score(rows, vocab)
    elapsed = time.perf_counter() - started
    same = [(s.relevance, s.shown) for s in plain] == [(s.relevance, s.shown) for s in filtered]
    ratio = baseline / elapsed
    print(
        f"-- speed: {len(rows) / elapsed:,.0f} items/s; every pattern on every field: "
        f"{len(rows) / baseline:,.0f} items/s; {ratio:.1f}× faster, results "
        + ("identical" if same else "DIFFERENT")
    )
    return (
        "classify: items a second",
        f"{len(rows) / elapsed:,.0f}/s",
        f"{len(rows) / baseline:,.0f}/s (no prefilter)",
        ratio,
        "≥ 3× and identical",
        same and ratio >= 3,
    )


def run(quick: bool = False) -> list[Row]:
    rows = load()
    parts = halves(rows)
    before = Vocabulary.load(DATA / "vocabulary_before.json")
    now = Vocabulary.load()
    every = [r for part in PARTS for r in parts[part]]
    counts = Counter((bool(r["label"]), bool(r.get("hard_negative"))) for r in every)
    print(
        f"{len(every)} items: {counts[(True, False)]} positives, {counts[(False, False)]} "
        f"negatives, {counts[(False, True)]} hard negatives; "
        + ", ".join(f"{h} {len(parts[h])}" for h in PARTS)
    )
    report("vocabulary before issue 19", before, parts)
    found = report("vocabulary now", now, parts)
    if not quick:
        per_publisher(now, parts)
    rows_out: list[Row] = [speed(every, now)]
    for part in ("held-back", FRESH):
        if not parts[part]:
            print(f"  {part}: no items (bench/data/relevance/README.md)")
            continue
        held = found[part]
        checks = [
            ("recall", held.recall, f"≥ {TARGET_RECALL}", held.recall >= TARGET_RECALL),
            (
                "precision",
                held.precision,
                f"≥ {TARGET_PRECISION}",
                held.precision >= TARGET_PRECISION,
            ),
            (
                "hard-negative FP",
                held.hard_fp,
                f"≤ {TARGET_HARD_FP:.0%}",
                held.hard_fp <= TARGET_HARD_FP,
            ),
        ]
        for name, value, target, passed in checks:
            verdict = "PASS" if passed else "FAIL"
            print(f"  {part} {name}: {value:.3f} (target {target}): {verdict}")
        rows_out += [
            (f"classify ({part}): {name}", f"{value:.3f}", "", None, target, passed)
            for name, value, target, passed in checks
        ]
    return rows_out
