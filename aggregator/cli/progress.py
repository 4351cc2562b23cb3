"""Progress on stderr while long commands run, when stderr is a terminal.

click's progress bar (click is the CLI's framework already: no new dependency, and it writes
nothing when its file is not a terminal, so cron mail and pipes stay clean): items done of
the total, the rate, and the time left. The commands pass `progress_bar(label)` to a service
as its `progress(done, total)` callback; it is None off a terminal, so nothing is drawn.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

Progress = Callable[[int, int], None]
"""`progress(done, total)`: how far a long job has come."""


def on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(label: str) -> Iterator[Progress | None]:
    """A `progress(done, total)` that draws a bar on stderr; None when stderr is no terminal."""
    if not on_terminal():
        yield None
        return
    started = time.monotonic()
    bar: Any = None

    def rate(_item: object) -> str:
        seconds = time.monotonic() - started
        return f"{bar.pos / seconds:.0f}/s" if bar is not None and seconds > 0 else ""

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(
                length=total,
                label=label,
                file=sys.stderr,
                show_eta=True,
                show_pos=True,
                item_show_func=rate,
            )
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
