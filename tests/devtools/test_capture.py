"""`aggregator fixture save` captures a response with its metadata into a dated snapshot."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aggregator.devtools.capture import CaptureError, save_fixture
from aggregator.devtools.fixtures import read_meta


class Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"<html><body><h1>Saved</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_save_writes_bytes_and_meta(site: str, tmp_path: Path) -> None:
    saved = save_fixture("nspcc", f"{site}/news?page=2", snapshot="2026-11-25", root=tmp_path)
    assert saved.read_bytes().startswith(b"<html>")
    meta = json.loads((saved.parent / "meta.json").read_text())
    assert meta["synthetic"] is False
    [response] = read_meta(saved.parent)
    assert response.url == f"{site}/news?page=2"
    assert response.match_query == ("page",)
    assert response.content_type.startswith("text/html")
    # Saving the same URL again replaces its entry rather than adding a second.
    save_fixture("nspcc", f"{site}/news?page=2", snapshot="2026-11-25", root=tmp_path)
    assert len(read_meta(saved.parent)) == 1


def test_unreachable_or_non_http_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="only http"):
        save_fixture("nspcc", "file:///etc/passwd", root=tmp_path)
    with pytest.raises(CaptureError, match="could not fetch http://127.0.0.1:9/"):
        save_fixture("nspcc", "http://127.0.0.1:9/", root=tmp_path)
