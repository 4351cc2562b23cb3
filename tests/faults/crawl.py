"""Crawl healthy fixture sources together with fault sources, in a process of its own.

Run as `python -m tests.faults.crawl '<json>'` with keys: db, server (the FaultServer's base
URL), healthy (slugs), faults (names from FAULTS), overrides (Scrapy settings). Each fault
becomes a throwaway registry source whose one channel is the fault's URL. Prints one JSON line:
the process's peak resident memory in kB.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from aggregator.fetch.process import crawl_settings
from aggregator.fetch.spider import SourceSpider
from aggregator.fetch.spider_loader import spider_class
from aggregator.sources import REGISTRY, Channel, ChannelKind, Source
from aggregator.storage.db import upgrade
from spiders.base import ListingKind, Page, Parsed
from tests.faults.server import FAULTS, Fault


class FaultListingParser(ListingKind):
    """A plain HTML listing (the HTML bomb goes through the shared listing path)."""

    def route(self, page: Page) -> str:
        return "listing"

    def parse_detail(self, page: Page, partial: Any = None) -> Parsed:
        return Parsed()


SLOW_PARSE_SECONDS = 300.0  # longer than any test waits for the crawl to finish


class SlowParser(ListingKind):
    """A parser that burns CPU for SLOW_PARSE_SECONDS: if parsing ran on the reactor thread,
    no other source could download, time out or finish until it was done."""

    def route(self, page: Page) -> str:
        return "listing"

    def parse_listing(self, page: Page, partial: Any = None) -> Parsed:
        ends = time.monotonic() + SLOW_PARSE_SECONDS
        spins = 0
        while time.monotonic() < ends:
            spins += sum(i * i for i in range(1000)) & 1
        return Parsed()


def fault_spider(fault: Fault) -> type[SourceSpider]:
    kind = ChannelKind.FEED if fault.kind == "feed" else ChannelKind.LISTING
    source = Source(
        slug=fault.slug,
        publisher=f"Fault: {fault.description}",
        homepage=f"https://{fault.host}/",
        channels=(Channel(kind, fault.url),),
    )
    REGISTRY[fault.slug] = source
    if fault.kind not in ("listing", "slow"):
        return spider_class(fault.slug)
    parser = SlowParser if fault.kind == "slow" else FaultListingParser
    attrs = {"name": fault.slug, "source": source, "parser_class": parser}
    return type("FaultListingSpider", (SourceSpider,), attrs)


def peak_kb() -> int:
    """VmHWM (peak resident set) of this process, in kB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main(config: dict[str, Any]) -> None:
    spiders = [spider_class(slug) for slug in config.get("healthy", [])]
    spiders += [fault_spider(FAULTS[name]) for name in config.get("faults", [])]
    upgrade(config["db"])
    settings = crawl_settings(config["db"], config["server"], **config.get("overrides", {}))
    process = CrawlerProcess(settings)
    for spider in spiders:
        process.crawl(spider)
    process.start()
    print(json.dumps({"peak_kb": peak_kb()}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
