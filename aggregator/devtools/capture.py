"""`aggregator fixture save`: capture a live response as a fixture, with its metadata.

The fetch is a plain HTTP GET with the crawler's User-Agent, a timeout and the same size cap
as crawls, so a capture is what the spider would have received.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aggregator.devtools.fixtures import FIXTURES_DIR
from aggregator.fetch import scrapy_settings


class CaptureError(RuntimeError):
    pass


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
    folder = root / slug / (snapshot or fetched_at.date().isoformat())
    request = urllib.request.Request(url, headers={"User-Agent": scrapy_settings.USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=scrapy_settings.DOWNLOAD_TIMEOUT) as response:
            body = response.read(scrapy_settings.DOWNLOAD_MAXSIZE + 1)
            status = response.status
            content_type = response.headers.get("Content-Type", "application/octet-stream")
    except OSError as exc:
        raise CaptureError(f"could not fetch {url}: {exc}") from exc
    if len(body) > scrapy_settings.DOWNLOAD_MAXSIZE:
        raise CaptureError(f"{url} is larger than DOWNLOAD_MAXSIZE")
    folder.mkdir(parents=True, exist_ok=True)
    filename = name or _file_name(url, content_type)
    (folder / filename).write_bytes(body)
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
            "content_type": content_type,
            "status": status,
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
