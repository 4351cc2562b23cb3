"""Synthetic fixtures are written in the publisher's voice and never copy the example bulletin.

Later draft summaries are compared with bulletin text; a fixture that already holds the
bulletin's sentences would let them grade themselves.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR

SHARED = Path(__file__).resolve().parents[3] / "shared"
BULLETIN = SHARED / "examples" / "bulletin-2024-05.txt"
# Text that sources.md records as the publisher's own (real titles, standfirsts, date lines)
# is a fact about the real page, not the bulletin's prose, and fixtures may carry it.
REAL_TEXT = SHARED / "sources.md"
MIN_WORDS = 8


def words(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-")
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def bulletin_sentences() -> list[str]:
    text = BULLETIN.read_text(encoding="utf-8")
    sentences = re.split(r"(?<=[.!?])\s+|\n", text)
    real = words(REAL_TEXT.read_text(encoding="utf-8")) if REAL_TEXT.exists() else ""
    return [
        w for w in (words(s) for s in sentences) if len(w.split()) >= MIN_WORDS and w not in real
    ]


def fixture_files() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES_DIR.rglob("*")
        if p.is_file()
        and p.suffix in (".html", ".xml", ".json", ".atom", ".htm")
        and not p.name.endswith(".expected.json")
    )


@pytest.mark.skipif(not BULLETIN.exists(), reason=f"example bulletin not found at {BULLETIN}")
def test_no_fixture_copies_a_sentence_of_the_example_bulletin() -> None:
    sentences = bulletin_sentences()
    assert len(sentences) > 20
    copied = []
    for path in fixture_files():
        text = words(path.read_text(encoding="utf-8", errors="replace"))
        copied += [f"{path.relative_to(FIXTURES_DIR)}: {s[:60]}…" for s in sentences if s in text]
    assert not copied, "fixtures copy the example bulletin:\n" + "\n".join(copied)
