"""Fixture sets and the loopback fixture server.

Spiders target the publishers' real URLs. Offline (tests, `aggregator demo`), the fixture
download handler sends each request to a local server instead, which answers from
`fixtures/<slug>/meta.json`; the response keeps its real URL, so spiders run unchanged.
The format of meta.json is described in fixtures/README.md.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

from aggregator.settings import env_text

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures"
FETCHED_AT_HEADER = "X-Fixture-Fetched-At"


@dataclass(frozen=True)
class FixtureResponse:
    url: str
    file: Path
    content_type: str
    status: int
    match_query: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    fetched_at: datetime
    # Answers given before the normal one, once each, in order (a 429 with Retry-After, a
    # 503): how a test tells the server to throttle or fail for a while.
    first: tuple[tuple[int, tuple[tuple[str, str], ...]], ...] = ()

    def matches(self, host: str, path: str, query: str) -> bool:
        parts = urlsplit(self.url)
        if (parts.hostname or "") != host or (parts.path or "/") != (path or "/"):
            return False
        wanted = _selected(parts.query, self.match_query)
        return wanted == _selected(query, self.match_query)


def _selected(query: str, names: tuple[str, ...]) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in names)


@dataclass
class FixtureSet:
    """The responses of one or more fixture folders (one folder = one snapshot of a source)."""

    folders: dict[str, Path] = field(default_factory=dict)
    responses: list[FixtureResponse] = field(default_factory=list)
    _index: dict[tuple[str, str], list[FixtureResponse]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _indexed: int = field(default=-1, repr=False, compare=False)

    @classmethod
    def load(cls, folders: dict[str, Path]) -> FixtureSet:
        fixture_set = cls(folders=dict(folders))
        for folder in folders.values():
            fixture_set.responses.extend(read_meta(folder))
        return fixture_set

    def lookup(self, host: str, path: str, query: str) -> FixtureResponse | None:
        # Indexed by (host, path), so a generated site of thousands of pages (bench/) costs
        # one dict probe per request; rebuilt if responses were added since.
        index = self._index
        if self._indexed != len(self.responses):  # built whole, then swapped in (threads)
            index = {}
            for response in self.responses:
                parts = urlsplit(response.url)
                index.setdefault((parts.hostname or "", parts.path or "/"), []).append(response)
            self._index, self._indexed = index, len(self.responses)
        for response in index.get((host, path or "/"), ()):
            if response.matches(host, path, query):
                return response
        return None


def read_meta(folder: Path) -> list[FixtureResponse]:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    fetched_at = datetime.fromisoformat(meta["fetched_at"].replace("Z", "+00:00"))
    return [
        FixtureResponse(
            url=entry["url"],
            file=folder / entry["file"],
            content_type=entry.get("content_type", "application/octet-stream"),
            status=int(entry.get("status", 200)),
            match_query=tuple(entry.get("match_query", [])),
            headers=tuple((entry.get("headers") or {}).items()),
            fetched_at=fetched_at,
            first=tuple(
                (int(f["status"]), tuple((f.get("headers") or {}).items()))
                for f in entry.get("first", [])
            ),
        )
        for entry in meta["responses"]
    ]


def fixture_folders(root: Path | None = None, snapshot: str | None = None) -> dict[str, Path]:
    """Slug → folder for every source with fixtures (a named snapshot subfolder if it has one).

    The root is `fixtures/`, or AGGREGATOR_FIXTURES_DIR (tests use it for altered copies).
    """
    root = root or Path(env_text("AGGREGATOR_FIXTURES_DIR") or FIXTURES_DIR)
    found: dict[str, Path] = {}
    for meta in sorted(root.glob("*/meta.json")):
        folder = meta.parent
        chosen = (
            folder / snapshot if snapshot and (folder / snapshot / "meta.json").exists() else folder
        )
        found[folder.name] = chosen
    return found


def fixture_path_for(url: str) -> str:
    """The server path a real URL is served at: /<host><path>?<query>."""
    parts = urlsplit(url)
    path = f"/{parts.hostname}{quote(parts.path or '/', safe='/%:@!$&()*+,;=-._~')}"
    return f"{path}?{parts.query}" if parts.query else path


# How often the server's loop looks for a shutdown: `stop` waits up to this long, once per
# `crawl --fixtures` (http.server's default, half a second, was a tenth of a small crawl).
SHUTDOWN_POLL_SECONDS = 0.05


class FixtureServer:
    """A loopback HTTP server answering from a FixtureSet; it counts the requests it gets."""

    def __init__(self, fixture_set: FixtureSet, port: int = 0) -> None:
        self.fixture_set = fixture_set
        self.requests: list[str] = []
        self.served: dict[str, int] = {}
        self.times: list[tuple[str, float]] = []  # (host, when) of each request, in order
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                host, _, rest = parts.path.lstrip("/").partition("/")
                with server._lock:
                    server.times.append((host, time.monotonic()))
                    server.requests.append(
                        f"https://{host}/{rest}" + (f"?{parts.query}" if parts.query else "")
                    )
                found = server.fixture_set.lookup(host, "/" + rest, parts.query)
                if found is None:
                    self._send(404, b"no fixture for this URL", "text/plain", ())
                    return
                with server._lock:
                    served = server.served.get(found.url, 0)
                    server.served[found.url] = served + 1
                if served < len(found.first):
                    status, extra = found.first[served]
                    self._send(status, b"not now", "text/plain", extra)
                    return
                body = found.file.read_bytes()
                # Validators as a real server gives them, so conditional GETs get 304s.
                etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
                modified = format_datetime(found.fetched_at, usegmt=True)
                headers = found.headers + (
                    (FETCHED_AT_HEADER, found.fetched_at.isoformat()),
                    ("ETag", etag),
                    ("Last-Modified", modified),
                )
                if found.status == 200 and self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", found.content_type, headers)
                    return
                self._send(found.status, body, found.content_type, headers)

            def _send(
                self,
                status: int,
                body: bytes,
                content_type: str,
                headers: tuple[tuple[str, str], ...],
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return  # the crawl log already names every request

        return Handler
