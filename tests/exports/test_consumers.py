"""Incremental delivery: a consumer polled after each round of approvals gets every approved
item exactly once, including items approved late; dry runs and failed writes record nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aggregator.exports.run import ExportOptions, export
from aggregator.storage.exporting import ExportRow, ExportSelection, delivered_ids
from aggregator.storage.repository import Repository
from tests.exports.conftest import SEEN, page

DAY = timedelta(days=1)


def crawl(repository: Repository, numbers: range, at: datetime) -> dict[int, int]:
    """Store items numbered `numbers`; their ids by number."""
    items = [page(key=f"pub/{n}", url=f"https://www.gov.uk/pub/{n}") for n in numbers]
    results = repository.upsert_items(items, at)
    return {n: result.item_id for n, result in zip(numbers, results, strict=True)}


def poll(repository: Repository, consumer: str, out: Path, *, dry_run: bool = False) -> list[int]:
    """One daily run of `aggregator export --format jsonl --consumer NAME -o out`."""
    selection = ExportSelection(consumer=consumer)
    export(repository, selection, ExportOptions(format="jsonl"), out, dry_run=dry_run)
    return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]


def test_three_runs_with_approvals_between_deliver_each_item_exactly_once(
    repo: Repository, tmp_path: Path
) -> None:
    out = tmp_path / "delivery.jsonl"
    day1 = SEEN
    ids = crawl(repo, range(0, 6), day1)
    for n in (1, 2, 4):
        repo.review(ids[n], "approve", at=day1)
    run1 = poll(repo, "mailer", out)
    assert run1 == [ids[1], ids[2], ids[4]]

    # day 2: a new crawl; item 0 (older than everything sent) is approved late, 5 and 6 too
    day2 = day1 + DAY
    ids |= crawl(repo, range(6, 9), day2)
    for n in (0, 5, 6):
        repo.review(ids[n], "approve", at=day2)
    repo.review(ids[3], "reject", at=day2, reason="out of scope")
    # a dry run shows what would go, and changes nothing
    assert poll(repo, "mailer", out, dry_run=True) == [ids[0], ids[5], ids[6]]
    assert delivered_ids(repo, "mailer") == {ids[1], ids[2], ids[4]}
    run2 = poll(repo, "mailer", out)
    assert run2 == [ids[0], ids[5], ids[6]]

    # day 3: one more approval, an already-sent item edited and updated upstream
    day3 = day2 + DAY
    repo.review(ids[8], "approve", at=day3)
    repo.edit(ids[1], at=day3, title="A better title")
    repo.upsert_items([page(key="pub/2", url="https://www.gov.uk/pub/2", title="New")], day3)
    run3 = poll(repo, "mailer", out)
    assert run3 == [ids[8]]

    sent = run1 + run2 + run3
    approved = {ids[n] for n in (0, 1, 2, 4, 5, 6, 8)}
    assert len(sent) == len(set(sent))  # nothing twice
    assert set(sent) == approved  # nothing missed
    assert delivered_ids(repo, "mailer") == approved
    # another consumer is independent and starts with everything approved
    assert sorted(poll(repo, "archive", out)) == sorted(approved)
    assert poll(repo, "mailer", out) == []


def test_a_failed_write_records_nothing_and_the_next_run_resends(
    repo: Repository, tmp_path: Path
) -> None:
    ids = crawl(repo, range(3), SEEN)
    for item_id in ids.values():
        repo.review(item_id, "approve", at=SEEN)
    with pytest.raises(OSError, match="cannot write"):
        poll(repo, "mailer", tmp_path / "missing-folder" / "out.jsonl")
    assert delivered_ids(repo, "mailer") == set()
    assert poll(repo, "mailer", tmp_path / "out.jsonl") == sorted(ids.values())


def test_a_writer_failing_part_way_leaves_no_file_and_records_nothing(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = crawl(repo, range(3), SEEN)
    for item_id in ids.values():
        repo.review(item_id, "approve", at=SEEN)
    from aggregator.exports import files

    real = files.jsonl_record

    def flaky(row: ExportRow) -> dict[str, object]:
        if row.id == ids[2]:
            raise RuntimeError("disk full")
        return real(row)

    monkeypatch.setattr(files, "jsonl_record", flaky)
    out = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        poll(repo, "mailer", out)
    assert not out.exists()
    assert not [path for path in tmp_path.iterdir() if "out.jsonl" in path.name]  # no temp left
    assert delivered_ids(repo, "mailer") == set()
    monkeypatch.setattr(files, "jsonl_record", real)
    assert poll(repo, "mailer", out) == sorted(ids.values())
