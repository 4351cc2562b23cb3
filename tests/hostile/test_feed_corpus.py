"""feedparser's own test corpus through the feed adapter: no crash, no hang, bounded memory.

The corpus is the feedparser sdist from PyPI (the installed version), downloaded once into
.cache/feedparser-corpus/ (git-ignored) with pip; the test is skipped, saying why, only when
that download fails. All files run in one subprocess (tests/hostile/corpus_run.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "feedparser-corpus"
PEAK_LIMIT_MB = 300


def sdist() -> Path:
    wanted = version("feedparser")
    found = sorted(CACHE.glob(f"feedparser-{wanted}.tar.gz"))
    if found:
        return found[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                "--disable-pip-version-check", "-q", f"feedparser=={wanted}", "-d", str(CACHE),
            ],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not download the feedparser {wanted} sdist: {exc}")
    found = sorted(CACHE.glob(f"feedparser-{wanted}.tar.gz"))
    if result.returncode != 0 or not found:
        pytest.skip(
            f"could not download the feedparser {wanted} sdist from PyPI: "
            f"{(result.stderr or result.stdout).strip()[-500:]}"
        )
    return found[0]


@pytest.fixture(scope="module")
def corpus() -> dict[str, Any]:
    archive = sdist()
    result = subprocess.run(
        [sys.executable, "-m", "tests.hostile.corpus_run", str(archive)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_every_corpus_file_gives_items_or_a_reason(corpus: dict[str, Any]) -> None:
    files: dict[str, dict[str, Any]] = corpus["files"]
    by_status: dict[str, list[str]] = {}
    for name, result in files.items():
        by_status.setdefault(result["status"], []).append(name)
    slowest = sorted(files.items(), key=lambda kv: -kv[1]["seconds"])[:10]
    print(
        f"\nfeedparser corpus: {len(files)} files read; "
        + ", ".join(f"{status} {len(names)}" for status, names in sorted(by_status.items()))
        + f"; peak RSS {corpus['peak_kb'] / 1024:.0f} MB\nslowest:"
    )
    for name, result in slowest:
        print(f"  {result['seconds'] * 1000:7.1f} ms  {result['bytes']:>8} B  {name}")

    assert len(files) > 2000
    assert by_status.get("hang", []) == []
    errors = {n: files[n]["reason"] for n in by_status.get("error", [])}
    assert errors == {}
    assert by_status.get("items")
    for name in by_status.get("invalid", []):
        assert files[name]["reason"], name


def test_corpus_run_stays_under_300_mb(corpus: dict[str, Any]) -> None:
    assert corpus["peak_kb"] / 1024 < PEAK_LIMIT_MB


def test_the_xml_attacks_in_the_corpus_are_refused(corpus: dict[str, Any]) -> None:
    """feedparser's own entity tests that declare entities are refused by the screen."""
    files: dict[str, dict[str, Any]] = corpus["files"]
    refused = [n for n, r in files.items() if "declares entities" in r.get("reason", "")]
    assert refused
