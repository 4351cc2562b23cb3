"""Source health: one state per source, from its crawl records and its own history.

The worst failure is a source that silently stops yielding while editors believe it is covered,
so "nothing new" is split into *quiet* (within the source's usual gap between publications)
and *stale* (silent for longer than that), and every failure mode has its own state:

| state | from |
|---|---|
| ok | the last run stored something new, or nothing new within the usual gap |
| quiet | nothing new, but within the source's usual gap (learned from its first-seen dates) |
| stale | nothing new for longer than twice the usual gap (at least a week) |
| fetch-failing | the last run failed: server errors, timeouts, DNS |
| interrupted | the last run's process died (its heartbeat lapsed), or a lease lapsed unreleased |
| crawling | a crawl holds the source's lease now (unless the source is in error) |
| blocked | 403 responses or robots.txt forbids the channels |
| parse-broken | pages were fetched but gave no items, or items were dropped for missing fields |
| suspicious | dates in the future, or a sudden jump in volume |
| site-changed | fields the source's own rules used to give now come mostly from fallback layers |
| partial | the last run stored items but met errors too (an HTTP 404, a timeout, a failed store) |

fetch-failing, interrupted, blocked and parse-broken are errors (`aggregator status` exits
non-zero); stale, suspicious, site-changed and partial are warnings. A partial run is never
reported as ok or quiet: its errors are what an editor would otherwise miss.

A crawl killed mid-run leaves its run "running" and, under `crawl --due`, the source's lease
held. `source_statuses` first marks runs whose heartbeat lapsed as interrupted
(aggregator.storage.runs); a lease still held says "crawling (lease held by X until T)", and
one that lapsed without being released says so, instead of "quiet".

*site-changed* reads the extraction layers each run counted (spiders/layers.py): a field
(title, summary, publication date) that most pages of the latest run took from a fallback
layer (structured data, labels, the URL, the listing card, the generic extractor, or none
at all) other than the one earlier runs took it from says the site was probably redesigned
under the parser. It needs earlier runs that counted layers: a source's first crawl sets its
norm.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.sources import NOT_OFFERED, REGISTRY
from aggregator.storage.crawl_state import CrawlState, SourceState
from aggregator.storage.repository import Repository
from aggregator.storage.runs import run_lapse
from aggregator.storage.values import CrawlRun, RunStats
from spiders.layers import OWN_LAYERS

ERRORS = ("fetch-failing", "interrupted", "blocked", "parse-broken")
UNFINISHED_STATUSES = ("running", "interrupted")
WARNINGS = ("stale", "suspicious", "site-changed", "partial")
MIN_STALE = timedelta(days=7)
DEFAULT_GAP = timedelta(days=14)  # before a source has history enough to learn its own
MISSING_FIELDS = ("missing title", "url not absolute http(s)", "bad url")
# Crawl-record messages that say a page was fetched but could not be read.
FALLBACK_USED = "fallback channel used"  # which channel served: a note, not a fault
PARSE_MESSAGES = ("parse failed", "channel yielded no items", FALLBACK_USED)
RECENT_RUNS = 10  # the runs `aggregator status` judges a source by
# A field has fallen back when more than this share of the latest run's pages took it from
# one fallback layer, a layer none of the earlier runs took it from mostly.
FALLBACK_SHARE = 0.5
MIN_PAGES = 3  # fewer pages say nothing about a site


@dataclass(frozen=True)
class Health:
    source: str
    state: str
    reason: str
    last_run: datetime | None

    @property
    def is_error(self) -> bool:
        return self.state in ERRORS


@dataclass(frozen=True)
class SourceStatus:
    """A source's health and its politeness log over its recent runs (`aggregator status`)."""

    health: Health
    runs: int
    requests: int
    not_modified: int
    robots_refusals: int
    retry_after_waits: int
    backing_off_until: datetime | None
    backoff_reason: str | None
    lease_owner: str | None = None
    lease_until: datetime | None = None


def source_statuses(url: str, now: datetime, lapse: timedelta | None = None) -> list[SourceStatus]:
    """Every registered source's status at `now`, by slug, after marking runs silent for
    longer than `lapse` (default `run_lapse()`) interrupted."""
    repo = Repository.from_url(url)
    state = CrawlState.from_url(url)
    lapse = lapse if lapse is not None else run_lapse()
    try:
        repo.mark_interrupted(now, lapse)
        states = state.states(REGISTRY)
        found = []
        for slug in sorted(REGISTRY):
            runs = repo.runs(source=slug, limit=RECENT_RUNS)
            messages = [e.get("message", "") for r in runs for e in r.stats.errors]
            current = states.get(slug)
            until = current.disabled_until if current else None
            off = current if current and until and until > now else None
            found.append(
                SourceStatus(
                    health=with_lease(
                        assess(slug, runs, repo.item_times(slug), now, lapse=lapse), current, now
                    ),
                    runs=len(runs),
                    requests=sum(r.stats.requests for r in runs),
                    not_modified=sum(r.stats.responses_by_status.get("304", 0) for r in runs),
                    robots_refusals=sum("robots.txt" in m for m in messages),
                    retry_after_waits=sum("Retry-After" in m for m in messages),
                    backing_off_until=off.disabled_until if off else None,
                    backoff_reason=off.disabled_reason if off else None,
                    lease_owner=current.lease_owner if current else None,
                    lease_until=current.lease_until if current else None,
                )
            )
        return found
    finally:
        repo.close()
        state.engine.dispose()


def with_lease(health: Health, state: SourceState | None, now: datetime) -> Health:
    """`health` with what the source's lease says: a crawl holding it now is "crawling" (an
    error state keeps its state and gains the words); a lease that lapsed without being
    released means its holder died, and the source is "interrupted"."""
    if state is None or state.lease_owner is None or state.lease_until is None:
        return health
    until = state.lease_until.isoformat(timespec="seconds")
    if state.lease_until > now:
        words = f"crawling (lease held by {state.lease_owner} until {until})"
        if health.is_error:
            return Health(health.source, health.state, f"{health.reason}; {words}", health.last_run)
        return Health(health.source, "crawling", words, health.last_run)
    words = f"lease lapsed: held by {state.lease_owner} until {until}, never released"
    if health.state == "interrupted":
        return Health(health.source, health.state, f"{health.reason}; {words}", health.last_run)
    return Health(health.source, "interrupted", words, health.last_run)


def usual_gap(published: Sequence[datetime]) -> timedelta:
    """The median gap between a source's publications (its learned publishing cadence)."""
    ordered = sorted(published)
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False) if b - a > timedelta(0)]
    if len(gaps) < 3:
        return DEFAULT_GAP
    return timedelta(seconds=statistics.median(g.total_seconds() for g in gaps))


def assess(
    source: str,
    runs: Sequence[CrawlRun],
    times: Sequence[tuple[datetime, datetime | None]],
    now: datetime,
    *,
    lapse: timedelta | None = None,
) -> Health:
    """The health of a source from its runs (newest first) and its items' (first seen,
    published) times: silence is measured from first sight, the usual gap from publication.
    A running run silent for longer than `lapse` (default `run_lapse()`) is interrupted."""
    if not runs:
        return Health(source, "stale", "never crawled", None)
    last = runs[0]
    stats = last.stats
    when = stats.finished_at or last.started_at
    lapse = lapse if lapse is not None else run_lapse()
    if stats.status == "running" and now - last.last_alive > lapse:
        # The crawl's process died (killed, out of memory) before it could record an end, and
        # nobody has marked it yet.
        alive = last.last_alive.isoformat(timespec="seconds")
        return Health(source, "interrupted", f"the last crawl died (last alive {alive})", when)
    if stats.status == "interrupted":
        return Health(source, "interrupted", _first(_messages(stats), ("interrupted",)), when)
    if stats.status == "running":
        if len(runs) == 1:
            return Health(source, "quiet", "the first crawl is running", when)
        last = runs[1]
        stats = last.stats
    messages = [e.get("message", "") for e in stats.errors]
    statuses = stats.responses_by_status
    if any("403" in m for m in messages) or any("robots.txt" in m for m in messages):
        return Health(source, "blocked", _first(messages, ("403", "robots.txt")), when)
    fetch_errors = [m for m in messages if not m.startswith((*PARSE_MESSAGES, NOT_OFFERED))]
    fetched = sum(n for code, n in statuses.items() if code.startswith("2"))
    stored = stats.items_new + stats.items_updated + stats.items_unchanged
    missing = sum(n for reason, n in stats.dropped_reasons.items() if reason in MISSING_FIELDS)
    if stored == 0 and fetched and not fetch_errors and not statuses.get("304"):
        return Health(source, "parse-broken", f"{fetched} page(s) fetched but no items", when)
    if stats.status == "failed":
        return Health(source, "fetch-failing", f"last run failed: {_first(fetch_errors, ())}", when)
    if missing and missing >= stats.items_dropped:
        return Health(source, "parse-broken", f"{missing} item(s) dropped for missing fields", when)
    future = sum(n for reason, n in stats.dropped_reasons.items() if "after fetch time" in reason)
    if future:
        return Health(source, "suspicious", f"{future} item(s) dated in the future", when)
    # Runs that never finished counted nothing: they say nothing about the usual volume.
    finished = [r for r in runs[1:6] if r.stats.status not in UNFINISHED_STATUSES]
    earlier = [r.stats.items_new for r in finished]
    if earlier and stats.items_new > 5 * max(statistics.median(earlier), 4):
        return Health(
            source,
            "suspicious",
            f"{stats.items_new} new items, against a usual {statistics.median(earlier):g}",
            when,
        )
    fell = fallen_back(stats, [r.stats for r in finished])
    if fell:
        return Health(source, "site-changed", f"site probably changed: {fell}", when)
    troubles = [m for m in messages if not m.startswith((FALLBACK_USED, NOT_OFFERED))]
    if stats.status == "partial" and troubles:
        reason = f"the last crawl was partial: {len(troubles)} error(s), first {troubles[0]}"
        return Health(source, "partial", reason, when)
    if stats.items_new:
        return Health(source, "ok", f"{stats.items_new} new item(s) in the last run", when)
    gap = usual_gap([published for _, published in times if published is not None])
    newest = max((seen for seen, _ in times), default=None)
    if newest is None:
        return Health(source, "stale", "no items stored yet", when)
    silent = now - newest
    days = f"nothing new for {silent.days} days; usual gap {max(gap.days, 1)} days"
    if silent > max(2 * gap, MIN_STALE):
        return Health(source, "stale", days, when)
    return Health(source, "quiet", days, when)


def majority(layers: dict[str, int]) -> tuple[str, int, int]:
    """The layer that gave a field on most pages, its pages, and all pages counted."""
    pages = sum(layers.values())
    top = max(sorted(layers), key=lambda layer: layers[layer]) if layers else ""
    return top, layers.get(top, 0), pages


def fallen_back(latest: RunStats, earlier: Sequence[RunStats]) -> str:
    """The fields the latest run took mostly from a fallback layer other than the one the
    earlier runs (that counted layers) took them from: "published from url on 8 of 10 pages
    (usually site)". Empty when none, or when there is no earlier norm."""
    said = []
    for name, layers in sorted(latest.field_layers.items()):
        top, count, pages = majority(layers)
        if pages < MIN_PAGES or top in OWN_LAYERS or count <= FALLBACK_SHARE * pages:
            continue
        norms = [majority(s.field_layers[name]) for s in earlier if name in s.field_layers]
        usual = [layer for layer, _, counted in norms if counted >= MIN_PAGES]
        if usual and top not in usual:
            was = max(sorted(set(usual)), key=usual.count)
            said.append(f"{name} from {top} on {count} of {pages} pages (usually {was})")
    return "; ".join(said)


def _messages(stats: RunStats) -> list[str]:
    return [e.get("message", "") for e in stats.errors]


def _first(messages: Sequence[str], needles: tuple[str, ...]) -> str:
    for message in messages:
        if not needles or any(n in message for n in needles):
            return message
    return messages[0] if messages else "no detail"
