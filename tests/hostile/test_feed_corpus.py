"""feedparser's own test corpus through the feed adapter: no crash, no hang, bounded memory.

The corpus is the feedparser 6.0.14 sdist from PyPI, vendored unmodified in
tests/data/feedparser-corpus/ (BSD 2-clause; source, checksum and licence in its README) and
checked against its sha256 before use: nothing is downloaded at test time and nothing skips.
All files run in one subprocess (tests/hostile/corpus_run.py).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import prewarmed

ROOT = Path(__file__).resolve().parents[2]
VERSION = "6.0.14"
ARCHIVE = ROOT / "tests" / "data" / "feedparser-corpus" / f"feedparser-{VERSION}.tar.gz"
# The sha256 PyPI lists for feedparser-6.0.14.tar.gz.
SHA256 = "088679b0c4b543ee211a820dd544698c76a402122eae7473c04a43425f283d06"
PEAK_LIMIT_MB = 300


def sdist() -> Path:
    """The vendored archive, once its bytes are the pinned ones."""
    assert ARCHIVE.exists(), f"{ARCHIVE} is missing: it is vendored, restore it from git"
    digest = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()
    assert digest == SHA256, f"{ARCHIVE.name}: sha256 {digest}, pinned {SHA256}"
    return ARCHIVE


def test_the_vendored_corpus_is_the_pinned_release() -> None:
    assert sdist() == ARCHIVE
    licence = ARCHIVE.with_name("LICENSE").read_text(encoding="utf-8")
    assert "Redistribution and use in source and binary forms" in licence


@pytest.fixture(scope="module")
def corpus() -> dict[str, Any]:
    archive = sdist()
    result = prewarmed.run(
        [sys.executable, "-m", "tests.hostile.corpus_run", str(archive)],
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
