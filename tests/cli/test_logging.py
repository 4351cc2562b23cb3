"""Quiet by default, loud on demand: warnings and errors as one line each on stderr, the
full log (tracebacks included) in a file the crawl names, and -q / -v / --log-level on every
command (mapped to the crawl's logging)."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import click
import pytest

from aggregator.cli.app import main
from aggregator.fetch.logs import OneLine, verbosity
from tests.cli.test_exit_codes import SLUG, failing_fixtures, run

ONE_LINE = re.compile(r"^(error|warning|log): \S")


def every_command(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += every_command(sub, (*path, name))
    return found


@pytest.mark.parametrize("path", every_command(main), ids=lambda p: " ".join(p) or "main")
def test_every_command_takes_the_verbosity_options(path: tuple[str, ...]) -> None:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert {"-q", "--quiet", "--verbose", "--log-level"} <= options
    # `status --verbose` is its own (more detail); everywhere else -v is the log level
    assert "-v" in options or path == ("status",)


def test_the_levels_the_options_ask_for() -> None:
    assert verbosity(False, 0, None) == "WARNING"
    assert verbosity(True, 0, None) == "ERROR"
    assert verbosity(False, 1, None) == "INFO"
    assert verbosity(False, 2, None) == "DEBUG"
    assert verbosity(True, 2, "warning") == "WARNING"  # --log-level wins


def record_with_traceback() -> logging.LogRecord:
    try:
        raise ValueError("bad\npage")
    except ValueError:
        return logging.LogRecord(
            "nspcc",
            logging.ERROR,
            __file__,
            1,
            "parse failed:\n %s",
            ("https://x",),
            sys.exc_info(),
        )


def test_a_record_is_one_line_and_its_traceback_only_when_verbose() -> None:
    quiet = OneLine(tracebacks=False).format(record_with_traceback())
    assert quiet == "error: parse failed: https://x (ValueError: bad page)"
    loud = OneLine(tracebacks=True).format(record_with_traceback())
    assert loud.startswith("error: parse failed: https://x\nTraceback (most recent call last):")


def test_a_failing_crawl_says_one_line_per_problem_and_names_its_full_log(
    tmp_path: Path,
) -> None:
    result = run(
        tmp_path / "c.db", "crawl", SLUG, "--fixtures", fixtures_dir=failing_fixtures(tmp_path)
    )
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert lines and all(ONE_LINE.match(line) for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    (named,) = [line for line in lines if line.startswith("log: ")]
    log = Path(named.removeprefix("log: "))
    try:
        text = log.read_text(encoding="utf-8")
        assert "HTTP 500" in text and "[scrapy.core.engine] INFO: Spider opened" in text
    finally:
        log.unlink(missing_ok=True)


def test_a_clean_crawl_prints_nothing_on_stderr_and_keeps_no_log(tmp_path: Path) -> None:
    result = run(tmp_path / "ok.db", "crawl", SLUG, "--fixtures")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("flag", "present", "absent"),
    [
        ("-v", "info: Spider opened", "debug: "),
        ("--log-level=debug", "debug: ", "Traceback"),
        ("-q", "", "info: "),
    ],
)
def test_verbosity_reaches_the_crawl(tmp_path: Path, flag: str, present: str, absent: str) -> None:
    result = run(tmp_path / "v.db", "crawl", SLUG, "--fixtures", flag)
    assert result.returncode == 0, result.stderr[-2000:]
    assert present in result.stderr
    assert absent not in result.stderr
