"""Every attack of the suite has tests, and every test named for it exists
(tests/hostile/attack_suite.py). The names are checked against pytest's own collection of the
files they name, so a renamed test or a dropped case fails here."""

from __future__ import annotations

import subprocess
import sys

from tests.crawling import ROOT
from tests.hostile.attack_suite import ATTACKS

SUITE_SIZE = 38


def collected(paths: list[str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {line.strip() for line in result.stdout.splitlines() if "::" in line}


def test_every_attack_has_a_test_that_exists() -> None:
    assert sorted(ATTACKS) == list(range(1, SUITE_SIZE + 1))
    named = {test for _, tests in ATTACKS.values() for test in tests}
    assert all(tests for _, tests in ATTACKS.values())
    files = sorted({test.split("::")[0] for test in named})
    nodes = collected(files)
    functions = {node.split("[")[0] for node in nodes}
    missing = sorted(
        test
        for test in named
        if not (
            test in nodes
            or test in functions
            or ("::" not in test and any(n.startswith(f"{test}::") for n in nodes))
            or any(n.startswith(f"{test}[") for n in nodes)  # every case of a parametrised test
        )
    )
    assert not missing, missing
