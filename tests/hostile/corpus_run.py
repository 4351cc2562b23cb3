"""Run the feed path over every file of feedparser's own test corpus, in this one process.

`python -m tests.hostile.corpus_run <sdist.tar.gz>` reads each file under the sdist's tests/
(the Python scripts aside) straight from the archive and gives its bytes to
`aggregator.parse.feed_reader.feed_items`, with a 10 s alarm per file. Prints one JSON object:
per file its status ("items", "empty" for a feed without entries, "invalid" with the
FeedError's reason, "error" for any other exception, "hang" when the alarm fired), its item
count and seconds; and the process's peak resident memory in kB.
"""

from __future__ import annotations

import json
import signal
import sys
import tarfile
import time
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from aggregator.parse.feed_reader import FeedError, feed_items
from tests.faults.crawl import peak_kb

PER_FILE_SECONDS = 10
FETCHED = datetime(2024, 5, 31, 8, tzinfo=UTC)


class Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"no answer within {PER_FILE_SECONDS} s")


def corpus_files(archive: str) -> list[tarfile.TarInfo]:
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    return [m for m in members if m.isfile() and "/tests/" in m.name and not m.name.endswith(".py")]


def run(archive: str) -> dict[str, Any]:
    signal.signal(signal.SIGALRM, _alarm)
    results: dict[str, dict[str, Any]] = {}
    with tarfile.open(archive) as tar:
        for member in corpus_files(archive):
            extracted = tar.extractfile(member)
            assert extracted is not None
            body = extracted.read()
            name = member.name.split("/tests/", 1)[1]
            url = f"https://corpus.example/{name}"
            started = time.perf_counter()
            signal.alarm(PER_FILE_SECONDS)
            try:
                items = feed_items(body, url, FETCHED, "corpus")
                result: dict[str, Any] = {
                    "status": "items" if items else "empty",
                    "items": len(items),
                }
            except FeedError as exc:
                result = {"status": "invalid", "reason": str(exc)}
            except Hang as exc:
                result = {"status": "hang", "reason": str(exc)}
            except Exception as exc:  # noqa: BLE001 - every other exception is the finding
                result = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
            finally:
                signal.alarm(0)
            result["seconds"] = time.perf_counter() - started
            result["bytes"] = len(body)
            results[name] = result
    return {"files": results, "peak_kb": peak_kb()}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
