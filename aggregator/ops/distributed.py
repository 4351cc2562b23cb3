"""Distributed crawling: each due source is one job on a Redis queue, run by `aggregator worker`.

The queue is Dramatiq's Redis broker. A worker moves a message into its own "acks" set when it
takes it and deletes it only after the job's function returns, so a job is acknowledged only
once its crawl is stored. A worker that dies stops sending heartbeats; any other worker then
puts the dead worker's unacknowledged jobs back on the queue (`heartbeat_timeout`). Redoing a
crawl is harmless: the store is an idempotent upsert keyed on (source, key).

Who may crawl a source is decided in the database, never in Redis, with the leases of
`aggregator.storage.crawl_state` that `crawl --due` uses:

- `aggregator crawl --distributed` leases each due source for its job (owner `queued:<job>`)
  before sending it, so an overlapping run, or a `crawl --due` on another host, does not queue
  or crawl it again while the job waits.
- The worker that takes the job takes over that reservation under its own name
  (`run:<job>:<host>:<pid>:<thread>`) for `lease` (5 minutes), renews it while the crawl runs
  and releases it when the crawl is stored (a failed run backs the source off, as in
  `crawl --due`).
- A job redelivered after its worker died finds the lease held by the dead run of the same job:
  it waits until that lease lapses (it is no longer renewed) and then crawls. If the earlier
  delivery is in fact alive (a worker that only lost Redis for a while), its lease is still
  renewed, so the two never crawl at once. A job whose source was crawled since it was queued
  is acknowledged without crawling again.

Each job runs its crawl in a fresh process (Twisted's reactor runs once per process), through
the crawl service's entry point: `python -m aggregator.services.crawl --parent PID SLUG --db URL`,
which dies with the worker (PR_SET_PDEATHSIG on Linux, and a watch on its parent elsewhere), so
a killed worker leaves no crawl behind that would outlive its lease.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

from aggregator.fetch import logs
from aggregator.services import crawl
from aggregator.services.due import release_after_run
from aggregator.settings import env_text, env_url
from aggregator.sources import REGISTRY
from aggregator.storage.crawl_state import CrawlState

log = logging.getLogger("aggregator.worker")

REDIS_URL_ENV = "AGGREGATOR_REDIS_URL"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
QUEUE_ENV = "AGGREGATOR_QUEUE"
DEFAULT_QUEUE = "aggregator"
"""The Redis key prefix (Dramatiq's namespace): deployments sharing a Redis use different ones."""

QUEUE_NAME = "crawl"
ACTOR_NAME = "crawl_source"
RESERVATION_LEASE = timedelta(hours=1)
"""How long a queued job holds its source: if Redis loses the job, the source is due again."""
RUN_LEASE = timedelta(minutes=5)
HEARTBEAT_TIMEOUT = timedelta(seconds=60)
JOB_TIME_LIMIT = timedelta(hours=12)
MAX_RETRIES = 3  # for errors of the job itself (the database unreachable), not failed crawls


def redis_url(explicit: str | None = None) -> str:
    return explicit or env_url(REDIS_URL_ENV, DEFAULT_REDIS_URL, ("redis", "rediss", "unix"))


def queue_namespace(explicit: str | None = None) -> str:
    return explicit or env_text(QUEUE_ENV, DEFAULT_QUEUE)


@dataclass(frozen=True)
class Job:
    """One due source to crawl. `job_id` stays the same when the job is redelivered."""

    slug: str
    job_id: str
    enqueued_at: datetime
    fixtures: bool = False
    snapshot: str | None = None

    @property
    def reservation(self) -> str:
        return f"queued:{self.job_id}"

    @property
    def run_prefix(self) -> str:
        return f"run:{self.job_id}:"

    def args(self) -> tuple[Any, ...]:
        return (self.slug, self.job_id, self.enqueued_at.isoformat(), self.fixtures, self.snapshot)

    @classmethod
    def from_args(
        cls, slug: str, job_id: str, enqueued_at: str, fixtures: bool, snapshot: str | None
    ) -> Job:
        return cls(slug, job_id, datetime.fromisoformat(enqueued_at), fixtures, snapshot)


class JobQueue:
    """The crawl queue on Redis: `send` jobs, or run them with `aggregator worker`."""

    def __init__(
        self,
        url: str,
        namespace: str,
        *,
        heartbeat_timeout: timedelta = HEARTBEAT_TIMEOUT,
        maintenance: bool = False,
        runner: Callable[[Job], None] | None = None,
    ) -> None:
        # Maintenance (putting dead workers' jobs back) is left to the workers, which run it on
        # every heartbeat; a process that only sends jobs never judges a worker dead.
        self.broker: RedisBroker = RedisBroker(
            url=url,
            namespace=namespace,
            heartbeat_timeout=int(heartbeat_timeout.total_seconds() * 1000),
            maintenance_chance=MAINTENANCE_SCALE if maintenance else 0,
        )
        self.namespace = namespace
        self._runner = runner

        def crawl_source(
            slug: str, job_id: str, enqueued_at: str, fixtures: bool, snapshot: str | None
        ) -> None:
            if self._runner is None:
                raise RuntimeError("this queue only sends jobs")
            self._runner(Job.from_args(slug, job_id, enqueued_at, fixtures, snapshot))

        self.actor = dramatiq.Actor(
            crawl_source,
            broker=self.broker,
            actor_name=ACTOR_NAME,
            queue_name=QUEUE_NAME,
            priority=0,
            options={
                "max_retries": MAX_RETRIES,
                "min_backoff": 5_000,
                "max_backoff": 300_000,
                "time_limit": int(JOB_TIME_LIMIT.total_seconds() * 1000),
            },
        )

    def send(self, job: Job) -> None:
        self.actor.send(*job.args())

    def pending(self) -> int:
        """Jobs not yet acknowledged: queued, delayed for a retry, or running on any worker.
        Every call is also this process's heartbeat (and, on a worker, maintenance)."""
        return int(self.broker.do_qsize(QUEUE_NAME))

    def delete_all(self) -> int:
        """Drop every key of this queue's namespace (a test's clean-up, or a reset)."""
        client = self.broker.client
        keys = list(client.scan_iter(match=f"{self.namespace}:*", count=500))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)

    def close(self) -> None:
        self.broker.close()
        self.broker.client.connection_pool.disconnect()


# --- sending: `aggregator crawl --distributed` -------------------------------------------------


def enqueue_due(
    slugs: Sequence[str],
    db_url: str,
    queue: JobQueue,
    *,
    fixtures: bool = False,
    snapshot: str | None = None,
) -> list[Job]:
    """Queue one job per due source among `slugs` that this call could lease; those queued."""
    state = CrawlState.from_url(db_url)
    now = datetime.now(UTC)
    queued: list[Job] = []
    try:
        for slug in state.due({s: REGISTRY[s].poll_interval for s in slugs}, now):
            job = Job(slug, uuid.uuid4().hex, now, fixtures, snapshot)
            if not state.acquire(slug, job.reservation, now, RESERVATION_LEASE):
                continue  # another run queued or is crawling it
            try:
                queue.send(job)
            except BaseException:
                state.renew(slug, job.reservation, now)  # not queued: the reservation ends now
                raise
            queued.append(job)
    finally:
        state.engine.dispose()
    return queued


def queue_due(
    slugs: Sequence[str],
    db_url: str,
    redis: str,
    namespace: str,
    *,
    fixtures: bool = False,
    snapshot: str | None = None,
) -> list[Job]:
    """`enqueue_due` on the queue at `redis` under `namespace`, opened for this call only."""
    queue = JobQueue(redis, namespace)
    try:
        return enqueue_due(slugs, db_url, queue, fixtures=fixtures, snapshot=snapshot)
    finally:
        queue.close()


# --- working: `aggregator worker` --------------------------------------------------------------


@dataclass(frozen=True)
class WorkerOptions:
    db_url: str
    threads: int = 1
    lease: timedelta = RUN_LEASE
    heartbeat_timeout: timedelta = HEARTBEAT_TIMEOUT
    burst: bool = False


@dataclass(frozen=True)
class JobOutcome:
    """What a job did, in words for the log, and whether its source's run failed (a failed or
    interrupted run, or none recorded): `worker --burst` then exits with status 3."""

    text: str
    failed: bool = False

    def __str__(self) -> str:
        return self.text


def run_job(job: Job, options: WorkerOptions, state: CrawlState) -> JobOutcome:
    """Crawl the job's source in a fresh process under the source's lease; what happened."""
    owner = f"{job.run_prefix}{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    while True:
        now = datetime.now(UTC)
        current = state.states([job.slug]).get(job.slug)
        if current and current.last_finished and current.last_finished >= job.enqueued_at:
            return JobOutcome("skipped: crawled since it was queued")
        if state.acquire(job.slug, owner, now, options.lease, replacing=job.reservation):
            break
        current = state.states([job.slug]).get(job.slug)
        holder = current.lease_owner if current else None
        held = current is not None and current.lease_until is not None and current.lease_until > now
        if holder and holder.startswith(job.run_prefix) and held:
            # An earlier delivery of this job: wait until it ends or its lease lapses.
            time.sleep(min(1.0, options.lease.total_seconds() / 10))
            continue
        if holder and held:
            return JobOutcome(f"skipped: {job.slug} is leased by {holder}")
        return JobOutcome(f"skipped: {job.slug} is backing off")

    command = crawl.child_command(
        job.slug, options.db_url, parent=os.getpid(), fixtures=job.fixtures, snapshot=job.snapshot
    )
    renew_every = max(options.lease.total_seconds() / 3, 0.2)
    process: subprocess.Popen[bytes] | None = None
    keep_lease = True
    try:
        process = subprocess.Popen(command)
        while True:
            try:
                code = process.wait(timeout=renew_every)
                break
            except subprocess.TimeoutExpired:
                until = datetime.now(UTC) + options.lease
                if not state.renew(job.slug, owner, until):
                    keep_lease = False
                    process.kill()
                    process.wait()
                    return JobOutcome(f"stopped: lost the lease of {job.slug}")
    finally:
        if process is not None and process.poll() is None:  # an error or the time limit
            process.kill()
            process.wait()
        if keep_lease:
            release_after_run(state, options.db_url, [job.slug], owner, now)
    failed = crawl.failed_sources(crawl.runs_since(options.db_url, [job.slug], now))
    return JobOutcome(f"crawled (exit {code})", failed=bool(failed))


def run_worker(options: WorkerOptions, url: str, namespace: str) -> list[str]:
    """Take jobs until SIGTERM or SIGINT (or, with `burst`, until no job is left anywhere);
    the sources of the jobs it ran whose run failed, one entry per such job."""
    logs.configure_service("%(asctime)s %(name)s[%(process)d] %(levelname)s %(message)s")
    state = CrawlState.from_url(options.db_url)
    failed: list[str] = []
    failed_lock = threading.Lock()  # jobs finish on Dramatiq's worker threads

    def perform(job: Job) -> None:
        started = time.monotonic()
        log.info("job %s: %s: starting", job.job_id, job.slug)
        outcome = run_job(job, options, state)
        log.info(
            "job %s: %s: %s in %.1f s", job.job_id, job.slug, outcome, time.monotonic() - started
        )
        if outcome.failed:
            log.error("job %s: %s: the source's run failed", job.job_id, job.slug)
            with failed_lock:
                failed.append(job.slug)

    queue = JobQueue(
        url,
        namespace,
        heartbeat_timeout=options.heartbeat_timeout,
        maintenance=True,
        runner=perform,
    )
    try:
        # Dramatiq's consumers would log a connection error every few seconds and retry for
        # ever; an unreachable Redis at start is one line and a non-zero exit instead.
        queue.broker.client.ping()
    except redis.exceptions.RedisError as exc:
        queue.close()
        state.engine.dispose()
        raise RuntimeError(f"the job queue's Redis does not answer: {exc}") from exc
    dramatiq.set_broker(queue.broker)
    worker = dramatiq.Worker(queue.broker, worker_threads=options.threads)
    # One job per thread at a time: a busy worker holds no jobs that an idle one could run.
    worker.queue_prefetch = options.threads
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # Dramatiq's consumer sends no heartbeat while every thread is busy; this loop does, so a
    # long crawl never makes a live worker look dead.
    tick = min(1.0, options.heartbeat_timeout.total_seconds() / 4)
    log.info("worker on %s (queue %r), %d thread(s)", url, namespace, options.threads)
    worker.start()
    try:
        while not stop.wait(tick):
            pending = queue.pending()
            if options.burst and pending == 0:
                log.info("burst: no job left, stopping")
                break
    finally:
        worker.stop()
        queue.close()
        state.engine.dispose()
    with failed_lock:
        return list(failed)
