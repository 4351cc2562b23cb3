"""Write every golden (`make goldens`). Read each changed field in the diff before committing.

`python -m tests.regenerate_goldens` writes them all: the parse and crawl goldens of every
fixture folder (aggregator.devtools.goldens) and the export goldens (tests/exports/golden/, from
the table tests/exports/test_goldens.py compares with). Arguments narrow it: source slugs
rewrite only those sources' parse and crawl goldens; `exports` only the export goldens.
Tests only ever compare; this is the one writer.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from aggregator.devtools.goldens import refresh
from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests.exports.conftest import GOLDEN, store_corpus
from tests.exports.test_goldens import GOLDENS

EXPORTS = "exports"


def write_export_goldens() -> list[Path]:
    """Export the reviewed corpus from a fresh SQLite database into each export golden (the
    goldens hold on PostgreSQL too: the tests check both); the files written."""
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'export.db'}"
        upgrade(url)
        repository = Repository.from_url(url)
        try:
            store_corpus(repository)
            for golden in GOLDENS:
                out = Path(tmp) / golden.name.replace(".", "-")
                out.mkdir()
                path = GOLDEN / golden.name
                path.write_bytes(golden.produce(repository, out).encode("utf-8"))
                written.append(path)
        finally:
            repository.close()
    return written


def main(args: list[str]) -> None:
    slugs = [arg for arg in args if arg != EXPORTS]
    written = []
    if not args or EXPORTS in args:
        written += write_export_goldens()
    if not args or slugs:
        written += refresh(slugs)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
