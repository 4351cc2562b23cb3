"""Main text and draft summaries in the crawl (aggregator.drafting,
aggregator.storage.draft_summaries).

An item's main text is read in normalise, where the raw item's body is still at hand (it is
not a field of `Item`), and travels beside the item in a crawl-scoped `MainTextLedger`, like
its classification (pipelines/classify.py). The store pipeline, which alone learns the item's
id and whether it is new or changed, hands each batch to `DraftStep`:

- the batch's main texts are saved under the items' ids (an item whose page was not read this
  time, a listing entry or a feed fallback, brings none and keeps its stored text);
- an item is drafted only when it is new, updated or cosmetically changed, or has no draft yet
  (stored before drafts existed, or its draft failed): an unchanged item keeps its draft, so a
  routine crawl does no drafting work for what it has seen before. A changed item whose page
  was not read is drafted from its stored main text.
- the word limit is the editors' setting, read once per crawl.

Drafting is the one step here that runs code over publisher text with no schema to hold it to,
so an item whose draft fails is logged and counted (`aggregator/drafts_failed`) and left
without a draft (`aggregator drafts --missing` or the next crawl drafts it); the batch and the
crawl go on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Engine

from aggregator.schema import Item
from aggregator.storage.draft_summaries import DraftStore, build_draft
from aggregator.storage.repository import UpsertResult
from pipelines.classify import ItemLedger

logger = logging.getLogger(__name__)

STATS_PREFIX = "aggregator/drafts_"


class MainTextLedger(ItemLedger[str]):
    """Main texts of in-flight items (only non-empty ones are recorded)."""


def text_ledger(crawler: Crawler) -> MainTextLedger:
    """The main-text ledger of this crawl."""
    return MainTextLedger.of(crawler)


class DraftStep:
    """Saves a stored batch's main texts and drafts what needs a draft."""

    def __init__(self, engine: Engine, stats: StatsCollector) -> None:
        self.store = DraftStore(engine)
        self.stats = stats
        self._word_limit: int | None = None

    @property
    def word_limit(self) -> int:
        # Once per crawl: an editor changing it mid-crawl affects the next crawl, and every
        # batch of this one is drafted alike.
        if self._word_limit is None:
            self._word_limit = self.store.word_limit()
        return self._word_limit

    def after_upsert(
        self,
        items: Sequence[Item],
        results: Sequence[UpsertResult],
        texts: dict[int, str],
        at: datetime,
    ) -> None:
        """`items` were just stored as `results` (same order); `texts` are their main texts
        by item id (only the items whose page was read)."""
        self.store.save_texts(texts, at)
        unchanged = [r.item_id for r in results if r.outcome == "unchanged"]
        drafted = self.store.drafted(unchanged) if unchanged else set()
        todo: dict[int, Item] = {}
        for item, result in zip(items, results, strict=True):
            if result.outcome != "unchanged" or result.item_id not in drafted:
                todo[result.item_id] = item  # one item per id: the batch's last sighting
        if not todo:
            return
        without_text = [item_id for item_id in todo if item_id not in texts]
        stored_texts = self.store.main_texts(without_text) if without_text else {}
        made = {}
        for item_id, item in todo.items():
            text = texts.get(item_id) or stored_texts.get(item_id, "")
            try:
                made[item_id] = build_draft(item, text, self.word_limit)
            except Exception:  # noqa: BLE001 - one item's draft must not lose the batch
                logger.exception("draft failed for item %s (%s)", item_id, item.url)
                self.stats.inc_value(STATS_PREFIX + "failed")
        self.store.save_drafts(made, at)
        self.stats.inc_value(STATS_PREFIX + "made", len(made))
        flagged = sum(sensitivity.flagged for _, sensitivity in made.values())
        if flagged:
            self.stats.inc_value(STATS_PREFIX + "sensitive", flagged)
