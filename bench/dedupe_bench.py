"""Cross-source dedupe (aggregator.dedupe.clusters) at 10k, 100k and 1M synthetic items.

The corpus is synthetic and fixed (``random.Random(42)``), built by bench/dedupe_corpus.py:
safeguarding-style titles over 16 sources and 2012–2025, about 5% of them planted
near-duplicates of another item from a different source (a site prefix, case and punctuation,
one word changed, a shared attachment, a link to the page or to its PDF), plus decoys that must
*not* match (an annual series, a same-source repeat), which count against precision when they
do. The ground truth is kept.

Per size, in a fresh child process: index every item, then query every item against the full
index (at 1M a random 250,000 of them, and recall counts the planted pairs with a member among
those queried). Recall = planted pairs found / planted pairs; precision = found pairs that are
planted / found pairs (pairs are unordered, either member's query finds them). Peak memory is
the child process's ``ru_maxrss`` (corpus + index); "index RSS" is the growth of resident
memory (``/proc/self/statm``) across indexing. At 1M a further 10k new items (5% of them planted
duplicates of indexed items) are each matched and then added, as the pipeline would.

Baseline, in the same command: all-pairs exact comparison (the same Jaccard and date rule) on
a 5k corpus from the same generator, each unordered pair scored once. Its comparisons per item
are (n-1)/2, while the LSH figure counts every verification of a query against the full index
(so a pair is verified from both sides): the ratio is conservative.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from aggregator.dedupe.clusters import UNDATED_MIN_SIMILARITY, Candidate, ClusterIndex
from aggregator.dedupe.titles import title_tokens
from bench.dedupe_corpus import TITLE_KINDS, Generator

SEED = 42
SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000,)
BASELINE_N = 5_000
BATCH_N = 10_000
QUERY_SAMPLE_1M = 250_000  # at 1M, query a random quarter of the items (all of them below)

TARGET_RECALL = 0.95
TARGET_PRECISION = 0.95
TARGET_CANDIDATE_GROWTH = 2.0
TARGET_BATCH_SECONDS = 10.0


# --- measuring ---------------------------------------------------------------------------


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        return 0


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _pairs_found(
    index: ClusterIndex, items: list[Candidate]
) -> tuple[set[tuple[int, int]], Counter[str]]:
    found: set[tuple[int, int]] = set()
    kinds: Counter[str] = Counter()
    for c in items:
        for m in index.matches(c):
            pair = (min(c.item_id, m.item_id), max(c.item_id, m.item_id))
            if pair not in found:
                found.add(pair)
                kinds[m.kind] += 1
    return found, kinds


def _score(
    found: set[tuple[int, int]], truth: dict[tuple[int, int], str]
) -> tuple[float, float, dict[str, float]]:
    tp = len(found & truth.keys())
    recall = tp / len(truth) if truth else 1.0
    precision = tp / len(found) if found else 1.0
    by_kind: dict[str, float] = {}
    totals = Counter(truth.values())
    hits = Counter(kind for pair, kind in truth.items() if pair in found)
    for kind, total in sorted(totals.items()):
        by_kind[kind] = hits[kind] / total
    return recall, precision, by_kind


def run_size(n: int, with_batch: bool) -> dict[str, Any]:
    """One size, meant for a fresh process: generate, index, query, (batch); figures."""
    gen = Generator(random.Random(SEED))
    started = time.perf_counter()
    corpus = gen.corpus(n)
    generate_s = time.perf_counter() - started

    gc.collect()
    gc.freeze()  # the corpus is long-lived: keep the collector from rescanning it
    rss0 = _rss_bytes()
    index = ClusterIndex()
    started = time.perf_counter()
    for c in corpus.items:
        index.add(c)
    index_s = time.perf_counter() - started
    index_rss = _rss_bytes() - rss0

    queries = corpus.items
    truth = corpus.pairs
    if n >= 1_000_000:
        sample = random.Random(SEED + 1).sample(range(n), QUERY_SAMPLE_1M)
        queries = [corpus.items[i] for i in sorted(sample)]
        queried = {c.item_id for c in queries}
        truth = {p: k for p, k in truth.items() if p[0] in queried or p[1] in queried}
    started = time.perf_counter()
    found, match_kinds = _pairs_found(index, queries)
    query_s = time.perf_counter() - started
    recall, precision, by_kind = _score(found, truth)
    result: dict[str, Any] = {
        "n": n,
        "pairs": len(corpus.pairs),
        "decoys": dict(corpus.decoys),
        "generate_s": generate_s,
        "index_s": index_s,
        "query_s": query_s,
        "queries": len(queries),
        "pairs_checked": len(truth),
        "candidates_per_item": index.candidate_count / len(queries),
        "scorer_calls_per_item": index.scorer_calls / len(queries),
        "recall": recall,
        "precision": precision,
        "recall_by_kind": by_kind,
        "found": len(found),
        "match_kinds": dict(match_kinds),
        "index_rss": index_rss,
    }

    if with_batch:
        batch = gen.corpus(BATCH_N, start=n, index=corpus)
        # The batch's duplicates may have given an indexed original an attachment: re-add
        # those originals (outside the timing) so the index holds what the batch points at.
        for a, b in batch.pairs:
            original = corpus.items[min(a, b)]
            index.add(original)
        calls0, cands0 = index.scorer_calls, index.candidate_count
        found_batch: set[tuple[int, int]] = set()
        started = time.perf_counter()
        for c in batch.items:
            for m in index.matches(c):
                found_batch.add((min(c.item_id, m.item_id), max(c.item_id, m.item_id)))
            index.add(c)
        batch_s = time.perf_counter() - started
        b_recall, b_precision, _ = _score(found_batch, batch.pairs)
        result |= {
            "batch_s": batch_s,
            "batch_recall": b_recall,
            "batch_precision": b_precision,
            "batch_pairs": len(batch.pairs),
            "batch_candidates_per_item": (index.candidate_count - cands0) / BATCH_N,
            "batch_scorer_calls_per_item": (index.scorer_calls - calls0) / BATCH_N,
        }
    result["peak_rss"] = _peak_rss_bytes()
    return result


def _title_match(
    a: frozenset[str], b: frozenset[str], day_a: int | None, day_b: int | None
) -> bool:
    """The same exact rule as ClusterIndex's scorer (default threshold and date gap)."""
    common = len(a & b)
    if not common:
        return False
    similarity = common / (len(a) + len(b) - common)
    if similarity < 0.8:
        return False
    if day_a is None or day_b is None:
        return similarity >= UNDATED_MIN_SIMILARITY
    return abs(day_a - day_b) <= 3


def run_baseline(n: int = BASELINE_N) -> dict[str, Any]:
    """All-pairs exact title comparison on an ``n``-item corpus, each pair scored once."""
    corpus = Generator(random.Random(SEED)).corpus(n)
    items = corpus.items
    started = time.perf_counter()
    prepared = []
    for c in items:
        tokens = frozenset(title_tokens(c.title))
        day = c.published.toordinal() if c.published is not None else None
        prepared.append((c.item_id, c.source, tokens if len(tokens) >= 3 else frozenset(), day))
    comparisons = 0
    found: set[tuple[int, int]] = set()
    for i, (id_a, src_a, tok_a, day_a) in enumerate(prepared):
        for id_b, src_b, tok_b, day_b in prepared[i + 1 :]:
            comparisons += 1
            if src_a != src_b and _title_match(tok_a, tok_b, day_a, day_b):
                found.add((min(id_a, id_b), max(id_a, id_b)))
    elapsed = time.perf_counter() - started
    title_truth = {p: k for p, k in corpus.pairs.items() if k in TITLE_KINDS}
    recall, precision, _ = _score(found, title_truth)
    return {
        "n": n,
        "seconds": elapsed,
        "us_per_item": elapsed / n * 1e6,
        "comparisons_per_item": comparisons / n,
        "title_recall": recall,
        "title_precision": precision,
    }


def _in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn`` in a fresh process so its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run(quick: bool) -> list[tuple[str, str, str, float | None, str, bool]]:
    sizes = QUICK_SIZES if quick else SIZES
    base = _in_child(run_baseline, BASELINE_N)
    print(
        f"baseline all-pairs exact, n={base['n']:,}: {base['seconds']:.1f} s, "
        f"{base['us_per_item']:,.0f} µs/item, {base['comparisons_per_item']:,.0f} "
        f"comparisons/item; title-pair recall {base['title_recall']:.3f}, "
        f"precision {base['title_precision']:.3f}",
        flush=True,
    )
    results = []
    for n in sizes:
        res = _in_child(run_size, n, n == 1_000_000)
        results.append(res)
        print(
            f"n={n:,}: generated in {res['generate_s']:.1f} s, indexed in "
            f"{res['index_s']:.1f} s, queried in {res['query_s']:.1f} s",
            flush=True,
        )

    print()
    header = (
        f"{'items':>10} {'queries':>8} {'pairs':>7} {'recall':>7} {'precis.':>7} {'index s':>8} "
        f"{'query s':>8} {'µs/query':>9} {'cand/item':>9} {'verif/item':>10} "
        f"{'x all-pairs cmp':>15} {'x all-pairs time':>16} {'peak RSS':>10} {'index RSS':>10}"
    )
    print(header)
    print("-" * len(header))
    for res in results:
        us_query = res["query_s"] / res["queries"] * 1e6
        cmp_ratio = res["scorer_calls_per_item"] / base["comparisons_per_item"]
        time_ratio = us_query / base["us_per_item"]
        print(
            f"{res['n']:>10,} {res['queries']:>8,} {res['pairs_checked']:>7,} "
            f"{res['recall']:>7.4f} {res['precision']:>7.4f} "
            f"{res['index_s']:>8.1f} {res['query_s']:>8.1f} {us_query:>9.1f} "
            f"{res['candidates_per_item']:>9.3f} {res['scorer_calls_per_item']:>10.3f} "
            f"{cmp_ratio:>15.1e} {time_ratio:>16.3f} {_mib(res['peak_rss']):>10} "
            f"{_mib(res['index_rss']):>10}"
        )
    print(
        "x all-pairs: LSH figure / all-pairs figure at n=5k (all-pairs grows with n: at 1M it "
        f"would be ~{base['comparisons_per_item'] * 200:,.0f} comparisons and "
        f"~{base['us_per_item'] * 200 / 1e3:,.0f} ms per item)"
    )
    for res in results:
        kinds = ", ".join(f"{k} {v:.3f}" for k, v in res["recall_by_kind"].items())
        print(f"  n={res['n']:,} recall by kind: {kinds}; decoys {res['decoys']}")

    print()
    for res in results:
        print(
            f"recall ≥ {TARGET_RECALL} at {res['n']:,}: {res['recall']:.4f} "
            f"{_verdict(res['recall'] >= TARGET_RECALL)}"
        )
        print(
            f"precision ≥ {TARGET_PRECISION} at {res['n']:,}: {res['precision']:.4f} "
            f"{_verdict(res['precision'] >= TARGET_PRECISION)}"
        )
    first, last = results[0], results[-1]
    if last["n"] > first["n"]:
        growth = last["candidates_per_item"] / max(first["candidates_per_item"], 1e-9)
        print(
            f"candidates/item growth {first['n']:,} → {last['n']:,} ≤ "
            f"{TARGET_CANDIDATE_GROWTH}×: {growth:.2f}× "
            f"{_verdict(growth <= TARGET_CANDIDATE_GROWTH)}"
        )
    else:
        print("candidates/item growth: not measured (--quick runs one size)")
    batch = next((r for r in results if "batch_s" in r), None)
    if batch is not None:
        print(
            f"batch of {BATCH_N:,} new items against the {batch['n']:,} index ≤ "
            f"{TARGET_BATCH_SECONDS:.0f} s: {batch['batch_s']:.2f} s "
            f"(recall {batch['batch_recall']:.4f} on {batch['batch_pairs']} planted pairs, "
            f"precision {batch['batch_precision']:.4f}, "
            f"{batch['batch_candidates_per_item']:.3f} candidates and "
            f"{batch['batch_scorer_calls_per_item']:.3f} verifications per item) "
            f"{_verdict(batch['batch_s'] <= TARGET_BATCH_SECONDS)}"
        )
    else:
        print("batch against the 1M index: not measured (--quick)")

    # Rows for the summary table of `python -m bench`.
    summary: list[tuple[str, str, str, float | None, str, bool]] = []
    for res in results:
        us_query = res["query_s"] / res["queries"] * 1e6
        summary.append(
            (
                f"dedupe: one item against {res['n']:,}, µs",
                f"{us_query:,.0f}",
                f"all-pairs 5k {base['us_per_item']:,.0f}",
                us_query / base["us_per_item"],
                f"recall, precision ≥ {TARGET_RECALL}",
                res["recall"] >= TARGET_RECALL and res["precision"] >= TARGET_PRECISION,
            )
        )
    if batch is not None:
        summary.append(
            (
                f"dedupe: {BATCH_N:,} new items against {batch['n']:,}, s",
                f"{batch['batch_s']:.2f}",
                "",
                None,
                f"≤ {TARGET_BATCH_SECONDS:.0f} s",
                batch["batch_s"] <= TARGET_BATCH_SECONDS,
            )
        )
    return summary
