"""bench/embedding_eval.py: the fit, the folds, the embeddings reader, and that only the tuning
half is read. (The run itself needs the 117 MB GloVe file, so it is not in the suite.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench.classify_eval import DATA
from bench.embedding_eval import (
    Embeddings,
    Example,
    evaluate,
    fit,
    group_folds,
    read_embeddings,
    tokens,
    tuning_examples,
)


def test_fit_reaches_the_penalised_optimum() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(200, 4))
    y = (x[:, 0] + 0.5 * rng.normal(size=200) > 0).astype(float)
    weights, intercept = fit(x, y)
    p = 1 / (1 + np.exp(-(x @ weights + intercept)))
    # ½‖w‖² + C·Σ log-loss has zero gradient at its minimum (C = 1; intercept unpenalised).
    assert np.abs(weights + x.T @ (p - y)).max() < 1e-6
    assert abs(float((p - y).sum())) < 1e-6
    assert weights[0] > abs(weights[1:]).max()  # the informative feature carries the weight


def test_group_folds_keep_a_publisher_in_one_fold_largest_first() -> None:
    groups = ["A"] * 5 + ["B"] * 3 + ["C"] * 3 + ["D"]
    folds = group_folds(groups, 2)
    by_group = {g: {f for g2, f in zip(groups, folds, strict=True) if g2 == g} for g in "ABCD"}
    assert all(len(f) == 1 for f in by_group.values())
    # A (5) to fold 0; C then B (the tie reversed, as scikit-learn's stable argsort gives) to
    # the lighter fold 1; D to fold 0, now the lighter: 6 items each.
    assert [by_group[g].pop() for g in "ABCD"] == [0, 1, 1, 0]


def test_read_embeddings_from_glove_text_and_the_npm_json(tmp_path: Path) -> None:
    text = tmp_path / "glove.txt"
    text.write_text("the 0.1 0.2\nchildren 0.3 0.4\nsurvey 0.5 0.6\n", encoding="utf-8")
    two = read_embeddings(text, 2)
    assert two.words == ["the", "children"] and two.vectors.shape == (2, 2)
    packed = tmp_path / "embeddings.json"
    packed.write_text(
        json.dumps(
            {
                "dimensions": 2,
                "words": ["the", "children"],
                "vectors": {"the": [0.1, 0.2, 9.0, 0], "children": [0.3, 0.4, 9.0, 0]},
            }
        ),
        encoding="utf-8",
    )
    every = read_embeddings(packed)
    assert every.words == ["the", "children"]
    assert every.vectors.tolist() == [[0.1, 0.2], [0.3, 0.4]]  # the norm columns dropped


def test_tokens_are_lower_case_words_without_function_words() -> None:
    assert tokens("The Children’s survey: what young-people said") == [
        "children",
        "s",
        "survey",
        "young-people",
        "said",
    ]


def test_evaluate_lifts_candidates_that_read_like_positives_and_no_negative() -> None:
    """Positives hidden by the rules say "alpha", negatives "beta": cross-validated, the
    model lifts the hidden positives and stops before the first negative."""
    embeddings = Embeddings(["alpha", "beta", "gamma"], np.array([[1.0, 0], [-1.0, 0], [0, 1]]))
    found = []
    for n in range(60):
        positive = n % 2 == 0
        row = {
            "id": str(n),
            "label": positive,
            "publisher": f"publisher {n % 12}",
            "title": ("alpha" if positive else "beta") + " gamma",
            "summary": "",
        }
        shown = positive and n % 4 == 0  # half the positives the rules already show
        found.append(Example(row, relevance=0.5 if shown else 0.2, shown=shown, negative=False))
    outcome = evaluate(found, embeddings, folds=5)
    assert outcome.candidate_positives == 15 and outcome.candidates == 45
    assert outcome.lifted == 15
    assert outcome.recall_before == 0.5 and outcome.recall_after == 1.0


def test_only_the_tuning_half_is_read() -> None:
    split = json.loads((DATA / "split.json").read_text(encoding="utf-8"))
    found = tuning_examples()
    assert len(found) > 1000
    assert not any(split.get(e.row["publisher"]) == "held-back" for e in found)
    assert not any(e.row["fresh"] for e in found)
