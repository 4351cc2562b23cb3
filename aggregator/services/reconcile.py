"""Channel reconciliation: what a source's fallback channels find that its primary missed.

The fallback channels are crawled on their own into a scratch database, and their keys are
compared with what the primary has stored. Run it now and then (`aggregator reconcile`): a
primary that quietly drops a category (a feed that omits a post type, a search filter that
excludes a document type) shows up here long before an editor notices.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.fetch.process import run_crawl
from aggregator.services.crawl import serving_fixtures, with_fixtures
from aggregator.sources import REGISTRY
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository


@dataclass(frozen=True)
class Missed:
    source: str
    key: str
    url: str
    title: str


def reconcile_sources(
    slugs: Sequence[str], url: str, *, fixtures: bool = False
) -> dict[str, list[Missed]]:
    """`reconcile`, live or (with `fixtures`) from the bundled fixtures of those of `slugs`
    that have them."""
    if not fixtures:
        return reconcile(slugs, url)
    chosen, _ = with_fixtures(slugs)
    with serving_fixtures(chosen) as base_url:
        return reconcile(chosen, url, fixture_server=base_url)


def reconcile(
    slugs: Sequence[str], url: str, *, fixture_server: str | None = None
) -> dict[str, list[Missed]]:
    """For each source with fallback channels: items those channels list that `url` lacks."""
    with_fallbacks = [s for s in slugs if any(c.role == "fallback" for c in REGISTRY[s].channels)]
    if not with_fallbacks:
        return {}
    stored = Repository.from_url(url)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = f"sqlite:///{tmp}/reconcile.db"
        upgrade(scratch)
        run_crawl(
            with_fallbacks,
            scratch,
            fixture_server=fixture_server,
            spider_args={"channels": "fallback"},
        )
        found = Repository.from_url(scratch)
        report: dict[str, list[Missed]] = {}
        for slug in with_fallbacks:
            have = set(stored.keys(slug))
            report[slug] = [
                Missed(slug, s.item.key, s.item.url, s.item.title)
                for s in found.list_items(source=slug)
                if s.item.key not in have
            ]
        found.close()
    return report
