"""`aggregator fixture save` captures a response through the crawler's own download path.

A real loopback server (let through the SSRF guard by AGGREGATOR_ALLOWED_ADDRESSES, as the
crawl tests do) serves a gzip-compressed page, a robots.txt that disallows /private/, and
records the User-Agent each request came with.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli.devtools import fixture
from aggregator.devtools.capture import CaptureError, save_fixture
from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.fetch.netguard import ALLOWED_ENV
from aggregator.fetch.scrapy_settings import USER_AGENT

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

PAGE = (
    b"<html><body><h1>Saved</h1><p>"
    + b"Safeguarding partnership news. " * 200
    + b"</p></body></html>"
)
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Site(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []  # (path, User-Agent) of every request, in order

    def do_GET(self) -> None:  # noqa: N802
        Site.seen.append((self.path, self.headers.get("User-Agent", "")))
        if self.path == "/robots.txt":
            self.reply(200, "text/plain", ROBOTS)
        elif self.path.startswith(("/news", "/private/")):
            # Compressed on the wire: the fixture must hold what the spider parses.
            self.reply(200, "text/html; charset=utf-8", gzip.compress(PAGE), gzip_encoded=True)
        else:
            self.reply(404, "text/plain", b"not here")

    def reply(
        self, status: int, content_type: str, body: bytes, gzip_encoded: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if gzip_encoded:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Site.seen = []
    monkeypatch.setenv(ALLOWED_ENV, "127.0.0.1")  # the capture crawl's child inherits it
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_save_writes_the_decompressed_body_and_meta(site: str, tmp_path: Path) -> None:
    saved = save_fixture("nspcc", f"{site}/news?page=2", snapshot="2026-11-25", root=tmp_path)
    assert saved.read_bytes() == PAGE  # gunzipped by the crawler's compression middleware
    meta = json.loads((saved.parent / "meta.json").read_text())
    assert meta["synthetic"] is False
    [response] = read_meta(saved.parent)
    assert response.url == f"{site}/news?page=2"
    assert response.status == 200
    assert response.match_query == ("page",)
    assert response.content_type.startswith("text/html")
    # The crawler's request: robots.txt first, then the page, both with its User-Agent.
    assert Site.seen == [("/robots.txt", USER_AGENT), ("/news?page=2", USER_AGENT)]
    # Saving the same URL again replaces its entry rather than adding a second.
    save_fixture("nspcc", f"{site}/news?page=2", snapshot="2026-11-25", root=tmp_path)
    assert len(read_meta(saved.parent)) == 1


def test_a_path_robots_txt_disallows_is_refused_in_one_line(site: str) -> None:
    before = sorted(p for p in (FIXTURES_DIR / "nspcc").rglob("*"))
    result = CliRunner().invoke(fixture, ["save", "nspcc", f"{site}/private/page"])
    assert result.exit_code == 1
    assert result.output == f"Error: could not fetch {site}/private/page: Forbidden by robots.txt\n"
    assert Site.seen == [("/robots.txt", USER_AGENT)]  # the page itself was never requested
    # Refused before anything is written: the real fixtures folder is untouched.
    assert sorted(p for p in (FIXTURES_DIR / "nspcc").rglob("*")) == before


def test_an_error_status_is_refused(site: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match=r"could not fetch .*/missing: HTTP 404$"):
        save_fixture("nspcc", f"{site}/missing", root=tmp_path)


def test_the_ssrf_guard_refuses_loopback_unless_allow_listed(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOWED_ENV)
    with pytest.raises(CaptureError) as refused:
        save_fixture("nspcc", f"{site}/news", root=tmp_path)
    assert str(refused.value) == (
        f"could not fetch {site}/news: refused non-public address 127.0.0.1 ({site}/news)"
    )
    assert Site.seen == []  # nothing was sent, not even robots.txt's request


def test_unreachable_or_non_http_url_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(CaptureError, match="only http"):
        save_fixture("nspcc", "file:///etc/passwd", root=tmp_path)
    monkeypatch.setenv(ALLOWED_ENV, "127.0.0.1")
    with pytest.raises(CaptureError, match="could not fetch http://127.0.0.1:9/: Connection"):
        save_fixture("nspcc", "http://127.0.0.1:9/", root=tmp_path)
