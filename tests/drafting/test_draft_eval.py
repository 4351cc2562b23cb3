"""The draft-summary evaluation (bench/draft_eval.py): its parts, and a quick run that must pass.

The smoke test runs the evaluation in quick mode, as `python -m bench --quick` does, and
requires the drafts to beat the first-two-sentences baseline on ROUGE-1 and ROUGE-L.
"""

from __future__ import annotations

import pytest

from bench.draft_eval import BULLETIN, parse_bulletin, run, similarity

SAMPLE = """image representing news article News

Child sexual abuse

Source:\u00a0Example Foundation

Date: 30 May 2024

The Example Foundation has published a paper on prevention. It looks at what works.

Read the paper:\u00a0Preventing abuse: what works

image representing news article News

Free live webinar: Trauma in schools

The Council has developed a live webinar series for professionals.


Free live webinarTrauma in schools

Thursday May 16, 2024, 05:00 PM \u2013 06:30 PM BST

The event will explore trauma in schools.

> Read our earlier summary

Key points are:

  \u2022 one point
  \u2022 another point.

Book a free place via this link
"""


def test_parse_bulletin_finds_titles_sources_and_summaries() -> None:
    first, second = parse_bulletin(SAMPLE)
    assert first.source == "Example Foundation"
    assert "Preventing abuse: what works" in first.titles
    assert first.summary == (
        "The Example Foundation has published a paper on prevention. It looks at what works."
    )
    assert second.source is None
    assert "Free live webinar: Trauma in schools" in second.titles
    # The intro under the title and the date line are header; the callout is not quoted.
    assert second.summary == (
        "The event will explore trauma in schools. Key points are: one point another point."
    )


def test_similarity_is_dice_over_content_words() -> None:
    assert similarity("Child sexual abuse: mandatory reporting", "Mandatory reporting") == 4 / 7
    assert similarity("A report", "") == 0.0


@pytest.mark.skipif(not BULLETIN.exists(), reason=f"example bulletin not found at {BULLETIN}")
@pytest.mark.timeout(180)
def test_quick_evaluation_drafts_beat_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    rows = run(quick=True)
    out = capsys.readouterr().out
    by_name = {name.split(",")[0]: row for row in rows for name in [row[0]]}
    rouge1 = by_name["draft_eval: ROUGE-1 F"]
    rougel = by_name["draft_eval: ROUGE-L F"]
    assert rouge1[5] is True, out
    assert rougel[5] is True, out
    assert float(rouge1[1]) > float(rouge1[2]) and float(rougel[1]) > float(rougel[2])
    assert "n=6" in rouge1[0], out  # every bulletin entry found its fixture item
    assert "PASS" in out
    assert by_name["draft_eval: draft words mean / max"][5] is True
    # issue 21: no draft of the fixture corpus still speaks as the publisher
    person = by_name["draft_eval: first-person sentences left"]
    assert person[1] == "0" and person[5] is True, out
