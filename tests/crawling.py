"""Run a real crawl of fixtures in a subprocess (Twisted's reactor runs once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from aggregator.storage.repository import CrawlRun, Repository
from tests import prewarmed

ROOT = Path(__file__).resolve().parent.parent


def python_module(
    module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` as its own process (for its exit status and its stderr), with
    `env` as its whole environment (by default this process's), from the checkout's root;
    forked from the fork server (tests/prewarmed.py)."""
    return prewarmed.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def aggregator_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`aggregator ARGS` as its own process (`python_module`)."""
    return python_module("aggregator.cli", *args, env=env, timeout=timeout)


def crawl(
    db_url: str,
    *slugs: str,
    snapshot: str | None = None,
    fixtures_dir: Path | None = None,
    failing: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`aggregator crawl --fixtures` of `slugs`; exit 0 expected, or 3 (a source's run
    failed) when the caller means a source to fail (`failing=True`)."""
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=db_url)
    if fixtures_dir is not None:
        env["AGGREGATOR_FIXTURES_DIR"] = str(fixtures_dir)
    snapshots = ["--snapshot", snapshot] if snapshot else []
    result = aggregator_cli("crawl", *slugs, "--fixtures", *snapshots, env=env)
    assert result.returncode == (3 if failing else 0), result.stderr[-3000:]
    return result


def crawl_feed_sources(
    db_url: str,
    channels: dict[str, str],
    *,
    beside: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 180,
    **settings: Any,
) -> dict[str, list[dict[str, str]]]:
    """Crawl throwaway registry sources, one feed channel each ({slug: url}), beside the
    registry sources `beside`, with `aggregator.fetch.process.run_crawl(..., **settings)` in a
    process of its own (with `env` added to the environment); each throwaway source's
    recorded errors."""
    script = textwrap.dedent(
        f"""
        import json
        from aggregator.fetch.process import run_crawl
        from aggregator.sources import REGISTRY, Channel, ChannelKind, Source
        from aggregator.storage.db import upgrade
        from aggregator.storage.repository import Repository
        channels = {channels!r}
        for slug, url in channels.items():
            REGISTRY[slug] = Source(slug=slug, publisher=slug, homepage=url,
                                    channels=(Channel(ChannelKind.FEED, url),))
        upgrade({db_url!r})
        run_crawl([*{beside!r}, *channels], {db_url!r}, **{settings!r})
        repo = Repository.from_url({db_url!r})
        print(json.dumps({{s: repo.runs(source=s, limit=1)[0].stats.errors for s in channels}}))
        """
    )
    result = prewarmed.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=dict(os.environ, **(env or {})),
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    errors: dict[str, list[dict[str, str]]] = json.loads(result.stdout.strip().splitlines()[-1])
    return errors


def last_run(db_url: str, slug: str) -> CrawlRun:
    return Repository.from_url(db_url).runs(source=slug, limit=1)[0]


def stored(db_url: str, slug: str) -> list[dict[str, Any]]:
    return [
        json.loads(json.dumps(s.item.to_json()))
        for s in Repository.from_url(db_url).list_items(source=slug)
    ]
