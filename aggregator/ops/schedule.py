"""The `aggregator schedule` loop: `aggregator crawl --due` every few minutes, for hosts
without cron.

Each round runs in a fresh process (Scrapy's reactor runs once per process), so the loop
starts `python -m aggregator.cli crawl --due` as a subprocess: a process, not an import, and
its output is exactly what cron would log. Which sources are due, and the leases that keep
overlapping rounds apart, are the due-crawl service's (`aggregator.services.due`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta


def schedule_loop(
    every: timedelta,
    iterations: int | None,
    extra_args: Sequence[str],
    *,
    report: Callable[[int, int], None] | None = None,
) -> None:
    """Run `aggregator crawl --due` every `every`, each in a fresh process, until stopped or
    after `iterations` rounds. `report` is called after each round with its number (from 1)
    and the round's exit status (3 when a source failed)."""
    done = 0
    while iterations is None or done < iterations:
        started = time.monotonic()
        command = [sys.executable, "-m", "aggregator.cli", "crawl", "--due", *extra_args]
        code = subprocess.run(command).returncode
        done += 1
        if report is not None:
            report(done, code)
        if iterations is not None and done >= iterations:
            break
        time.sleep(max(every.total_seconds() - (time.monotonic() - started), 0))
