"""The bulletin as an HTML email fragment: one presentation table with inline styles.

Email clients drop `<style>` blocks and ignore most CSS layout, so every style sits on its
element. The column is 640 px wide for Outlook desktop (the `width` attribute, and an
Outlook-only table around it) and fluid below that everywhere else (`width:100%` with
`max-width`), and long unbroken strings wrap, so a 320 px phone never scrolls sideways.
Gmail clips a message whose HTML is over about 102 KB: `email_size_warning` says so.
The entries are worded by `aggregator.exports.bulletin.entry_for`, as in every format; the
markup and its inline CSS are the autoescaped Jinja template templates/email.html.j2.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from aggregator.exports.bulletin import (
    NO_LAYOUT,
    Layout,
    Placed,
    entry_for,
    in_bulletin_order,
    iter_text,
    placed_parts,
    safe_url,
    templates,
)
from aggregator.schema import Item

EMAIL_WIDTH = 640  # the usual 600-640 px email column; Outlook's fixed width
EMAIL_SIZE_LIMIT = 100 * 1024  # Gmail clips a message whose HTML is over about 102 KB


def email_size_warning(size_in_bytes: int) -> str | None:
    """A one-line warning when an HTML email is over `EMAIL_SIZE_LIMIT`, else None. Gmail
    clips HTML over about 102 KB behind "[Message clipped]" (Litmus and Email on Acid document
    the limit; Google does not); 100 KB leaves room for the headers."""
    if size_in_bytes <= EMAIL_SIZE_LIMIT:
        return None
    size = -(-size_in_bytes // 1024)  # rounded up: 100 KB and a byte is over 100 KB
    clipped = "Gmail clips messages over about 102 KB, so readers would see '[Message clipped]'"
    return f"warning: the HTML email is {size} KB; {clipped}"


def iter_email_html(
    entries: Iterable[Placed],
    title: str = "Safeguarding update",
    layout: Layout = NO_LAYOUT,
    logo: tuple[str, str] | None = None,
) -> Iterator[str]:
    """An HTML email fragment: one presentation table (`EMAIL_WIDTH` wide, narrower on a phone,
    long words wrapped), inline CSS, no scripts, no styles block and no images unless `logo`
    (url, alt text) is given, read equally well without it. Pair it with `iter_text` of the
    same entries as the plain-text alternative."""
    rows = (
        (section, entry_for(item, extras)) for section, item, extras in map(placed_parts, entries)
    )
    template = templates().get_template("email.html.j2")
    shown_logo = logo if logo is not None and safe_url(logo[0]) else None
    # `generate` yields the fragment piece by piece as the loop in the template pulls `rows`,
    # so a bulletin of any size is written without holding it. Its pieces may be Markup (a
    # str whose `+` escapes the other side): callers get plain str.
    pieces = template.generate(
        width=EMAIL_WIDTH, title=title, layout=layout, logo=shown_logo, rows=rows
    )
    yield from map(str, pieces)


def render_email(items: Sequence[Item], title: str = "Safeguarding update") -> tuple[str, str]:
    """The bulletin as an email: (HTML fragment, plain-text alternative)."""
    entries = in_bulletin_order(items)
    return "".join(iter_email_html(entries, title)), "".join(iter_text(entries, title))
