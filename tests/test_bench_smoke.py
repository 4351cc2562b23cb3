"""`python -m bench --quick` runs every benchmark at its small size and meets the dedupe targets.

How fast it runs is the benchmarks' own business (ratios against a same-run baseline), never a
wall-clock assertion here: this machine's speed varies by 2x.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests import prewarmed

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(300)
def test_bench_quick_runs() -> None:
    done = prewarmed.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "recall ≥ 0.95 at 10,000: " in done.stdout
    dedupe_verdicts = [line for line in done.stdout.splitlines() if " at 10,000: " in line]
    assert dedupe_verdicts and all(line.endswith("PASS") for line in dedupe_verdicts), done.stdout
