"""The store step (pipelines/store.py), on SQLite and PostgreSQL: one item the database refuses
never costs the others. The batch is stored again in halves down to the item, the refused
item is an error of the run with its URL, and the failure is counted so the crawl's
conditional-GET state is not saved (aggregator/fetch/conditional.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.utils.test import get_crawler

from aggregator.fetch.spider_loader import spider_class
from aggregator.schema import DocType, Item, Sighting
from aggregator.storage.repository import Repository
from pipelines.store import STORE_FAILURES, StorePipeline

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
# A NUL byte (PostgreSQL refuses it in text) and a lone surrogate (no UTF-8 encoding: SQLite's
# driver refuses it): normalisation removes both, so only an item that bypassed it has them.
UNSTORABLE = "Neglect\x00 strategy \ud800"


def make_item(n: int, title: str | None = None) -> Item:
    url = f"https://learning.nspcc.org.uk/research-resources/2024/report-{n}"
    return Item(
        key=f"learning.nspcc.org.uk/research-resources/2024/report-{n}",
        source="nspcc",
        publisher="NSPCC",
        title=title or f"Neglect in the early years, part {n}",
        url=url,
        summary="A report on neglect.",
        doc_type=DocType.REPORT,
        published=T0,
        provenance=[Sighting("nspcc", url, T0)],
    )


def pipeline(db_url: str) -> tuple[StorePipeline, Any]:
    crawler = get_crawler(spider_class("nspcc"), {"AGGREGATOR_DATABASE_URL": db_url})
    crawler._apply_settings()
    spider = crawler._create_spider()
    crawler.spider = spider
    return StorePipeline.from_crawler(crawler), spider


def test_one_refused_item_costs_no_other(repo: Repository, db_url: str) -> None:
    store, spider = pipeline(db_url)
    items = [make_item(n) for n in range(9)]
    items.insert(5, make_item(99, title=UNSTORABLE))
    for item in items:
        store.process_item(item)
    store.close_spider()

    stored = set(repo.keys("nspcc"))
    assert stored == {item.key for item in items if item.title != UNSTORABLE}
    failures = [e for e in spider.errors if e["message"].startswith("store failed")]
    assert [e["url"] for e in failures] == [items[5].url]
    assert store.crawler.stats.get_value(STORE_FAILURES) == 1
    assert store.crawler.stats.get_value("aggregator/items_new") == 9


def test_a_clean_batch_records_no_failure(repo: Repository, db_url: str) -> None:
    store, spider = pipeline(db_url)
    for n in range(3):
        store.process_item(make_item(n))
    store.close_spider()
    assert len(repo.keys("nspcc")) == 3
    assert not spider.errors
    assert store.crawler.stats.get_value(STORE_FAILURES) is None
