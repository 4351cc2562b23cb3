"""`scrapy crawl <slug>` that refuses a database it cannot store into, in one line.

Scrapy's own command would open the spider, fail on the first write ("no such table", three
times over), finish with `start_error`, exit 0 and record nothing, so neither cron nor
`aggregator status` could see it. This one checks the schema first (`schema_problem`): on a
database never migrated or migrated by an older version it prints one `error:` line naming
`aggregator db upgrade` and exits 1 before any spider starts (no run is recorded: the table
that would hold it may not exist). Scrapyd runs jobs through `scrapy crawl`, so its jobs are
checked the same way.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from aggregator.storage.db import schema_problem

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        # Alembic announces its migration context at INFO; the check is not news
        logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
        problem = schema_problem(self.settings["AGGREGATOR_DATABASE_URL"])
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        super().run(args, opts)
