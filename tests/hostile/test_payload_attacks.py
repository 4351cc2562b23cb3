"""Attack 18 of ../shared/attack-suite.md: script and URL payloads in what a publisher sends.

One raw item carries them all: a `<script>`, event handlers, `javascript:` and `data:` links
(in the text, the item's links and its attachments), double-escaped tags, Markdown links and
U+202E (the right-to-left override that makes "Report\\u202efdp.exe" display as
"Reportexe.pdf"). Through normalisation and every bulletin format, nothing executes, no unsafe
link survives, Markdown renders the payloads as text, and no bidirectional control is left. The
review app's sanitiser has its own corpus (tests/review/test_sanitiser_corpus.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from aggregator.exports.bulletin import render_html, render_markdown, render_text
from aggregator.exports.email_html import render_email
from aggregator.parse.item import normalise_classified
from aggregator.parse.raw import RawAttachment, RawItem

T0 = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def hostile_raw() -> RawItem:
    return RawItem(
        source="nspcc",
        url="https://learning.nspcc.org.uk/research-resources/2024/neglect-guidance",
        title="<script>alert(1)</script>Neglect guidance\u202efdp.exe",
        fetched_at=T0,
        published="14 May 2024",
        summary=(
            '<img src=x onerror="alert(1)"><p onclick="alert(2)">Guidance on neglect.</p>'
            '<a href="javascript:alert(3)">Read more</a> &lt;script&gt;alert(4)&lt;/script&gt;'
            " [Read the report](javascript:alert(5)) ![x](data:text/html;base64,PHNjcmlwdD4=)"
            ' <a href="data:text/html,<script>alert(6)</script>">data</a>'
        ),
        attachments=[
            RawAttachment("Report (PDF)", "javascript:alert(7)"),
            RawAttachment("Data", "data:text/html,<script>alert(8)</script>"),
            RawAttachment("Full report (PDF)", "https://learning.nspcc.org.uk/media/report.pdf"),
        ],
        links=[("Read the \u202eevil", "javascript:alert(9)"), ("The guidance", "vbscript:x")],
    )


class Links(HTMLParser):
    """Every tag, attribute name and link target of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append(name)
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.targets.append(value)


def test_attack_18_script_and_url_payloads() -> None:
    item, _ = normalise_classified(hostile_raw())

    # Normalisation: text only, and no bidirectional control anywhere.
    assert "<" not in item.title and not BIDI.search(item.title)
    assert item.title.startswith("Neglect guidance")
    assert not BIDI.search(" ".join(link.label for link in item.links))

    html = render_html([item])
    email_html, email_text = render_email([item])
    for document in (html, email_html):
        parsed = Links()
        parsed.feed(document)
        assert "script" not in parsed.tags and "img" not in parsed.tags
        assert not [a for a in parsed.attributes if a.startswith("on")]
        assert parsed.targets and all(t.startswith(SAFE_SCHEMES) for t in parsed.targets)
        assert "<script" not in document.lower()

    markdown = render_markdown([item])
    # A link is `[text](target)` with an unescaped bracket; the payloads come out escaped.
    assert not re.search(r"(?<!\\)\]\((?:javascript|data|vbscript):", markdown)
    assert "\\](javascript:alert(5))" in markdown  # shown as text
    assert not re.search(r"<(?:javascript|data|vbscript):", markdown)
    assert not re.search(r"(?<!\\)<(?:script|img)", markdown, re.I)  # escaped: shown as text
    assert "](https://learning.nspcc.org.uk/media/report.pdf)" in markdown

    for text in (markdown, render_text([item]), email_text, html, email_html):
        assert not BIDI.search(text)
