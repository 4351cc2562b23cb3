"""`aggregator fixture save`: capture a live response as a fixture, with its metadata.

The page is fetched through the crawler's own download path, so a capture is what the spider
would have received: a one-off Scrapy crawl with the project's settings
(`aggregator.fetch.process.crawl_settings`, production profile) and every downloader
middleware a crawl has. That means the crawler's User-Agent and default headers, robots.txt
obeyed, redirects followed, gzip/deflate/brotli bodies decompressed (and size-capped before
and after), and the SSRF guard (aggregator/fetch/netguard.py) refusing non-public addresses
unless AGGREGATOR_ALLOWED_ADDRESSES lets them through.

Three parts of a crawl are left out, because a capture stores no items and no crawl history:
the item pipelines, the crawl record, and conditional GET (which would send validators and
could save a 304 instead of the page). Retries are off too: a failed capture is one line to
read and rerun, not a minute of back-off.

The crawl runs in a child process (`python -m aggregator.devtools.capture URL BODY_FILE`):
Twisted's reactor cannot be started twice in one process, and a caller may capture several
pages. The child writes the body to BODY_FILE and prints one JSON line of what it got.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.fetch import scrapy_settings


class CaptureError(RuntimeError):
    pass


# What a capture changes in a crawl's settings (see the module docstring for why).
CAPTURE_OVERRIDES: dict[str, Any] = {
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {"aggregator.fetch.crawl_record.CrawlRecorder": None},
    "DOWNLOADER_MIDDLEWARES": {
        **scrapy_settings.DOWNLOADER_MIDDLEWARES,
        "aggregator.fetch.conditional.ConditionalGetMiddleware": None,
    },
    "RETRY_ENABLED": False,
    "LOG_LEVEL": "ERROR",  # the one-line result is the report; Scrapy's log stays quiet
}
# robots.txt and the page, each within DOWNLOAD_TIMEOUT, plus the politeness delay and start-up.
CHILD_TIMEOUT = 3 * scrapy_settings.DOWNLOAD_TIMEOUT + 30


@dataclass(frozen=True)
class Captured:
    """A response as the spider would have received it (body decompressed)."""

    url: str
    status: int
    content_type: str
    body: bytes


def fetch(url: str) -> Captured:
    """Fetch `url` through a one-off crawl in a child process; CaptureError with one line
    (robots.txt, the SSRF guard, an HTTP error status, a network error) when it fails."""
    with tempfile.TemporaryDirectory(prefix="fixture-capture-") as tmp:
        body_file = Path(tmp) / "body"
        try:
            done = subprocess.run(
                [sys.executable, "-m", "aggregator.devtools.capture", url, str(body_file)],
                capture_output=True,
                text=True,
                timeout=CHILD_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            raise CaptureError(f"could not fetch {url}: no answer in {CHILD_TIMEOUT} s") from exc
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            last = (done.stderr.strip().splitlines() or ["the capture crawl failed"])[-1]
            raise CaptureError(f"could not fetch {url}: {last}")
        result = json.loads(lines[-1])
        if "error" in result:
            raise CaptureError(f"could not fetch {url}: {result['error']}")
        return Captured(
            url=result["url"],
            status=int(result["status"]),
            content_type=result["content_type"],
            body=body_file.read_bytes(),
        )


def save_fixture(
    slug: str,
    url: str,
    *,
    name: str | None = None,
    snapshot: str | None = None,
    root: Path = FIXTURES_DIR,
) -> Path:
    """Fetch `url`, store it in fixtures/<slug>/<snapshot>/, and record it in meta.json."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise CaptureError(f"only http(s) URLs can be captured: {url}")
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    captured = fetch(url)
    folder = root / slug / (snapshot or fetched_at.date().isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    filename = name or _file_name(url, captured.content_type)
    (folder / filename).write_bytes(captured.body)
    meta_path = folder / "meta.json"
    meta: dict[str, Any] = (
        json.loads(meta_path.read_text(encoding="utf-8"))
        if meta_path.exists()
        else {
            "fetched_at": fetched_at.isoformat().replace("+00:00", "Z"),
            "synthetic": False,
            "responses": [],
        }
    )
    meta["responses"] = [r for r in meta["responses"] if r["url"] != url]
    query_names = sorted({part.split("=")[0] for part in urlsplit(url).query.split("&") if part})
    meta["responses"].append(
        {
            "url": url,
            "file": filename,
            "content_type": captured.content_type,
            "status": captured.status,
            "match_query": query_names,
        }
    )
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder / filename


def _file_name(url: str, content_type: str) -> str:
    parts = urlsplit(url)
    stem = re.sub(r"[^a-z0-9]+", "-", (parts.path.strip("/") or "index").lower()).strip("-")
    if parts.query:
        stem += "-" + re.sub(r"[^a-z0-9]+", "-", parts.query.lower()).strip("-")
    extension = ".json" if "json" in content_type else ".xml" if "xml" in content_type else ".html"
    return (stem or "index")[-80:] + extension


# --- the child process: one request through the crawler ------------------------------------


def _failure_reason(failure: Any) -> str:
    """One line for why the request failed, in the crawler's own words where it has them."""
    from scrapy.spidermiddlewares.httperror import HttpError

    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


def _crawl_once(url: str, body_file: Path) -> dict[str, Any]:
    """Crawl `url` alone with the project's settings; the body goes to `body_file`."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response

    from aggregator.fetch.process import crawl_settings

    result: dict[str, Any] = {"error": "no response (the crawl ended without one)"}

    class CaptureSpider(scrapy.Spider):
        name = "fixture-capture"

        async def start(self) -> Any:
            yield scrapy.Request(url, callback=self.got, errback=self.failed, dont_filter=True)

        def got(self, response: Response) -> None:
            body_file.write_bytes(response.body)
            raw = response.headers.get("Content-Type")
            result.clear()
            result.update(
                url=response.url,
                status=response.status,
                content_type=raw.decode("latin-1") if raw else "application/octet-stream",
            )

        def failed(self, failure: Any) -> None:
            result.clear()
            result["error"] = _failure_reason(failure)

    # The database is never opened: no pipelines, no crawl record, no conditional GET.
    settings = crawl_settings("sqlite:///:memory:", profile="production", **CAPTURE_OVERRIDES)
    process = CrawlerProcess(settings)
    process.crawl(CaptureSpider)
    process.start()
    return result


if __name__ == "__main__":
    print(json.dumps(_crawl_once(sys.argv[1], Path(sys.argv[2]))), flush=True)
