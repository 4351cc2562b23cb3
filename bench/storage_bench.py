"""Storage upserts through the repository, beside raw executemany of the same rows.

Targets (issue 4): 100k items through `Repository.upsert_items` at ≥ 20k rows/s on SQLite and
≥ 10k rows/s on PostgreSQL. The baseline, measured in the same run, is a raw `executemany`
INSERT of the same rows into a plain table with the same columns (sqlite3 / psycopg), so the
ratio says what the repository's lookups, content hashes, aliases, sightings and search index
cost (a new item writes no revision and no review row: see `Revision` in
aggregator/storage/values.py and `ensure_review` in aggregator/storage/reviews.py).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from aggregator.schema import Attachment, DocType, Item, Precision, Sighting
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository

PG_ADMIN = os.environ.get(
    "AGGREGATOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BATCH = 1000
SEEN = datetime(2024, 5, 31, 8, tzinfo=UTC)


def synthetic_items(count: int, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    words = ("child", "safeguarding", "online", "abuse", "guidance", "report", "neglect", "trauma")
    items = []
    for n in range(count):
        title = " ".join(rng.choice(words) for _ in range(6)).capitalize() + f" {n}"
        url = f"https://www.example.org/pub/{n}"
        items.append(
            Item(
                key=f"example.org/pub/{n}",
                source="bench",
                publisher="Example",
                title=title,
                url=url,
                summary=" ".join(rng.choice(words) for _ in range(30)),
                doc_type=DocType.REPORT,
                published=SEEN - timedelta(days=rng.randint(1, 900)),
                published_precision=Precision.DAY,
                attachments=[Attachment("Report", url + ".pdf", "application/pdf", 1000)],
                provenance=[Sighting("bench", "https://www.example.org/feed", SEEN)],
                aliases=[f"feed-guid:{n}"],
            )
        )
    return items


def rows(items: list[Item]) -> list[tuple[object, ...]]:
    return [
        (
            i.source,
            i.key,
            i.publisher,
            i.title,
            i.url,
            i.summary,
            i.doc_type.value,
            json.dumps(i.topics),
            json.dumps(i.nations),
            i.published.isoformat() if i.published else None,
            i.published_precision.value,
            json.dumps([a.__dict__ for a in i.attachments]),
        )
        for i in items
    ]


BASELINE_DDL = (
    "CREATE TABLE raw_items (id INTEGER PRIMARY KEY, source TEXT, key TEXT, publisher TEXT, "
    "title TEXT, url TEXT, summary TEXT, doc_type TEXT, topics TEXT, nations TEXT, "
    "published TEXT, published_precision TEXT, attachments TEXT, UNIQUE (source, key))"
)
BASELINE_INSERT = (
    "INSERT INTO raw_items (source, key, publisher, title, url, summary, doc_type, topics, "
    "nations, published, published_precision, attachments) VALUES ({})"
)


def through_repository(url: str, items: list[Item]) -> float:
    upgrade(url)
    repo = Repository.from_url(url)
    start = time.perf_counter()
    for i in range(0, len(items), BATCH):
        repo.upsert_items(items[i : i + BATCH], SEEN)
    elapsed = time.perf_counter() - start
    repo.close()
    return elapsed


def raw_sqlite(path: str, data: list[tuple[object, ...]]) -> float:
    conn = sqlite3.connect(path)
    conn.execute(BASELINE_DDL)
    sql = BASELINE_INSERT.format(",".join("?" * 12))
    start = time.perf_counter()
    for i in range(0, len(data), BATCH):
        with conn:
            conn.executemany(sql, data[i : i + BATCH])
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def raw_postgres(url: str, data: list[tuple[object, ...]]) -> float:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(BASELINE_DDL.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))
        conn.commit()
        sql = BASELINE_INSERT.format(",".join(["%s"] * 12))
        start = time.perf_counter()
        for i in range(0, len(data), BATCH):
            with conn.cursor() as cur:
                cur.executemany(sql, data[i : i + BATCH])
            conn.commit()
        return time.perf_counter() - start


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    name = f"agg_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def report(
    engine: str, count: int, repo_s: float, raw_s: float, target: int
) -> tuple[str, str, str, float, str, bool]:
    rate = count / repo_s
    verdict = "PASS" if rate >= target else "FAIL"
    print(
        f"  {engine:<10} {count:>7} items  repository {rate:>9,.0f} rows/s ({repo_s:6.2f} s)"
        f"  raw executemany {count / raw_s:>9,.0f} rows/s  ratio {raw_s / repo_s:5.2f}"
        f"  target ≥ {target:,} rows/s: {verdict}"
    )
    return (
        f"storage: upserts, rows/s ({engine})",
        f"{rate:,.0f}",
        f"raw executemany {count / raw_s:,.0f}",
        raw_s / repo_s,
        f"≥ {target:,} rows/s",
        rate >= target,
    )


def run(quick: bool = False) -> list[tuple[str, str, str, float, str, bool]]:
    count = 10_000 if quick else 100_000
    items = synthetic_items(count)
    data = rows(items)
    print(f"Storage upserts ({count:,} new items, batches of {BATCH}):")
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        repo_s = through_repository(f"sqlite:///{tmp}/bench.db", items)
        raw_s = raw_sqlite(f"{tmp}/raw.db", data)
        summary.append(report("SQLite", count, repo_s, raw_s, 20_000))
    try:
        with postgres_database() as url:
            repo_s = through_repository(url, items)
            raw_s = raw_postgres(url, data)
            summary.append(report("PostgreSQL", count, repo_s, raw_s, 10_000))
    except Exception as exc:  # no server: say so rather than fail the other figures
        print(f"  PostgreSQL skipped: {exc}")
    return summary


if __name__ == "__main__":
    run()
