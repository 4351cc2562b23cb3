"""Classification reads each field up to a cap, and says so in the evidence (issue 20)."""

from __future__ import annotations

from aggregator.classify.bounds import MAX_FIELD_CHARS, bounded
from aggregator.classify.rules import classify_item
from aggregator.classify.sensitive import assess_sensitivity
from tests.classify.items import make

FILLER = "The council published its budget for roads and libraries. "


def _filler(size: int) -> str:
    return (FILLER * (size // len(FILLER) + 1))[:size]


def test_a_short_text_is_read_whole() -> None:
    assert bounded("child protection") == ("child protection", False)
    text = "x " * (MAX_FIELD_CHARS // 2)
    assert bounded(text) == (text, False)


def test_a_long_text_is_cut_at_the_last_space_before_the_cap() -> None:
    text = "a" * 7 + " children"
    assert bounded(text, cap=12) == ("a" * 7, True)  # never "child", a phrase of its own
    assert bounded("abc def ghi", cap=7) == ("abc def", True)  # a space right at the cap


def test_one_word_longer_than_the_cap_is_cut_where_the_cap_falls() -> None:
    assert bounded("x" * 1000, cap=300) == ("x" * 300, True)


def test_an_ordinary_item_has_no_truncated_evidence() -> None:
    result = classify_item(make("Child protection guidance"), body_text=_filler(5_000))
    assert result.truncated == {}
    assert "truncated" not in result.evidence()


def test_a_cut_field_is_named_with_the_cap_in_the_evidence() -> None:
    item = make("Roads budget", _filler(MAX_FIELD_CHARS + 500))
    result = classify_item(item, body_text=_filler(MAX_FIELD_CHARS * 3))
    assert result.truncated == {"summary": MAX_FIELD_CHARS, "body": MAX_FIELD_CHARS}
    assert result.to_json()["evidence"]["truncated"] == {
        "summary": MAX_FIELD_CHARS,
        "body": MAX_FIELD_CHARS,
    }


def test_a_phrase_past_the_cap_is_not_read() -> None:
    body = _filler(MAX_FIELD_CHARS) + " child sexual abuse and child protection."
    read = classify_item(make("Roads budget"), body_text=body)
    assert read.truncated == {"body": MAX_FIELD_CHARS}
    assert all(e["field"] != "body" for e in read.relevance_evidence)
    within = classify_item(make("Roads budget"), body_text=body[-60:])
    assert any(e["field"] == "body" for e in within.relevance_evidence)


def test_sensitivity_reads_the_same_cap() -> None:
    tail = " This serious case review follows the death of a child."
    assert assess_sensitivity(make("Roads budget", tail), "").flagged
    assert not assess_sensitivity(make("Roads budget", _filler(MAX_FIELD_CHARS) + tail), "").flagged
