"""The exit statuses of every `aggregator` command, one place for cron, systemd and the help.

The numbers follow the usual conventions: 2 is click's own for a usage error, 75 is
EX_TEMPFAIL from BSD's sysexits.h ("try again later"), and 130 is 128 + SIGINT, what a shell
reports for a command stopped by Ctrl-C.
"""

from __future__ import annotations

EX_OK = 0
"""Done; for a crawl, every source's run succeeded (ok, partial or empty)."""

EX_ERROR = 1
"""An error stopped the command (one `error:` line on stderr)."""

EX_USAGE = 2
"""Bad usage: an unknown option or command, a missing argument (click's own status)."""

EX_SOURCE_FAILED = 3
"""A source's crawl run failed or was interrupted (`crawl`, `schedule`, `worker --burst`), or
`status` found a source fetch-failing, interrupted, blocked or parse-broken."""

EX_TEMPFAIL = 75
"""Busy: another export for the same consumer is running and nothing was sent; "try again
later", which a cron wrapper can tell from a broken export."""

EX_INTERRUPTED = 130
"""Stopped by Ctrl-C (SIGINT)."""

HELP = """\b
Exit codes:
  0    success (for crawls: no source's run failed)
  1    error (one line on stderr)
  2    usage error (unknown option, bad argument)
  3    a source failed: a crawl run failed or was interrupted
       (crawl, crawl --due, schedule, worker --burst), or status
       found a source unhealthy
  75   busy, try again later (export: the consumer's lease is held)
  130  interrupted (Ctrl-C)"""
"""The "Exit codes:" paragraph of `aggregator --help` (click's \\b keeps its line breaks)."""
