"""The HTML bulletins come from autoescaped Jinja templates (#23): shipped as package data,
escaping every value, inline CSS only, and streamed as the entries arrive. That the output is
the same as before the templates is the bulletin.html golden's job (test_goldens.py)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

from aggregator.exports.bulletin import (
    Layout,
    Placed,
    in_bulletin_order,
    render_html,
    templates,
)
from aggregator.exports.email_html import EMAIL_WIDTH, iter_email_html
from tests.exports.conftest import GOLDEN, corpus

TEMPLATE_NAMES = {"email.html.j2", "page.html.j2"}
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(document)
    parser.close()
    return parser.tags


def test_templates_are_package_data() -> None:
    folder = resources.files("aggregator.exports") / "templates"
    names = {entry.name for entry in folder.iterdir() if entry.name.endswith(".j2")}
    assert names == TEMPLATE_NAMES
    # pyproject's package-data glob (relative to the `aggregator` package) takes them all
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["aggregator"]
    shipped = {path.name for pattern in globs for path in (ROOT / "aggregator").glob(pattern)}
    assert shipped >= TEMPLATE_NAMES
    # and the environment finds them through the package, as an installed copy would
    assert set(templates().list_templates()) >= TEMPLATE_NAMES


def test_autoescape_is_on_for_every_value() -> None:
    environment = templates()
    assert environment.autoescape is True
    # a template's own `{{ }}` is escaped by the environment, not by the template's care
    assert environment.from_string("{{ v }}").render(v=SCRIPT) == (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    for name in TEMPLATE_NAMES:
        source = (resources.files("aggregator.exports") / "templates" / name).read_text("utf-8")
        assert not re.search(r"\|\s*safe\b|Markup|autoescape\s+false", source), name


def test_a_hostile_title_and_layout_render_escaped() -> None:
    items = corpus()[:3]
    [first_section, *_] = [section for section, _item in in_bulletin_order(items)]
    layout = Layout(issue_line=f"Issue {SCRIPT}", intros={first_section: f"Intro {SCRIPT}"})
    logo = ("https://example.org/logo.png?a=1&b=2", f"Logo {SCRIPT}")
    email = "".join(iter_email_html(in_bulletin_order(items), f"Title {SCRIPT}", layout, logo))
    page = render_html(items, f"Title {SCRIPT}")
    for document in (email, page):
        assert "<script" not in document
        assert document.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
        assert "script" not in {tag for tag, _attrs in tags_of(document)}
    assert email.count("&lt;script&gt;") == 4  # title, issue line, intro, logo's alt text
    assert 'src="https://example.org/logo.png?a=1&amp;b=2"' in email


def test_quotes_are_escaped_as_the_golden_has_them() -> None:
    """`html.escape`'s entities (&quot;, &#x27;), not markupsafe's (&#34;, &#39;): the bytes
    of the bulletins written before the templates."""
    email = "".join(iter_email_html(in_bulletin_order(corpus()[:1]), 'It\'s "news"'))
    assert "It&#x27;s &quot;news&quot;" in email
    assert "It&#x27;s &quot;news&quot;" in render_html(corpus()[:1], 'It\'s "news"')
    assert "&#34;" not in email and "&#39;" not in email


def test_the_golden_email_is_inline_css_in_a_600_to_640_px_table() -> None:
    golden = (GOLDEN / "bulletin.html").read_text(encoding="utf-8")
    assert not re.search(r"<style\b", golden, re.IGNORECASE)
    assert not re.search(r"<link\b[^>]*stylesheet", golden, re.IGNORECASE)
    tags = tags_of(golden)
    [(_tag, table)] = [t for t in tags if t[0] == "table"]
    assert 600 <= int(table["width"] or 0) <= 640 and table["width"] == str(EMAIL_WIDTH)
    assert f"max-width:{EMAIL_WIDTH}px" in (table["style"] or "")
    for tag, attrs in tags:
        if tag not in ("br", "tr"):
            assert attrs.get("style"), f"<{tag}> has no inline style"
        assert "class" not in attrs


def test_the_email_streams_and_reads_its_entries_lazily() -> None:
    placed = in_bulletin_order(corpus()[:7])
    read: list[int] = []

    def entries() -> Iterator[Placed]:
        for number, entry in enumerate(placed, start=1):
            read.append(number)
            yield entry

    chunks: list[str] = []
    taken: list[int] = []  # entries read when each chunk came out
    for chunk in iter_email_html(entries()):
        assert type(chunk) is str  # not Markup, whose `+` would escape the other side
        chunks.append(chunk)
        taken.append(len(read))
    assert len(chunks) > len(placed)
    assert taken[0] == 0  # the head is out before the first entry is read
    # never more than one entry read ahead of the entries already written
    for number, done in enumerate(taken):
        written = "".join(chunks[: number + 1]).count("<h3")
        assert done <= written + 1
    assert taken[-1] == len(placed) and "".join(chunks).count("<h3") == len(placed)
