"""The figures `python -m bench classify_eval` prints: counts and their 95% intervals."""

from __future__ import annotations

import pytest

from bench.classify_eval import Scored, figures, wilson


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Textbook Wilson intervals (z = 1.96).
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval_matches_the_textbook(
    successes: int, trials: int, low: float, high: float
) -> None:
    assert wilson(successes, trials) == pytest.approx((low, high), abs=1e-4)


def test_a_few_dozen_positives_leave_a_wide_interval() -> None:
    # 91 of 95 is 0.958: the interval reaches past 0.97, and below 0.9.
    low, high = wilson(91, 95)
    assert low < 0.90 < 0.97 < high


def test_figures_count_what_was_shown() -> None:
    rows = [
        Scored({"label": True}, 0.6, True),
        Scored({"label": True}, 0.1, False),
        Scored({"label": False}, 0.5, True),
        Scored({"label": False, "hard_negative": True}, 0.0, False),
    ]
    found = figures(rows)
    assert (found.tp, found.fp, found.fn) == (1, 1, 1)
    assert found.intervals().startswith("recall 1/2 (95% interval 0.095–0.905), precision 1/2")
