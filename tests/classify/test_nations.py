"""UK nations: the publisher's applicability first, else text cues in the title and summary."""

from __future__ import annotations

import pytest

from aggregator.classify.nations import decide_nations, nations


@pytest.mark.parametrize(
    ("hints", "title", "summary", "expected", "field"),
    [
        (["England"], "Guidance", "", ["England"], "applicability"),
        (["England", "Wales"], "Guidance", "", ["England", "Wales"], "applicability"),
        (
            ["England", "Wales", "Scotland", "Northern Ireland"],
            "Guidance",
            "",
            ["UK-wide"],
            "applicability",
        ),
        # applicability wins over text
        (["Scotland"], "Guidance in England", "", ["Scotland"], "applicability"),
        ([], "Guidance", "For schools in England.", ["England"], "summary"),
        ([], "Welsh Government guidance", "", ["Wales"], "title"),
        ([], "Stop It Now Scotland launches campaign", "", ["Scotland"], "title"),
        ([], "New Scottish guidance", "", ["Scotland"], "title"),
        ([], "Safeguarding in Northern Ireland", "", ["Northern Ireland"], "title"),
        ([], "Guidance", "Police forces in England and Wales.", ["England", "Wales"], "summary"),
        ([], "Child protection statistics", "Data from across the UK.", ["UK-wide"], "summary"),
        ([], "A UK-wide campaign", "", ["UK-wide"], "title"),
        ([], "Border operations in the English Channel", "", [], None),
    ],
)
def test_nations(
    hints: list[str], title: str, summary: str, expected: list[str], field: str | None
) -> None:
    found, evidence = decide_nations(hints, title, summary)
    assert found == expected
    if field:
        assert evidence and evidence[0]["field"] == field
    else:
        assert evidence == []


def test_nations_keeps_its_old_contract() -> None:
    assert nations(["England", "Wales"]) == ["England", "Wales"]
    assert nations(["England", "Wales", "Scotland", "Northern Ireland"]) == ["UK-wide"]
    assert nations([]) == []
