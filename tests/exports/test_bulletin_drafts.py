"""Draft summaries in the exports: a bulletin shows the editor's text, else the machine draft,
else the publisher's description; the public feeds and data files never show a draft; drafts
are read a batch at a time while the export streams."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from aggregator.classify.sensitive import Sensitivity
from aggregator.drafting import Draft
from aggregator.exports import run
from aggregator.exports.bulletin import DRAFT_LABEL, bulletin_summary, shown_summary
from aggregator.exports.run import ExportOptions, export, selection_for
from aggregator.review.bulletins import BulletinComposer
from aggregator.storage.draft_summaries import DraftStore
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from tests.exports.conftest import APPROVED_AT, EDITOR, export_text

EDITED = "Guidance to help frontline practitioners talk with parents"  # item 5's edit
DESCRIPTION_3 = "Research with pupils aged 11 to 13"  # item 3's own summary, never drafted


def draft_of(text: str) -> tuple[Draft, Sensitivity]:
    draft = Draft(
        text=text,
        opening=text,
        sentences=(),
        word_limit=90,
        words=len(text.split()),
        hit_limit=False,
    )
    return draft, Sensitivity(flagged=False, reasons=(), evidence=())


def drafted(repository: Repository, ids: list[int]) -> dict[int, str]:
    """Drafts for items 1, 2 and 5 (item 5 has an editor's summary as well)."""
    texts = {
        ids[0]: "The Home Office has published its response to the consultation on mandatory "
        "reporting.",
        ids[1]: "The Lucy Faithfull Foundation has published a paper on pornography.",
        ids[4]: "DRAFT that must lose to the editor's text.",
    }
    DraftStore(repository.engine).save_drafts(
        {item_id: draft_of(text) for item_id, text in texts.items()}, APPROVED_AT
    )
    return texts


@contextmanager
def draft_reads(repository: Repository) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"\bFROM drafts\b", statement):
            seen.append(statement)

    event.listen(repository.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(repository.engine, "before_cursor_execute", note)


def test_the_rule() -> None:
    assert bulletin_summary("Editor.", "Draft.", "Publisher.") == "Editor."
    assert bulletin_summary(None, "Draft.", "Publisher.") == "Draft."
    assert bulletin_summary("  ", "Draft.", "Publisher.") == "Draft."  # an emptied edit
    assert bulletin_summary(None, None, "Publisher.") == "Publisher."
    assert bulletin_summary("", "", "Publisher.") == "Publisher."


@pytest.mark.parametrize("fmt", ["markdown", "text", "html"])
def test_bulletins_take_the_editors_text_else_the_draft_else_the_description(
    fmt: str, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, ids = stored
    texts = drafted(repository, ids)
    out = " ".join(export_text(repository, fmt, tmp_path).split())  # unwrap the text format
    assert f"{DRAFT_LABEL} {texts[ids[0]]}" in out and f"{DRAFT_LABEL} {texts[ids[1]]}" in out
    assert "Ministers set out how a new legal duty" not in out  # item 1's own, replaced
    assert EDITED in out and texts[ids[4]] not in out  # the editor's text beats the draft
    assert DESCRIPTION_3 in out  # no draft: the publisher's description


@pytest.mark.parametrize("fmt", ["atom", "rss", "csv"])
def test_feeds_and_csv_never_carry_a_draft(
    fmt: str, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, ids = stored
    texts = drafted(repository, ids)
    out = export_text(repository, fmt, tmp_path)
    assert not any(text in out for text in texts.values())
    assert "Ministers set out how a new legal duty" in out


@pytest.mark.parametrize("fmt", ["jsonfeed", "jsonl"])
def test_json_carries_the_draft_only_marked_as_one(
    fmt: str, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    """Tools reading JSON get the machine draft, in its own `draft` object marked
    `machine_written` (and whether an editor checked it), never as the item's summary."""
    repository, ids = stored
    texts = drafted(repository, ids)
    out = export_text(repository, fmt, tmp_path)
    if fmt == "jsonl":
        records = [json.loads(line) for line in out.splitlines() if line.strip()]
    else:
        records = [{**entry, **entry["_aggregator"]} for entry in json.loads(out)["items"]]
    drafts = [r["draft"] for r in records if r.get("draft")]
    assert drafts and all(d["machine_written"] is True for d in drafts)
    assert {d["text"] for d in drafts} <= set(texts.values())
    summaries = " ".join(
        str(r.get("summary", "")) + str(r.get("content_text", "")) for r in records
    )
    assert not any(text in summaries for text in texts.values())
    assert "Ministers set out how a new legal duty" in out


def test_drafts_are_read_a_batch_at_a_time(
    stored: tuple[Repository, list[int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository, ids = stored
    drafted(repository, ids)
    monkeypatch.setattr(run, "DRAFT_BATCH", 2)
    selection = selection_for(repository, ExportSelection(), "markdown", None)
    with draft_reads(repository) as seen:
        result = export(
            repository, selection, ExportOptions(format="markdown"), tmp_path / "out.md"
        )
    assert result.count == 7
    assert len(seen) == math.ceil(result.count / 2)


def test_a_stored_bulletins_own_edit_beats_the_draft(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, ids = stored
    texts = drafted(repository, ids)
    bulletins = BulletinComposer(repository)
    bulletin_id = bulletins.create(
        "Week", date(2024, 5, 27), date(2024, 6, 2), actor=EDITOR, at=APPROVED_AT
    )
    bulletins.set_summary(bulletin_id, ids[1], "Composer's words for the paper.")
    selection = selection_for(repository, ExportSelection(), "markdown", bulletin_id)
    out = tmp_path / "bulletin.md"
    export(repository, selection, ExportOptions(format="markdown"), out)
    text = out.read_text(encoding="utf-8")
    assert "Composer's words for the paper." in text and texts[ids[1]] not in text
    assert texts[ids[0]] in text and EDITED in text
    # the composer's own preview agrees with the export
    entries = bulletins.entries(bulletins.require(bulletin_id))
    assert {e.item_id: e.summary for e in entries}[ids[0]] == texts[ids[0]]


def test_what_a_bulletin_prints() -> None:
    """The publish checklist's rule: an editor's text as it is; an unchecked draft labelled,
    or replaced by the publisher's description; a sensitive draft never unchecked."""
    assert shown_summary("Editor.", "Draft.", "Publisher.") == "Editor."
    assert shown_summary("Editor.", "Draft.", "Publisher.", sensitive=True) == "Editor."
    assert shown_summary(None, "Draft.", "Publisher.") == f"{DRAFT_LABEL} Draft."
    assert shown_summary(None, "Draft.", "Publisher.", unchecked="publisher") == "Publisher."
    assert shown_summary(None, "Draft.", "Publisher.", sensitive=True) == "Publisher."
    assert shown_summary("  ", None, "Publisher.") == "Publisher."


@pytest.mark.parametrize("fmt", ["markdown", "text", "html"])
def test_drafts_can_give_way_to_the_publishers_description(
    fmt: str, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, ids = stored
    texts = drafted(repository, ids)
    out = " ".join(export_text(repository, fmt, tmp_path, unchecked_drafts="publisher").split())
    assert DRAFT_LABEL not in out and not any(text in out for text in texts.values())
    assert "Ministers set out how a new legal duty" in out  # item 1's own description
    assert EDITED in out


@pytest.mark.parametrize("fmt", ["markdown", "text", "html"])
def test_a_sensitive_draft_never_goes_out_unchecked(
    fmt: str, stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    repository, ids = stored
    text = "A machine draft that repeats the details of a child's death."
    draft, _plain = draft_of(text)
    flagged = Sensitivity(flagged=True, reasons=("child death",), evidence=("death",))
    DraftStore(repository.engine).save_drafts({ids[0]: (draft, flagged)}, APPROVED_AT)
    out = " ".join(export_text(repository, fmt, tmp_path).split())
    assert text not in out
    assert "Ministers set out how a new legal duty" in out


def test_each_bulletin_chooses_how_unchecked_drafts_go_out(
    stored: tuple[Repository, list[int]], tmp_path: Path
) -> None:
    """The composer's switch: the preview, a draft bulletin's export and what publishing
    freezes all follow it."""
    repository, ids = stored
    texts = drafted(repository, ids)
    composer = BulletinComposer(repository)
    bulletin_id = composer.create(
        "Week", date(2024, 5, 27), date(2024, 6, 2), actor=EDITOR, at=APPROVED_AT
    )

    def preview() -> str:
        html, markdown = composer.render(
            composer.require(bulletin_id), composer.entries(composer.require(bulletin_id))
        )
        return markdown

    assert f"{DRAFT_LABEL} {texts[ids[0]]}" in preview()
    composer.set_unchecked_drafts(bulletin_id, "publisher")
    assert texts[ids[0]] not in preview() and DRAFT_LABEL not in preview()
    points = composer.checklist(composer.entries(composer.require(bulletin_id)), None)
    assert not [point for point in points if point.kind == "draft"]  # no draft goes out
    with pytest.raises(ValueError, match="unknown choice"):
        composer.set_unchecked_drafts(bulletin_id, "hide")
    composer.publish(
        bulletin_id, at=APPROVED_AT, actor=EDITOR, confirm_open=True, base_url="https://x.org"
    )
    frozen = composer.revisions(bulletin_id)[-1].renderings
    for fmt in ("html", "markdown", "text"):
        assert texts[ids[0]] not in frozen[fmt] and DRAFT_LABEL not in frozen[fmt]
