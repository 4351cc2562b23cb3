"""URL canonicalisation and identity keys.

``canonical_url`` gives the URL we store and link to: it must stay a working URL, so it keeps
``www.`` (the sites serve from it) and only makes changes every one of our sources tolerates.
``url_key`` gives the identity used for de-duplication; it also ignores the scheme, a leading
``www.`` and host case, so the same page found through a feed, an API and an HTML listing
collapses to one item. Both are pure string functions: nothing is fetched or redirected.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "canonical_url", "url_key", "is_http_url"]

# Query keys that only identify a campaign, a click or a mailing, never the page. Compared in
# lower case. Every "utm_*" key is tracking too (prefix rule in _is_tracking); the common ones
# are listed so the set documents them.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Google Analytics campaign tags (GOV.UK email alerts and charity newsletters use them)
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
        "utm_name", "_ga", "_gl",
        # ad-click identifiers
        "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid",
        # Mailchimp (charity newsletters)
        "mc_cid", "mc_eid",
        # HubSpot
        "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",
        # Marketo, Adobe and other campaign ids
        "mkt_tok", "cmpid", "s_cid", "wt.mc_id", "oly_anon_id", "oly_enc_id", "vero_id",
        "vero_conv", "rb_clickid",
        # referral markers added by aggregators and social sharing
        "ref", "ref_src", "ref_url",
    }
)  # fmt: skip

_TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
# Characters that may appear raw in a path and in a query key or value (RFC 3986). "&", "="
# and "+" stay raw in query parts because we split on them ourselves; their escapes are kept.
_PATH_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(":@/")
_QUERY_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(":@/?")
_HEX = frozenset("0123456789abcdefABCDEF")

_DEFAULT_PORTS = {80, 443}


def _is_tracking(key: str) -> bool:
    lowered = _normalise_escapes(key, _QUERY_SAFE).lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _normalise_escapes(part: str, safe: frozenset[str]) -> str:
    """Decode escaped unreserved characters, upper-case the other escapes, and escape any
    character that may not appear raw (spaces, non-ASCII, a stray "%")."""
    out: list[str] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "%" and i + 2 < len(part) and part[i + 1] in _HEX and part[i + 2] in _HEX:
            decoded = chr(int(part[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + part[i + 1 : i + 3].upper())
            i += 3
            continue
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, segment by segment; relative resolution already did this for
    # joined URLs but absolute input can still carry "/a/./b/../c".
    segments = path.split("/")
    out: list[str] = []
    for seg in segments[1:]:
        if seg == ".":
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _host(parts: SplitResult, url: str) -> str:
    host = parts.hostname or ""
    host = host.rstrip(".")
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if ":" in host:  # IPv6 literal
        return f"[{host}]"
    if not host.isascii():
        try:
            # Internationalised names as punycode, the form every HTTP client sends.
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"bad internationalised host in {url!r}") from exc
    return host.lower()


def _query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        if _is_tracking(key):
            continue
        pairs.append(
            (
                _normalise_escapes(key, _QUERY_SAFE),
                sep + _normalise_escapes(value, _QUERY_SAFE),
            )
        )
    # Stable sort by key: repeated keys ("filter_organisations=a&filter_organisations=b" on the
    # GOV.UK Search API) keep their order, which can matter to the server.
    pairs.sort(key=lambda kv: kv[0])
    return "&".join(k + v for k, v in pairs)


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical, still-working form of ``url`` (resolved against ``base`` if relative).

    https scheme, lower-case (punycode) host without a default port, no fragment (including
    ``#:~:text=`` text fragments), no tracking parameters, other parameters sorted by key,
    duplicate slashes collapsed, and percent-escapes normalised. ``www.`` and the
    publisher's trailing slash are kept: the URL is the one an editor links to (WordPress
    permalinks end in "/"); `url_key` is the slash-insensitive identity. Raises
    ``ValueError`` for anything that is not http(s).
    """
    raw = url.strip()
    if base is not None:
        raw = urljoin(base.strip(), raw)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"malformed URL: {url!r}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")

    netloc = _host(parts, url)
    if port is not None and port not in _DEFAULT_PORTS:
        netloc = f"{netloc}:{port}"
    if "@" in parts.netloc:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"

    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if not path.startswith("/"):
        path = "/" + path
    path = _remove_dot_segments(_normalise_escapes(path, _PATH_SAFE))
    if len(path) > 1 and path.endswith("//"):
        path = path.rstrip("/") + "/"

    return urlunsplit(("https", netloc, path, _query(parts.query), ""))


def url_key(url: str) -> str:
    """The identity of ``url`` for de-duplication: the canonical URL without its scheme,
    without a leading ``www.`` and without a trailing slash (paths keep their case).

    ``https://www.gov.uk/a/?utm_source=x#y`` and ``http://GOV.UK/a`` both give ``gov.uk/a``.
    """
    parts = urlsplit(canonical_url(url))
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("www."):
        hostport = hostport[4:]
    path = parts.path.rstrip("/")
    key = f"{userinfo}{at}{hostport}{path}"
    return f"{key}?{parts.query}" if parts.query else key


def is_http_url(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a host; never raises."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except (ValueError, AttributeError):
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
