"""Incremental delivery: a consumer polled after each round of approvals gets every approved
item exactly once, including items approved late; dry runs and failed writes record nothing."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from aggregator.exports import run as run_module
from aggregator.exports.run import ExportOptions, export
from aggregator.storage.export_consumers import (
    CONSUMER_LEASE,
    ConsumerBusyError,
    delivered_ids,
    take_consumer_lease,
)
from aggregator.storage.exports import ExportRow, ExportSelection
from aggregator.storage.repository import Repository
from aggregator.storage.tables import EXPORT_CONSUMERS as _CONSUMERS
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


# --- one export per consumer at a time (the consumer's lease) -------------------------------


def _lease_row(repository: Repository, consumer: str) -> tuple[str | None, datetime | None]:
    with repository.engine.connect() as conn:
        row = conn.execute(
            select(_CONSUMERS.c.lease_owner, _CONSUMERS.c.lease_until).where(
                _CONSUMERS.c.name == consumer
            )
        ).one()
    return row[0], row[1]


def _approved(repository: Repository, count: int) -> list[int]:
    ids = crawl(repository, range(count), SEEN)
    for item_id in ids.values():
        repository.review(item_id, "approve", at=SEEN)
    return sorted(ids.values())


def test_a_second_export_to_the_same_consumer_stops_while_the_first_runs(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _approved(repo, 3)
    from aggregator.exports import files

    real = files.jsonl_record
    meanwhile: list[object] = []

    def start_another_export(row: ExportRow) -> dict[str, object]:
        if not meanwhile:  # while the first export streams its first row
            try:
                poll(repo, "mailer", tmp_path / "second.jsonl")
            except ConsumerBusyError as busy:
                meanwhile.append(busy)
            meanwhile.append(poll(repo, "mailer", tmp_path / "dry.jsonl", dry_run=True))
            meanwhile.append(poll(repo, "archive", tmp_path / "archive.jsonl"))
        return real(row)

    monkeypatch.setattr(files, "jsonl_record", start_another_export)
    assert poll(repo, "mailer", tmp_path / "first.jsonl") == ids
    busy, dry, archive = meanwhile
    assert isinstance(busy, ConsumerBusyError)
    assert "another export to consumer 'mailer' is running" in str(busy)
    assert not (tmp_path / "second.jsonl").exists()
    assert dry == ids  # a dry run takes no lease
    assert archive == ids  # another consumer is not held up
    assert delivered_ids(repo, "mailer") == set(ids)
    assert _lease_row(repo, "mailer") == (None, None)  # released at the end
    monkeypatch.setattr(files, "jsonl_record", real)
    assert poll(repo, "mailer", tmp_path / "later.jsonl") == []


def test_exports_racing_in_two_threads_send_each_item_once(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _approved(repo, 6)
    from aggregator.exports import files

    real = files.jsonl_record

    def slow(row: ExportRow) -> dict[str, object]:
        time.sleep(0.05)  # both exports are under way at once
        return real(row)

    monkeypatch.setattr(files, "jsonl_record", slow)
    start = threading.Barrier(2)

    def one_export(n: int) -> list[int] | ConsumerBusyError:
        start.wait()
        try:
            return poll(repo, "mailer", tmp_path / f"out-{n}.jsonl")
        except ConsumerBusyError as busy:
            return busy

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(one_export, range(2)))
    sent = [outcome for outcome in outcomes if isinstance(outcome, list)]
    assert sent == [ids]
    assert sum(isinstance(outcome, ConsumerBusyError) for outcome in outcomes) == 1
    assert delivered_ids(repo, "mailer") == set(ids)


def test_a_killed_exports_lease_expires(repo: Repository, tmp_path: Path) -> None:
    ids = _approved(repo, 2)
    now = datetime.now(UTC)
    take_consumer_lease(repo, "mailer", "killed-export", now - CONSUMER_LEASE - DAY)
    assert poll(repo, "mailer", tmp_path / "out.jsonl") == ids  # long expired: taken over

    take_consumer_lease(repo, "mailer", "running-export", now)
    with pytest.raises(ConsumerBusyError, match=r"its lease runs to \d{4}-\d\d-\d\d"):
        poll(repo, "mailer", tmp_path / "out.jsonl")
    assert _lease_row(repo, "mailer")[0] == "running-export"  # not taken from its holder


def test_a_failed_export_releases_its_lease(repo: Repository, tmp_path: Path) -> None:
    ids = _approved(repo, 2)
    with pytest.raises(OSError, match="cannot write"):
        poll(repo, "mailer", tmp_path / "missing-folder" / "out.jsonl")
    assert _lease_row(repo, "mailer") == (None, None)
    assert poll(repo, "mailer", tmp_path / "out.jsonl") == ids


def test_a_long_export_renews_its_lease_and_stops_if_it_lost_it(
    repo: Repository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _approved(repo, 3)
    monkeypatch.setattr(run_module, "CONSUMER_LEASE_RENEWAL", timedelta(0))  # every row
    seen: list[datetime | None] = []
    real = run_module.renew_consumer_lease

    def renew(repository: Repository, consumer: str, owner: str, until: datetime) -> bool:
        renewed = real(repository, consumer, owner, until)
        seen.append(_lease_row(repository, consumer)[1])
        return renewed

    monkeypatch.setattr(run_module, "renew_consumer_lease", renew)
    assert poll(repo, "mailer", tmp_path / "out.jsonl") == ids
    assert len(seen) == 3 and all(until is not None for until in seen)
    assert seen == sorted(seen)  # moved forward (or kept) at every row

    _approved_later = crawl(repo, range(3, 5), SEEN)
    for item_id in _approved_later.values():
        repo.review(item_id, "approve", at=SEEN)
    monkeypatch.setattr(run_module, "renew_consumer_lease", lambda *args: False)
    out = tmp_path / "lost.jsonl"
    with pytest.raises(ConsumerBusyError, match="lost its lease"):
        poll(repo, "mailer", out)
    assert not out.exists()
    assert delivered_ids(repo, "mailer") == set(ids)  # nothing recorded for the lost run
