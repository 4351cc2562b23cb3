"""CPU work off the reactor thread, within a budget per response.

Parsing a response and normalising and classifying its items are pure Python and lxml work.
Run on Scrapy's reactor thread, one hostile response (deep markup, a megabyte of repeated
phrases) would stop every other source: no download proceeds and no download timeout fires
while it runs. So the spider's parse and the normalise pipeline hand their work to a small
thread pool and wait for it without blocking the reactor.

Each piece of work has a budget (`AGGREGATOR_CPU_BUDGET` seconds). Work over budget is
abandoned: the caller gets `OverBudget` and records it as an error of its source, with the URL.
A thread cannot be stopped from outside, so the abandoned work runs on to its end in the
background (on a daemon thread: it never holds the process open), but nothing waits for it and
its result is dropped; the pool has several threads
so one such response does not hold up the others. What bounds that work is the parse and
classify caps (aggregator/parse/markup_limits.py, the classifier's per-field cap).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, threads
from twisted.python.threadpool import ThreadPool

T = TypeVar("T")

CPU_BUDGET_SETTING = "AGGREGATOR_CPU_BUDGET"
DEFAULT_CPU_BUDGET = 20.0  # seconds: a real page parses and classifies in well under one
CPU_THREADS_SETTING = "AGGREGATOR_CPU_THREADS"
DEFAULT_CPU_THREADS = 4


class OverBudget(Exception):
    """The work took longer than its budget and was abandoned."""

    def __init__(self, what: str, budget: float) -> None:
        super().__init__(f"{what} took more than its CPU budget of {budget:g} s; abandoned")
        self.budget = budget


class DaemonThreadPool(ThreadPool):
    """Twisted's thread pool, with daemon threads and never joined: work abandoned over budget
    must not keep the crawl process alive once the crawl is done."""

    threadFactory = functools.partial(threading.Thread, daemon=True)  # type: ignore[assignment]


class Offloader:
    """A thread pool for one crawl process, started and stopped with the reactor."""

    def __init__(self, budget: float, threads: int) -> None:
        self.budget = budget
        self.pool = DaemonThreadPool(minthreads=0, maxthreads=threads, name="aggregator-cpu")
        self.pool.start()

    async def run(self, what: str, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` on the pool; raises `OverBudget` if it takes longer than the
        budget, and whatever `work` raises."""
        reactor = installed_reactor()
        deferred: defer.Deferred[T] = threads.deferToThreadPool(
            reactor,
            self.pool,
            work,
            *args,
        )
        deferred.addTimeout(self.budget, reactor)
        try:
            return await maybe_deferred_to_future(deferred)
        except defer.TimeoutError:
            raise OverBudget(what, self.budget) from None


def installed_reactor() -> Any:
    """The reactor Scrapy installed. Imported only when used: importing it at module level
    would install Twisted's default reactor before Scrapy installs the one it asks for."""
    from twisted.internet import reactor

    return reactor


def offloader(crawler: Crawler) -> Offloader:
    """The crawl process's offloader (one pool shared by every spider of the process)."""
    global _offloader
    if _offloader is None:
        # A process runs one reactor, once (services/crawl.py), so one pool serves it.
        _offloader = Offloader(
            crawler.settings.getfloat(CPU_BUDGET_SETTING, DEFAULT_CPU_BUDGET),
            crawler.settings.getint(CPU_THREADS_SETTING, DEFAULT_CPU_THREADS),
        )
    return _offloader


_offloader: Offloader | None = None
