"""The `aggregator` command: thin click commands, one module per group; each command's
docstring is its help.

A command checks its arguments, calls one service (or the layer below that does the job),
and prints what it returns; no use case lives here. `main` (in `app`) adds every group;
the group modules take shared options from `options`, never from this package, so nothing
here imports in a circle. Each command imports its service inside its body, so
`aggregator --help` and the quick commands start without loading Scrapy, Flask or
SQLAlchemy (the import-graph test counts those imports like any other).
"""

from aggregator.cli.app import main

__all__ = ["main"]
