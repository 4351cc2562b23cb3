"""XML attacks are refused before feedparser sees them.

Each attack must raise FeedError with a clear reason, allocate less than 50 MB on the way
(tracemalloc), and neither open the file an external entity names nor connect anywhere (an
audit hook watches `open` and `socket.connect` while the adapter runs).
"""

from __future__ import annotations

import io
import os
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from aggregator.parse.feed_reader import FeedError, parse_feed, screen_xml

MEMORY_LIMIT = 50 * 1024 * 1024
URL = "https://lscp.example.org/feed/"


class AuditLog:
    """`open` and `socket.connect` events, recorded only while `watching`."""

    def __init__(self) -> None:
        self.watching = False
        self.events: list[tuple[str, Any]] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.watching and event in ("open", "socket.connect"):
            self.events.append((event, args[:2]))

    def opened(self, path: Path) -> bool:
        target = os.path.realpath(path)
        for event, args in self.events:
            name = args[0]
            if event != "open" or not isinstance(name, str | bytes):
                continue
            if os.path.realpath(os.fsdecode(name)) == target:
                return True
        return False

    def connects(self) -> list[Any]:
        return [args for event, args in self.events if event == "socket.connect"]


_AUDIT = AuditLog()
sys.addaudithook(_AUDIT)  # hooks cannot be removed; this one is idle unless watching


@pytest.fixture
def audit() -> Iterator[AuditLog]:
    _AUDIT.events.clear()
    yield _AUDIT
    _AUDIT.watching = False


def rss(body: str = "&a;") -> str:
    return (
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>{body}</title><link>https://lscp.example.org/a</link></item>"
        "</channel></rss>"
    )


def billion_laughs() -> bytes:
    lines = ['<!ENTITY lol0 "lol">']
    lines += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(lines) + "\n]>\n").encode() + (
        rss("&lol9;").encode()
    )


def quadratic(entity_size: int = 31_000, references: int = 10_000) -> bytes:
    """One large entity referenced many times: 62 KB in, about 310 MB out if expanded."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
        + "A" * entity_size
        + '">\n]>\n'
        + rss("&a;" * references)
    ).encode()


def external_entity(target: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{target}">\n]>\n'
        + rss("&xxe;")
    ).encode()


def external_dtd(target: Path) -> bytes:
    # Loopback only: nothing may connect anyway, and no other address is ever named.
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">\n' + rss("x")
    ).encode()


def external_parameter_entity(target: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "file://{target}">\n%p;\n]>'
        + rss("x")
    ).encode()


def hidden_in_utf16(target: Path) -> bytes:
    """The quadratic blow-up as UTF-16 (a byte scan for "<!ENTITY" would miss it)."""
    return (
        quadratic()
        .decode()
        .replace('version="1.0"?>', 'version="1.0" encoding="utf-16"?>', 1)
        .encode("utf-16")
    )


def in_utf16(make: Callable[[Path], bytes]) -> Callable[[Path], bytes]:
    """Another attack of this table, re-encoded as UTF-16 with its declaration saying so."""

    def encoded(target: Path) -> bytes:
        text = make(target).decode()
        if text.startswith("<?xml"):
            text = text.replace('version="1.0"?>', 'version="1.0" encoding="utf-16"?>', 1)
        return text.encode("utf-16")

    return encoded


def entity_after_comment(target: Path) -> bytes:
    """The DOCTYPE declared late, after a comment (well-formed: comments may come first)."""
    body = external_entity(target).decode()
    head, _, rest = body.partition("\n")
    return f"{head}\n<!-- an innocent comment -->\n{rest}".encode()


def entity_after_junk(target: Path) -> bytes:
    """Text before the DOCTYPE: not well-formed, so feedparser's loose parser would run."""
    return b"junk\n" + quadratic(2_000, 1_000)


ATTACKS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "billion_laughs": (lambda _: billion_laughs(), "declares entities"),
    "quadratic_blowup": (lambda _: quadratic(), "declares entities"),
    "external_entity_local_file": (external_entity, "declares entities"),
    "external_dtd": (external_dtd, "external DTD"),
    "external_parameter_entity": (external_parameter_entity, "declares entities"),
    "utf16_quadratic": (hidden_in_utf16, "declares entities"),
    "entity_after_junk": (entity_after_junk, "declares entities"),
    "entity_after_comment": (entity_after_comment, "declares entities"),
    "utf16_billion_laughs": (in_utf16(lambda _: billion_laughs()), "declares entities"),
    "utf16_external_entity": (in_utf16(external_entity), "declares entities"),
    "utf16_external_dtd": (in_utf16(external_dtd), "external DTD"),
    "utf16_external_parameter_entity": (in_utf16(external_parameter_entity), "declares entities"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_refused_bounded_and_touches_nothing(
    name: str, tmp_path: Path, audit: AuditLog
) -> None:
    target = tmp_path / "secret.txt"
    target.write_text("TOPSECRET")
    make, reason = ATTACKS[name]
    body = make(target)
    if name == "quadratic_blowup":
        assert 60_000 < len(body) < 64_000

    tracemalloc.start()
    audit.watching = True
    try:
        with pytest.raises(FeedError) as refused:
            parse_feed(body, URL)
    finally:
        audit.watching = False
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    print(f"\n{name:<28} refused: {refused.value}  (peak {peak / 1024:.0f} KB)")
    assert reason in str(refused.value) and "refused before parsing" in str(refused.value)
    assert "TOPSECRET" not in str(refused.value)
    assert peak < MEMORY_LIMIT
    assert not audit.opened(target)
    assert audit.connects() == []


def test_the_quadratic_payload_is_live_without_the_screen() -> None:
    """A small copy of the attack, given to feedparser directly, is expanded: the screen is
    what stops the full-size one."""
    small = quadratic(entity_size=1_000, references=100)
    parsed = feedparser.parse(io.BytesIO(small))
    assert len(parsed.entries[0].title) == 100_000


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC'
        b' "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"></rss>',
        b"<!-- a comment --><?xml-stylesheet href='s.xsl'?>"
        b"<feed xmlns='http://www.w3.org/2005/Atom'>"
        b"<entry><content type='html'><![CDATA[<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\""
        b' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><p>quoted page</p>]]></content>'
        b"</entry></feed>",
        b'<?xml version="1.0"?><!DOCTYPE rss><rss version="2.0"></rss>',
    ],
)
def test_ordinary_feeds_pass_the_screen(body: bytes) -> None:
    assert screen_xml(body) is None


def test_the_audit_hook_sees_opens_and_connects(tmp_path: Path, audit: AuditLog) -> None:
    """The hook is not vacuous: a file open and a (loopback) connect are both seen."""
    import socket

    target = tmp_path / "secret.txt"
    target.write_text("x")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        audit.watching = True
        target.read_text()
        with socket.create_connection(listener.getsockname()):
            pass
        audit.watching = False
    assert audit.opened(target)
    assert audit.connects()
