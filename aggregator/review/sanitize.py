"""The allow-list HTML sanitiser (nh3) every piece of HTML the app shows goes through.

Scraped text never needs it (Jinja escapes all text); it is for the HTML a renderer made, such
as a bulletin preview or a published bulletin's frozen HTML, so that even if a renderer let
something through, no script, event handler, `javascript:` link or style block reaches a page.
"""

from __future__ import annotations

import nh3
from markupsafe import Markup

TAGS = {
    "a", "p", "br", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i",
    "table", "tbody", "tr", "td", "hr", "span", "div", "blockquote",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "style"},
    "table": {"role", "width", "cellpadding", "cellspacing", "border", "style"},
    "td": {"style"},
    "tr": {"style"},
    "h1": {"style"},
    "h2": {"style"},
    "h3": {"style"},
    "p": {"style"},
}
STYLE_PROPERTIES = {
    "border", "border-bottom", "border-collapse", "color", "background-color", "display",
    "font-family", "font-size", "font-weight", "line-height", "margin", "max-width", "padding",
    "text-decoration", "width", "height",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(fragment: str) -> Markup:
    """`fragment` with everything outside the allow-list removed, safe to put in a page."""
    return Markup(
        nh3.clean(
            fragment,
            tags=TAGS,
            clean_content_tags={"script", "style"},
            attributes=ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
            filter_style_properties=STYLE_PROPERTIES,
        )
    )


def safe_href(url: str | None) -> str:
    """A URL for an href: http(s) and mailto only, anything else (`javascript:`, `data:`)
    becomes "#" (Jinja still escapes what is returned)."""
    value = (url or "").strip()
    lowered = value.lower()
    if lowered.startswith(("http://", "https://", "mailto:")):
        return value
    return "#"
