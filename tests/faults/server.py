"""Loopback fault endpoints: the fixture server plus a table of hostile or broken responses.

`FaultServer` serves the fixtures it is given exactly as `FixtureServer` does; a request for a
host `<fault>.faults.test` (the fixture handler sends every request here, as
`/<host><path>`) is answered by that fault instead. A fault host's robots.txt is a quick 404,
so every fault hits the channel request itself. The server only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler
from typing import Protocol
from urllib.parse import urlsplit

import brotli

from aggregator.devtools.fixtures import FixtureServer, FixtureSet

FAULT_DOMAIN = "faults.test"
MB = 1024 * 1024
BOMB_SIZE = 1024 * MB  # what each compression bomb expands to
HUGE_BODY = 50 * MB


def feed(title: str = "Fault feed", item: str = "Neglect strategy 2024") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://lscp.example.org/</link>"
        f"<item><title>{item}</title><link>https://lscp.example.org/neglect</link>"
        "<guid>https://lscp.example.org/?p=7</guid>"
        "<pubDate>Tue, 14 May 2024 09:00:00 +0100</pubDate></item></channel></rss>"
    )


FEED = feed().encode()


def nul_feed() -> bytes:
    """Four entries, a NUL byte in the second one's title and description. (A NUL is not
    allowed in XML: the feed reader recovers, as browsers and feed readers do.)"""
    entries = "".join(
        f"<item><title>Neglect strategy part {n}{chr(0) if n == 2 else ''}</title>"
        f"<link>https://lscp.example.org/neglect-{n}</link>"
        f"<description>Part {n} of the strategy{chr(0) if n == 2 else ''}.</description>"
        f"<pubDate>Tue, 14 May 2024 09:0{n}:00 +0100</pubDate></item>"
        for n in range(1, 5)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>NUL feed</title><link>https://lscp.example.org/</link>{entries}"
        "</channel></rss>"
    ).encode()


NUL_FEED = nul_feed()
LONG_TEXT_SIZES = (50_000, 1_000_000, 19_000_000)


@cache
def long_text_feed() -> bytes:
    phrase = "Child sexual abuse and neglect: safeguarding children at risk. "
    entries = "".join(
        f"<item><title>Long text {size}</title>"
        f"<link>https://lscp.example.org/long-{size}</link>"
        f"<description>{(phrase * (size // len(phrase) + 1))[:size]}</description>"
        f"<pubDate>Tue, 14 May 2024 09:00:00 +0100</pubDate></item>"
        for size in LONG_TEXT_SIZES
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Long text</title><link>https://lscp.example.org/</link>{entries}"
        "</channel></rss>"
    ).encode()


@cache
def compression_bomb(encoding: str, size: int = BOMB_SIZE) -> bytes:
    """`size` zero bytes (a whole number of MB, at least 3), compressed: about 1 MB of gzip or
    deflate per GB, 13 KB of brotli.

    Compressing a gigabyte took seconds per encoding in every test process. Zeros compress to
    the same bytes megabyte after megabyte once the compressor's state is steady (deflate:
    after each full flush; brotli: from the third flushed megabyte on), so three megabytes are
    compressed and the steady piece is repeated. tests/faults/test_server.py inflates a small
    one whole and checks every byte, size and checksum."""
    count = size // MB
    if size % MB or count < 3:
        raise ValueError("a compression bomb is a whole number of MB, at least 3")
    chunk = bytes(MB)
    if encoding == "br":
        compressor = brotli.Compressor(quality=5)
        first, second, steady = (compressor.process(chunk) + compressor.flush() for _ in range(3))
        return first + second + steady * (count - 2) + compressor.finish()
    # Raw deflate with a full flush after each MB: no block refers to an earlier MB.
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first, steady = (deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH) for _ in range(2))
    body = first + steady * (count - 1) + deflate.flush(zlib.Z_FINISH)
    if encoding == "gzip":  # RFC 1952: header (no name, no time), body, CRC-32 and size
        crc = 0
        for _ in range(count):
            crc = zlib.crc32(chunk, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        return header + body + struct.pack("<II", crc, size & 0xFFFFFFFF)
    # "deflate" in HTTP is the zlib container (RFC 1950): header, body, Adler-32 (of zeros:
    # the low sum stays 1, the high one counts the bytes)
    adler = ((size % 65521) << 16) | 1
    return b"\x78\xda" + body + struct.pack(">I", adler)


@cache
def html_bomb() -> bytes:
    """A million nested elements in 11 MB: under the size cap, but a parser's worst case."""
    depth = 1_000_000
    return b"<!DOCTYPE html><html><body><main>" + b"<div>" * depth + b"x" + b"</div>" * depth


@cache
def feed_bomb() -> bytes:
    """An RSS feed of 400,000 tiny items (14 MB): each item is a dict in feedparser."""
    item = b"<item><title>t</title></item>"
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title>'
        + item * 400_000
        + b"</channel></rss>"
    )


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    # What the crawl record's error for the channel must say (a case-insensitive fragment).
    names: str
    # "feed": a registry-only feed source; "listing": an HTML listing source; "slow": a
    # source whose parser runs for minutes (tests/faults/crawl.py).
    kind: str = "feed"
    # The fault's channel still yields its item (the fault is survivable, and recorded).
    stores_items: bool = False
    # For a fault with nothing to record (`names` empty): how many items it must store.
    items: int = 0

    @property
    def host(self) -> str:
        return f"{self.name.replace('_', '-')}.{FAULT_DOMAIN}"

    @property
    def url(self) -> str:
        return f"https://{self.host}/feed"

    @property
    def slug(self) -> str:
        return f"fault_{self.name}"


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in [
        Fault("no_response", "accepts the request and never answers", "DownloadTimeoutError"),
        Fault("slow_drip", "one byte every half second, forever", "DownloadTimeoutError"),
        Fault("http_500", "500 Internal Server Error", "HTTP 500"),
        Fault("http_502", "502 Bad Gateway", "HTTP 502"),
        Fault("http_503", "503 Service Unavailable", "HTTP 503"),
        Fault("http_504", "504 Gateway Timeout", "HTTP 504"),
        Fault("http_429", "429 Too Many Requests with Retry-After: 1", "HTTP 429"),
        Fault("redirect_loop", "302 between two URLs, forever", "max redirections"),
        Fault("truncated", "chunked body cut off mid-chunk", "ResponseDataLossError"),
        Fault("length_mismatch", "Content-Length 100000, 400 bytes sent", "ResponseDataLossError"),
        Fault(
            "wrong_charset",
            "windows-1252 bytes labelled utf-8 (header and XML declaration)",
            "declared as utf-8, but parsed as windows-1252",
            stores_items=True,
        ),
        Fault("huge_body", "50 MB body without a Content-Length", "DOWNLOAD_MAXSIZE"),
        Fault("huge_declared", "200 MB with a Content-Length", "larger than download max size"),
        Fault("huge_chunked", "an endless chunked body", "DOWNLOAD_MAXSIZE"),
        Fault("gzip_bomb", "1 GB of zeros as 1 MB of gzip", "DOWNLOAD_MAXSIZE"),
        Fault("deflate_bomb", "1 GB of zeros as 1 MB of deflate", "DOWNLOAD_MAXSIZE"),
        Fault("brotli_bomb", "1 GB of zeros as 13 KB of brotli", "DOWNLOAD_MAXSIZE"),
        Fault("html_bomb", "a million nested elements (11 MB)", "nested more than 512", "listing"),
        Fault(
            "feed_bomb",
            "an RSS feed of 400,000 items (14 MB)",
            "older ones skipped",
            stores_items=True,
        ),
        # Parsing this source's ordinary feed burns CPU for minutes (tests/faults/crawl.py
        # gives it a parser that does): the stand-in for any response whose parse runs away.
        Fault("slow_parse", "a response whose parse takes minutes of CPU", "CPU budget", "slow"),
        Fault("unasked_304", "304 Not Modified to a request without validators", "no validators"),
        # A safeguarding phrase repeated to 50 KB, 1 MB and 19 MB in three entries' descriptions
        # (20 MB, just under the size cap): classification and drafting read a bounded amount.
        Fault(
            "long_text",
            "descriptions of 50 KB, 1 MB and 19 MB of one phrase",
            "",
            items=3,
        ),
        # No fault to record: the NUL byte is cleaned in normalisation and every entry stored.
        Fault("nul_entry", "a NUL byte in one of four feed entries", "", items=4),
    ]
}


class FaultServer(FixtureServer):
    """A FixtureServer that answers `<fault>.faults.test` hosts from FAULTS."""

    def __init__(self, fixture_set: FixtureSet | None = None) -> None:
        self.released = threading.Event()  # set on stop: hanging handlers give up
        self.hits: dict[str, list[float]] = {}  # fault name -> monotonic times of requests
        super().__init__(fixture_set or FixtureSet())

    def stop(self) -> None:
        self.released.set()
        super().stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler()
        server = self
        by_host = {f.host: f for f in FAULTS.values()}

        class FaultHandler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                host, _, rest = urlsplit(self.path).path.lstrip("/").partition("/")
                fault = by_host.get(host)
                if fault is None:
                    super().do_GET()
                    return
                self.close_connection = True
                if rest == "robots.txt":
                    self.raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    return
                server.hits.setdefault(fault.name, []).append(time.monotonic())
                # The crawler hanging up on a fault is the point, not an error.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    SERVE[fault.name](self, server)

            def raw(self, data: bytes) -> None:
                self.wfile.write(data)
                self.wfile.flush()

            def head(self, status: str, *headers: str) -> None:
                lines = [f"HTTP/1.1 {status}", *headers, "Connection: close", "", ""]
                self.raw("\r\n".join(lines).encode("latin-1"))

        return FaultHandler


class Respond(Protocol):
    """What a fault writes with: raw bytes, or a status line and headers."""

    path: str

    def raw(self, data: bytes) -> None: ...

    def head(self, status: str, *headers: str) -> None: ...


Handler = Callable[[Respond, FaultServer], None]


def _status(code: str, *extra: str) -> Handler:
    def serve(h: Respond, server: FaultServer) -> None:
        body = b"<html><body>server error</body></html>"
        h.head(code, "Content-Type: text/html", f"Content-Length: {len(body)}", *extra)
        h.raw(body)

    return serve


def _no_response(h: Respond, server: FaultServer) -> None:
    server.released.wait(120)


def _slow_drip(h: Respond, server: FaultServer) -> None:
    h.head("200 OK", "Content-Type: application/rss+xml", "Content-Length: 1000000")
    deadline = time.monotonic() + 120
    while not server.released.is_set() and time.monotonic() < deadline:
        h.raw(b" ")
        time.sleep(0.5)


def _redirect_loop(h: Respond, server: FaultServer) -> None:
    path = urlsplit(h.path).path
    target = "/other" if path.endswith("/feed") else "/feed"
    fault = FAULTS["redirect_loop"]
    h.head("302 Found", f"Location: https://{fault.host}{target}", "Content-Length: 0")


def _truncated(h: Respond, server: FaultServer) -> None:
    h.head("200 OK", "Content-Type: application/rss+xml", "Transfer-Encoding: chunked")
    half = FEED[: len(FEED) // 2]
    h.raw(f"{len(FEED):x}\r\n".encode() + half)


def _length_mismatch(h: Respond, server: FaultServer) -> None:
    h.head("200 OK", "Content-Type: application/rss+xml", "Content-Length: 100000")
    h.raw(FEED)


def _wrong_charset(h: Respond, server: FaultServer) -> None:
    body = feed("Caf\u00e9 news", "Na\u00efve caf\u00e9 guidance").encode("cp1252")
    h.head(
        "200 OK", "Content-Type: application/rss+xml; charset=utf-8", f"Content-Length: {len(body)}"
    )
    h.raw(body)


def _huge_body(h: Respond, server: FaultServer) -> None:
    h.head("200 OK", "Content-Type: application/rss+xml")
    chunk = (FEED * (64 * 1024 // len(FEED) + 1))[: 64 * 1024]
    for _ in range(HUGE_BODY // len(chunk)):
        if server.released.is_set():
            return
        h.raw(chunk)


def _huge_declared(h: Respond, server: FaultServer) -> None:
    """200 MB announced in Content-Length; sent only while the client still reads."""
    h.head("200 OK", "Content-Type: application/rss+xml", f"Content-Length: {200 * MB}")
    chunk = (FEED * (64 * 1024 // len(FEED) + 1))[: 64 * 1024]
    for _ in range(200 * MB // len(chunk)):
        if server.released.is_set():
            return
        h.raw(chunk)


def _huge_chunked(h: Respond, server: FaultServer) -> None:
    """A body without end, in HTTP chunks."""
    h.head("200 OK", "Content-Type: application/rss+xml", "Transfer-Encoding: chunked")
    chunk = (FEED * (64 * 1024 // len(FEED) + 1))[: 64 * 1024]
    for _ in range(200 * MB // len(chunk)):
        if server.released.is_set():
            return
        h.raw(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


def _bomb(encoding: str) -> Handler:
    def serve(h: Respond, server: FaultServer) -> None:
        body = compression_bomb(encoding)
        h.head(
            "200 OK",
            "Content-Type: application/rss+xml",
            f"Content-Encoding: {encoding}",
            f"Content-Length: {len(body)}",
        )
        h.raw(body)

    return serve


def _markup(body: Callable[[], bytes], content_type: str) -> Handler:
    def serve(h: Respond, server: FaultServer) -> None:
        data = body()
        h.head("200 OK", f"Content-Type: {content_type}", f"Content-Length: {len(data)}")
        h.raw(data)

    return serve


SERVE: dict[str, Handler] = {
    "no_response": _no_response,
    "slow_drip": _slow_drip,
    "http_500": _status("500 Internal Server Error"),
    "http_502": _status("502 Bad Gateway"),
    "http_503": _status("503 Service Unavailable"),
    "http_504": _status("504 Gateway Timeout"),
    "http_429": _status("429 Too Many Requests", "Retry-After: 1"),
    "redirect_loop": _redirect_loop,
    "truncated": _truncated,
    "length_mismatch": _length_mismatch,
    "wrong_charset": _wrong_charset,
    "huge_body": _huge_body,
    "huge_declared": _huge_declared,
    "huge_chunked": _huge_chunked,
    "gzip_bomb": _bomb("gzip"),
    "deflate_bomb": _bomb("deflate"),
    "brotli_bomb": _bomb("br"),
    "html_bomb": _markup(html_bomb, "text/html; charset=utf-8"),
    "feed_bomb": _markup(feed_bomb, "application/rss+xml"),
    "slow_parse": _markup(lambda: FEED, "application/rss+xml"),
    "nul_entry": _markup(lambda: NUL_FEED, "application/rss+xml"),
    "long_text": _markup(long_text_feed, "application/rss+xml"),
    "unasked_304": _status("304 Not Modified"),
}
assert set(SERVE) == set(FAULTS)
