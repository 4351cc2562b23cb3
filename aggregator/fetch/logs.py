"""Quiet by default, loud on demand: how every command and crawl logs.

stderr gets warnings and errors only (`AGGREGATOR_LOG_LEVEL`, set by `-q`, `-v`, `-vv` or
`--log-level`), each as one line ("warning: nspcc: https://…: HTTP 500"), never a
traceback unless the level is INFO or DEBUG. A crawl also writes everything from INFO up,
tracebacks included, to a log file of its own (`crawl_log`); the crawl's summary names the
file when anything worth reading went into it, and the file is removed when nothing did.

`scrapy crawl` keeps Scrapy's own logging (its LOG_LEVEL, LOG_FILE and format): this is for
the `aggregator` commands, which turn Scrapy's root handler off (`LOG_ENABLED = False`) and
install these instead.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aggregator.settings import env_text

LEVEL_ENV = "AGGREGATOR_LOG_LEVEL"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LEVEL = "WARNING"
LOG_FOLDER = Path(tempfile.gettempdir()) / "aggregator-logs"
FILE_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


def chosen_level() -> str:
    """The level stderr shows: $AGGREGATOR_LOG_LEVEL, else WARNING."""
    level = env_text(LEVEL_ENV, DEFAULT_LEVEL).upper()
    if level not in LEVELS:
        raise ValueError(f"${LEVEL_ENV} must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def verbosity(quiet: bool, verbose: int, log_level: str | None) -> str:
    """The level `-q` (errors only), `-v` (INFO), `-vv` (DEBUG) or `--log-level` ask for; the
    last wins over both."""
    if log_level:
        return log_level.upper()
    if verbose >= 2:
        return "DEBUG"
    if verbose == 1:
        return "INFO"
    return "ERROR" if quiet else DEFAULT_LEVEL


class OneLine(logging.Formatter):
    """ "warning: nspcc: https://…: HTTP 500": the level in lower case, the message on one
    line (its line breaks folded), and the traceback only when `tracebacks`."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(record.getMessage().split())
        line = f"{record.levelname.lower()}: {text}"
        if self.tracebacks and record.exc_info:
            return line + "\n" + self.formatException(record.exc_info)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f" ({type(error).__name__}: {' '.join(str(error).split())})"
        return line


_installed: list[logging.Handler] = []


def installed() -> bool:
    """Whether `configure` set up this process's logging (Scrapy's own handler stays off)."""
    return bool(_installed)


def configure(level: str | None = None, stream: TextIO | None = None) -> None:
    """Log to stderr at `level` (default: `chosen_level()`), one line a record; replaces what
    an earlier call installed."""
    level = level or chosen_level()
    _install(level, OneLine(tracebacks=level in ("DEBUG", "INFO")), stream)
    logging.root.setLevel(min(logging.INFO, logging.getLevelName(level)))


def configure_service(fmt: str) -> None:
    """Logging for a long-running service (`worker`, `serve`), whose log is its output: INFO
    and up in `fmt` unless -q, -v or --log-level chose a level."""
    level = chosen_level() if env_text(LEVEL_ENV) else "INFO"
    _install(level, logging.Formatter(fmt))
    logging.root.setLevel(level)


def _install(level: str, formatter: logging.Formatter, stream: TextIO | None = None) -> None:
    """Replace the stderr handler an earlier call installed with one at `level`."""
    for handler in _installed:
        logging.root.removeHandler(handler)
    _installed.clear()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(formatter)
    logging.root.addHandler(handler)
    _installed.append(handler)


class _Counter(logging.Handler):
    """Counts the records worth reading in the log file (warnings, errors, tracebacks)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass
class CrawlLog:
    path: Path
    counter: _Counter

    @property
    def worth_reading(self) -> bool:
        return self.counter.count > 0


@contextmanager
def crawl_log(folder: Path = LOG_FOLDER) -> Iterator[CrawlLog]:
    """A crawl's full log: INFO and up, tracebacks included, in `folder`
    (crawl-<time>-<pid>.log); kept when a warning or error went into it, else removed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crawl-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setLevel(logging.INFO)
    to_file.setFormatter(logging.Formatter(FILE_FORMAT))
    counter = _Counter()
    for handler in (to_file, counter):
        logging.root.addHandler(handler)
    if not _installed:
        configure()
    log = CrawlLog(path, counter)
    try:
        yield log
    finally:
        for handler in (to_file, counter):
            logging.root.removeHandler(handler)
        to_file.close()
        if not log.worth_reading:
            path.unlink(missing_ok=True)
